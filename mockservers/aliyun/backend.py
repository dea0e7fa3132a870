"""The analysis platform's state and behaviour. No Flask: a Context and validated values in (routes.py's
declarations validate them), dicts out, AliyunError raised for what only the platform's state can refuse."""

from __future__ import annotations

import io
import logging
from datetime import UTC, datetime
from typing import TypeVar

from PIL import Image as PilImage
from sqlalchemy import bindparam, select

from mockservers.aliyun import results
from mockservers.aliyun.errors import ANALYSIS_FAILURES, CATALOG, AliyunError, bad_parameter
from mockservers.aliyun.models import Analysis, OaTask
from mockservers.aliyun.oss import auth
from mockservers.aliyun.oss.errors import OssError
from mockservers.aliyun.oss.store import OssStore
from mockservers.aliyun.schemas import ITEM_SCHEMAS
from mockservers.core import prepared
from mockservers.core.runtime import Context
from mockservers.dicom.part10 import NotDicomError, inflate_limit, read_part10

log = logging.getLogger(__name__)
# The modalities each study type analyses (DICOM inputs); JPEG/PNG images are accepted for types 2-4.
MODALITIES = {1: {"CT"}, 2: {"CR", "DX"}, 3: {"OP", "XC"}, 4: {"CR", "DX"}}
STUDY_TYPE_NAMES = {1: "肺结节CT", 2: "胸腔X光", 3: "眼底", 4: "骨关节"}
RESULT_LISTS = {1: "imageDataList", 2: "xRayDataList", 3: "ocularDataList"}
SECRET_FIELDS = ("accessKeySecret", "securityToken")
# The keys the document lists for each result list's items, in its order. A stored item may hold more (results.py
# computes credibility for X-ray and fundus items too, and feedback records it there): those are not answered.
ITEM_KEYS = {name: list(schema._declared_fields) for name, schema in ITEM_SCHEMAS.items()}


class AnalysisFailed(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


def iso_utc(ts: float) -> str:
    return datetime.fromtimestamp(int(ts), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# Built once: building a select costs more than running it.
_ANALYSIS = select(Analysis).where(
    Analysis.namespace == bindparam("namespace"),
    Analysis.study_uid == bindparam("study"),
    Analysis.study_type == bindparam("type"),
)
_ANALYSES = Analysis.__table__.c
# The same, for getAnalysisResult, whose analysis is only read: without the ORM (core/prepared.py)
_ANALYSIS_READ = prepared.Statement(
    select(*_ANALYSES).where(
        _ANALYSES.namespace == bindparam("namespace"),
        _ANALYSES.study_uid == bindparam("study"),
        _ANALYSES.study_type == bindparam("type"),
    )
)
Found = TypeVar("Found", Analysis, prepared.Record)  # an analysis as the ORM's object, or as a Record


class AliyunBackend:
    def __init__(self, ctx: Context):
        self.ctx = ctx
        self.db = ctx.db
        self.config = ctx.config
        self.store = OssStore(ctx)

    # ---- tenants --------------------------------------------------------------------------------

    def authenticate(self, token: str | None, namespace: str | None) -> str:
        """The namespace of a request bearing the `tokenId` and `namespace` headers."""
        tenants = self.config.get("tenants") or {}
        if not token:
            raise AliyunError("100002", explain="tokenId: header missing")
        if token not in {str((t or {}).get("tokenId")) for t in tenants.values()}:
            raise AliyunError("100002", explain="tokenId: not a configured token")
        if not namespace:
            raise AliyunError("100003", explain="namespace: header missing")
        if str((tenants.get(namespace) or {}).get("tokenId")) != token:
            raise AliyunError("100003", explain=f"namespace: {namespace!r} is not the namespace of this tokenId")
        return namespace

    def known_namespace(self, namespace: str) -> None:
        if namespace not in (self.config.get("tenants") or {}):
            raise AliyunError("100003", explain=f"namespace: {namespace!r} is not a configured namespace")

    # ---- OSS input ------------------------------------------------------------------------------

    def check_oss(self, body: dict) -> None:
        """The caller's OSS credentials must be the mock's own, and the bucket must exist."""
        try:
            secret = auth.secret_for(self.ctx, body["accessKeyId"], body.get("securityToken") or None)
        except OssError as exc:
            raise AliyunError("100006", f"OSS访问被拒绝: {exc.code}", explain=exc.explain) from None
        if secret != body["accessKeySecret"]:
            raise AliyunError(
                "100006",
                "OSS访问被拒绝: SignatureDoesNotMatch",
                explain="accessKeySecret: not the secret of this accessKeyId",
            )
        try:
            self.store.bucket(body["bucketName"])
        except OssError as exc:
            if exc.code == "InvalidBucketName":
                raise bad_parameter("bucketName", explain=exc.explain) from None
            raise AliyunError("100005", f"OSS文件不存在: {exc.code}", explain=exc.explain) from None

    def study_objects(self, body: dict) -> list[str]:
        self.check_oss(body)
        keys = self.store.keys_under(body["bucketName"], body["key"])
        if not keys:
            raise AliyunError(
                "100005",
                "OSS文件不存在: NoSuchKey",
                explain=f"key: no object {body['key']!r} and none under {body['key'].rstrip('/')}/",
            )
        return keys

    def read_image(self, bucket: str, key: str, study_type: int) -> results.Image:
        obj = self.store.find(bucket, key)
        if obj is None:
            raise AnalysisFailed("100005", f"OSS文件不存在: {key}")
        data = self.ctx.blobs.get(obj.blob)
        try:
            ds = read_part10(data, max_inflated=inflate_limit(self.ctx.runtime.settings), stop_before_pixels=True)
        except NotDicomError:
            if study_type == 1:
                raise AnalysisFailed("100010", f"影像文件无法分析: {key} 不是DICOM文件") from None
            return self._picture(key, data)
        modality = str(ds.get("Modality") or "")
        if modality not in MODALITIES[study_type]:
            wanted = "/".join(sorted(MODALITIES[study_type]))
            raise AnalysisFailed(
                "100010",
                f"影像文件无法分析: {key} 的Modality为{modality or '空'}，"
                f"{STUDY_TYPE_NAMES[study_type]}分析需要{wanted}",
            )
        try:
            spacing = [float(v) for v in (ds.get("PixelSpacing") or [1.0, 1.0])][:2]
            spacing.append(float(ds.get("SliceThickness") or 1.0))
            origin = [float(v) for v in (ds.get("ImagePositionPatient") or [0.0, 0.0, 0.0])]
            if len(spacing) != 3 or len(origin) != 3:
                raise ValueError("PixelSpacing needs 2 values, ImagePositionPatient 3")
            return results.Image(
                key=key,
                rows=int(ds.get("Rows") or 0),
                columns=int(ds.get("Columns") or 0),
                series_uid=str(ds.get("SeriesInstanceUID") or ""),
                laterality=str(ds.get("ImageLaterality") or ds.get("Laterality") or ""),
                spacing=spacing,
                origin=origin,
                slices=int(ds.get("NumberOfFrames") or 1),
                data=data,
            )
        except (TypeError, ValueError) as exc:
            raise AnalysisFailed("100010", f"影像文件无法分析: {key} 的DICOM头无法解析") from exc

    @staticmethod
    def _picture(key: str, data: bytes) -> results.Image:
        try:
            with PilImage.open(io.BytesIO(data)) as picture:
                fmt, (width, height) = picture.format, picture.size
                picture.verify()
        except Exception:
            fmt = None
        if fmt not in ("JPEG", "PNG"):
            raise AnalysisFailed("100010", f"影像文件无法分析: {key} 不是DICOM、JPEG或PNG文件")
        return results.Image(key=key, rows=height, columns=width, data=data)

    def _fault_failure(self) -> str | None:
        code = self.ctx.fault.get("fail_job")
        if not code:
            return None
        return code if code in ANALYSIS_FAILURES else "100001"

    # ---- executeAnalysis / getAnalysisResult / submitAnalysisFeedback ---------------------------

    def _analysis(self, namespace: str, study_uid: str, study_type: int) -> Analysis | None:
        return self.db.scalars(_ANALYSIS, {"namespace": namespace, "study": study_uid, "type": study_type}).first()

    def _analysis_read(self, namespace: str, study_uid: str, study_type: int) -> prepared.Record | None:
        """The analysis as a Record, for a caller that changes nothing of it."""
        values = {"namespace": namespace, "study": study_uid, "type": study_type}
        return next(iter(_ANALYSIS_READ.records(self.db, values)), None)

    def execute(self, namespace: str, b: dict) -> bool:
        """`b`: an ExecuteAnalysisBody, loaded."""
        keys = self.study_objects(b)
        found = self._analysis(namespace, b["studyInstanceUid"], b["studyType"])
        if found is not None and found.status == "running" and not b["forceAnalysis"]:
            return True  # a client's retry: the running analysis goes on as first asked
        if found is not None and not b["forceAnalysis"]:
            raise AliyunError(
                "100009",
                explain=f"studyInstanceUid: {b['studyInstanceUid']!r} was already analysed "
                f"as studyType {b['studyType']} ({found.status})",
            )
        if found is None:
            found = Analysis(
                namespace=namespace,
                study_uid=b["studyInstanceUid"],
                study_type=b["studyType"],
                run=0,
                created_at=self.ctx.now,
            )
            self.db.add(found)
        found.run += 1
        found.status, found.objects, found.created_at = "running", keys, self.ctx.now
        found.request = {k: v for k, v in b.items() if k not in SECRET_FIELDS}
        found.result = found.error_code = found.error_message = found.finished_at = None
        found.fail_with = self._fault_failure()
        self.db.flush()
        self.ctx.schedule("analysis_finish", float(self.config["analysis_seconds"]), {"id": found.id, "run": found.run})
        return True

    def analysis_rng(self, namespace: str, study_uid: str, study_type: int, etags: list[str]):
        """An analysis' random stream: a function of the seed, the study and its objects' contents."""
        return self.ctx.rng("analysis", namespace, study_uid, study_type, *etags)

    def finish_analysis(self, analysis_id: int, run: int) -> None:
        a = self.db.get(Analysis, analysis_id)
        if a is None or a.run != run or a.status != "running":
            return  # re-triggered with forceAnalysis since: the newer run finishes it
        try:
            if a.fail_with:
                raise AnalysisFailed(a.fail_with, CATALOG[a.fail_with][1])
            images = [self.read_image(a.request["bucketName"], key, a.study_type) for key in a.objects]
            etags = [self.store.find(a.request["bucketName"], k).etag for k in a.objects]
            rng = self.analysis_rng(a.namespace, a.study_uid, a.study_type, etags)
            a.result = results.analysis_data(rng, a.study_uid, a.study_type, images)
            a.status = "success"
        except AnalysisFailed as failure:
            a.status, a.error_code, a.error_message = "failed", failure.code, failure.message
        except Exception:  # a bug must not leave the study "running" forever: report it as the platform would
            log.exception("analysis %s failed unexpectedly", analysis_id)
            a.status, a.error_code, a.error_message = "failed", "100001", CATALOG["100001"][1]
            a.result = None
        a.finished_at = self.ctx.now
        url = a.request.get("statusNotifyCallBackUrl")
        if url:
            self.ctx.callback(url, self.status_body(a), accept="status")

    @staticmethod
    def status_body(a: Analysis) -> dict:
        return {
            "studyInstanceUid": a.study_uid,
            "studyType": a.study_type,
            "status": 0 if a.status == "success" else -1,
            "errorCode": a.error_code,
            "errorMessage": a.error_message,
        }

    def _finished(self, namespace: str, study_uid: str, study_type: int) -> Analysis:
        return self._finished_one(self._analysis(namespace, study_uid, study_type), namespace, study_uid, study_type)

    @staticmethod
    def _finished_one(a: Found | None, namespace: str, study_uid: str, study_type: int) -> Found:
        """`a`, the analysis found, if it finished with success."""
        if a is None:
            raise AliyunError(
                "100008",
                explain=f"studyInstanceUid: no analysis of {study_uid!r} as studyType "
                f"{study_type} in namespace {namespace!r}",
            )
        if a.status == "running":
            raise AliyunError("100007", explain="the analysis is still running; poll again or wait for the callback")
        if a.status == "failed":
            raise AliyunError(a.error_code, a.error_message, status=200, explain="the analysis failed")
        return a

    def result(self, namespace: str, study_uid: str, study_type: int) -> dict:
        found = self._analysis_read(namespace, study_uid, study_type)
        data = dict(self._finished_one(found, namespace, study_uid, study_type).result)
        for name, keys in ITEM_KEYS.items():
            data[name] = [{k: item[k] for k in keys if k in item} for item in data[name]]
        return data

    def feedback(self, namespace: str, b: dict) -> bool:
        """`b`: a FeedbackBody, loaded."""
        a = self._finished(namespace, b["studyInstanceUid"], b["studyType"])
        result = dict(a.result)
        items = [dict(item) for item in result[RESULT_LISTS[a.study_type]]]
        by_id = {item["indexId"]: item for item in items}
        for n, entry in enumerate(b["data"]):
            if entry["indexId"] not in by_id:
                raise bad_parameter(
                    f"data[{n}].indexId",
                    explain=f"data[{n}].indexId: {entry['indexId']!r} is not an indexId of this result",
                )
        for entry in b["data"]:
            by_id[entry["indexId"]]["credibility"] = entry["credibility"]
        result[RESULT_LISTS[a.study_type]] = items
        a.result = result
        return True

    # ---- the OA trigger -------------------------------------------------------------------------

    def oa_trigger(self, b: dict) -> None:
        """`b`: an OaBody, loaded."""
        self.known_namespace(b["namespace"])
        keys = self.study_objects(b)
        task = OaTask(
            namespace=b["namespace"],
            image_uid=b["ImageUid"],
            status="running",
            created_at=self.ctx.now,
            request={k: v for k, v in b.items() if k not in SECRET_FIELDS},
            objects=keys,
            fail_with=self._fault_failure(),
        )
        self.db.add(task)
        self.db.flush()
        self.ctx.schedule("oa_finish", float(self.config["oa_seconds"]), {"id": task.id})

    def finish_oa(self, task_id: int) -> None:
        task = self.db.get(OaTask, task_id)
        if task is None or task.status != "running":
            return
        body = {
            "returnCode": "000000",
            "returnMessage": "OK",
            "namespace": task.namespace,
            "ImageUid": task.image_uid,
            "Boxes": [],
        }
        try:
            if task.fail_with:
                raise AnalysisFailed(task.fail_with, CATALOG[task.fail_with][1])
            bucket, keys = task.request["bucketName"], task.objects
            images = [self.read_image(bucket, key, 4) for key in keys]
            etags = [self.store.find(bucket, key).etag for key in keys]
            rng = self.ctx.rng("oa", task.namespace, task.image_uid, *etags)
            body["Boxes"] = results.knee_boxes(rng, images, capitalised=True)
            task.status = "success"
        except AnalysisFailed as failure:
            body["returnCode"], body["returnMessage"] = failure.code, failure.message
            task.status = "failed"
        except Exception:  # as in finish_analysis: the caller still hears back
            log.exception("OA task %s failed unexpectedly", task_id)
            body["returnCode"], body["returnMessage"], body["Boxes"] = "100001", CATALOG["100001"][1], []
            task.status = "failed"
        task.result, task.finished_at = body, self.ctx.now
        self.ctx.callback(task.request["resultCallBackUrl"], body, accept="oa")

    # ---- STS, the mock's way of handing out temporary OSS credentials ---------------------------

    def issue_sts(self, access_key_id: str, access_key_secret: str, duration: int) -> dict:
        try:
            cred = self.store.issue_sts(access_key_id, access_key_secret, duration)
        except OssError as exc:
            raise AliyunError("100006", f"OSS访问被拒绝: {exc.code}", explain=exc.explain) from None
        return {
            "AccessKeyId": cred.access_key_id,
            "AccessKeySecret": cred.access_key_secret,
            "SecurityToken": cred.security_token,
            "Expiration": iso_utc(cred.expires_at),
        }
