"""SigmaCloud DR's state and behaviour. No Flask: a Context and validated values in (the declarations in routes.py
validate them), dicts out, SigmaError raised."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import ntpath
from typing import Any

from pydicom.uid import UID
from sqlalchemy import bindparam, func, select

from mockservers.core import prepared
from mockservers.core.runtime import Context
from mockservers.dicom.attributes import as_list, is_multi_valued
from mockservers.dicom.part10 import NotDicomError, inflate_limit, read_part10
from mockservers.sigma import auth, results
from mockservers.sigma.errors import CATALOG, SigmaError, invalid_parameter, missing_parameter, not_exist
from mockservers.sigma.models import SigmaFile, SigmaJob, SigmaSession, SigmaUpload

UPLOAD_ID_SUFFIX = "_182"  # both of the document's upload ids end so; read as the store's shard number


def _password_matches(sent: str, expected: str) -> bool:
    """The SDK sends the password URL-safe base64 encoded."""
    padded = sent + "=" * (-len(sent) % 4)
    try:
        decoded = base64.urlsafe_b64decode(padded.encode("ascii")).decode("utf-8")
    except (binascii.Error, UnicodeError, ValueError):
        return False
    return decoded == expected


def _md5_matches(header: str, digest: bytes) -> bool:
    header = header.strip()
    if len(header) == 32:
        return header.lower() == digest.hex()
    try:
        return base64.b64decode(header, validate=True) == digest
    except (binascii.Error, ValueError):
        return False


def base_name(path: str) -> str:
    """The file name at the end of a Windows or Unix path; "" for a folder."""
    return ntpath.basename(path.replace("/", "\\"))


def _dicom_value(value: Any) -> Any:
    if value is None:
        return ""
    if is_multi_valued(value):
        return [_dicom_value(v) for v in value]
    if isinstance(value, (int, float, str)):
        return value
    return str(value)


def _age_years(age: str) -> int | str:
    if len(age) == 4 and age[:3].isdigit() and age[3] in "DWMY":
        n = int(age[:3])
        return {"Y": n, "M": n // 12, "W": n // 52, "D": n // 365}[age[3]]
    return ""


def dicom_headers(ds) -> dict[str, Any]:
    """The attributes the study list shows, in its types (float lists, int age, SOP class by name)."""

    def get(keyword: str) -> Any:
        return _dicom_value(ds.get(keyword))

    def floats(keyword: str) -> list[float] | str:
        value = ds.get(keyword)
        return "" if value is None else [float(v) for v in as_list(value)]

    sop_class = ds.get("SOPClassUID") or ds.file_meta.get("MediaStorageSOPClassUID")
    image_type = ds.get("ImageType")
    headers = {
        k: get(k)
        for k in (
            "PatientID",
            "PatientName",
            "PatientBirthDate",
            "PatientSex",
            "AccessionNumber",
            "StudyInstanceUID",
            "StudyDate",
            "StudyTime",
            "StudyID",
            "StudyDescription",
            "InstitutionName",
            "SeriesInstanceUID",
            "SeriesDate",
            "SeriesTime",
            "SeriesDescription",
            "ContentDate",
            "ProtocolName",
            "Modality",
            "ImageOrientationPatient",
            "SliceThickness",
            "AcquisitionNumber",
            "ConvolutionKernel",
            "Manufacturer",
            "PatientPosition",
            "SpacingBetweenSlices",
            "BodyPartExamined",
            "FrameOfReferenceUID",
            "StationName",
            "SOPInstanceUID",
        )
    }
    headers.update(
        {
            "Rows": int(ds.get("Rows") or 0),
            "Columns": int(ds.get("Columns") or 0),
            "SeriesNumber": int(ds.get("SeriesNumber")) if ds.get("SeriesNumber") not in (None, "") else "",
            "WindowCenter": floats("WindowCenter"),
            "WindowWidth": floats("WindowWidth"),
            "ImageType": str(list(image_type)) if image_type else "",
            "SOPClassUID": UID(str(sop_class)).name if sop_class else "",
            "PatientAge": _age_years(str(ds.get("PatientAge") or "")),
            "ModalitiesInStudy": get("ModalitiesInStudy"),
            "has_pixels": "PixelData" in ds,
        }
    )
    for key in ("PatientName", "Manufacturer"):
        headers[key] = str(headers[key]) if headers[key] != "" else ""
    return headers


# Built once: building a select costs more than running it (and a Session.get builds one each time).
_SESSION = select(SigmaSession).where(SigmaSession.token == bindparam("token"))
# Reads whose rows are only read, without the ORM (core/prepared.py): on every authenticated call, and ListJobs
_SESSION_READ = prepared.Statement(
    select(*SigmaSession.__table__.columns).where(SigmaSession.__table__.c.token == bindparam("token"))
)
_JOBS_OF_SERIES = prepared.Statement(
    select(*SigmaJob.__table__.columns)
    .where(SigmaJob.__table__.c.account == bindparam("account"), SigmaJob.__table__.c.series_id == bindparam("series"))
    .order_by(SigmaJob.__table__.c.seq)
)


class SigmaBackend:
    def __init__(self, ctx: Context):
        self.ctx = ctx
        self.db = ctx.db
        self.config = ctx.config

    # ---- accounts and sessions ----------------------------------------------------------------

    def _user(self, account: str, user: str) -> dict | None:
        users = (self.config.get("accounts", {}).get(account) or {}).get("users", {})
        info = users.get(user)
        return None if info is None else {**info, "name": user}

    def keys_of(self, account: str, user: str) -> tuple[str, str]:
        info = self._user(account, user) or {}
        access = (
            info.get("access_key")
            or base64.b64encode(bytes.fromhex(self.ctx.hex(20, "access-key", account, user))).decode()
        )
        secret = (
            info.get("secret_key")
            or base64.b64encode(bytes.fromhex(self.ctx.hex(32, "secret-key", account, user))).decode()
        )
        return access, secret

    def _user_info(self, account: str, user: str, token: str) -> dict:
        info = self._user(account, user)
        access, secret = self.keys_of(account, user)
        account_cfg = self.config["accounts"][account]
        return {
            "account_id": account_cfg.get("account_id") or self.ctx.hex(12, "account-id", account),
            "password": hashlib.sha1(str(info.get("password", "")).encode()).hexdigest(),
            "description": info.get("description", ""),
            "access_key": access,
            "display_name": info.get("display_name", user),
            "name": user,
            "mobile": info.get("mobile", ""),
            "token": token,
            "user_level": info.get("user_level", ""),
            "secret_key": secret,
            "_id": self.ctx.hex(24, "user-id", account, user),
            "type": "User",
            "email": info.get("email", ""),
            "sys_user": bool(info.get("sys_user", False)),
        }

    def login(self, q: dict) -> dict:
        """`q`: a LoginQuery."""
        account, user = q["account_name"], q["user_name"]
        info = self._user(account, user)
        if info is None or not _password_matches(q["password"], str(info.get("password", ""))):
            raise SigmaError(
                "LoginFailed",
                explain="account_name/user_name/password: no such user, or wrong "
                "password (send it URL-safe base64 encoded)",
            )
        force_new = q["force_new"].lower() == "true"
        unrevoked = self.db.scalars(
            select(SigmaSession)
            .where(SigmaSession.account == account, SigmaSession.user == user, SigmaSession.revoked_at.is_(None))
            .order_by(SigmaSession.created_at)
        ).all()
        live = [session for session in unrevoked if not self._expired(session)]
        if live and not force_new:
            token = live[-1].token
            live[-1].created_at = self.ctx.now  # returned by a Login: another lifetime from now
        else:
            for session in live:
                session.revoked_at = self.ctx.now
            raw = bytes.fromhex(self.ctx.hex(32, "token", account, user, self.ctx.counter("token")))
            token = base64.urlsafe_b64encode(raw).decode("ascii")
            self.db.add(SigmaSession(token=token, account=account, user=user, created_at=self.ctx.now))
        return {"user_info": self._user_info(account, user, token), "user_name": user, "account_name": account}

    def _expired(self, session: SigmaSession) -> bool:
        lifetime = self.ctx.runtime.settings.sigma_token_lifetime_seconds
        return lifetime > 0 and self.ctx.now >= session.created_at + lifetime

    def _session(self, token: str, read_only: bool = False) -> SigmaSession | prepared.Record:
        """The token's live session (read_only: as a Record, for a caller that changes nothing of it)."""
        if not token:
            session = None
        elif read_only:
            session = next(iter(_SESSION_READ.records(self.db, {"token": token})), None)
        else:
            session = self.db.scalar(_SESSION, {"token": token})
        if session is None or session.revoked_at is not None:
            raise SigmaError("InvalidToken", explain="Sigma-Token: unknown, revoked or logged out")
        if self._expired(session):
            lifetime = float(self.ctx.runtime.settings.sigma_token_lifetime_seconds)
            seconds = int(lifetime) if lifetime.is_integer() else lifetime
            raise SigmaError(
                "InvalidToken", explain=f"Sigma-Token: expired, {seconds} s after the Login that returned it"
            )
        return session

    def logout(self, token: str | None) -> None:
        if not token:
            raise SigmaError("InvalidToken", explain="Sigma-Token: header missing")
        self._session(token).revoked_at = self.ctx.now

    def authenticate(
        self, token: str | None, authorization: str | None, signed: auth.SignedRequest, account: str
    ) -> str:
        """The user name behind a request to `account`, by token or by access-key signature."""
        if token:
            session = self._session(token, read_only=True)
            found_account, user = session.account, session.user
        elif authorization:
            parsed = auth.parse_authorization(authorization)
            if parsed is None:
                raise SigmaError("SignatureDoesNotMatch", explain="Authorization: expected '12Sigma <key>:<sig>'")
            if not signed.headers.get("date"):
                raise SigmaError("SignatureDoesNotMatch", explain="Date: the header is required with a signature")
            found = self._user_by_access_key(parsed[0])
            if found is None:
                raise SigmaError("SignatureDoesNotMatch", explain="Authorization: unknown access key")
            found_account, user = found
            if not auth.verify(self.keys_of(found_account, user)[1], signed, parsed[1]):
                raise SigmaError(
                    "SignatureDoesNotMatch",
                    explain="Authorization: expected signature of " + repr(auth.string_to_sign(signed)),
                )
        else:
            raise SigmaError("InvalidToken", explain="Sigma-Token: header missing (or sign with Authorization)")
        if found_account != account:
            raise SigmaError("AccessDenied", explain=f"res_account_name: {account!r} is not the user's account")
        return user

    def _user_by_access_key(self, access_key: str) -> tuple[str, str] | None:
        for account, acfg in self.config.get("accounts", {}).items():
            for user in (acfg or {}).get("users", {}):
                if self.keys_of(account, user)[0] == access_key:
                    return account, user
        return None

    # ---- store ----------------------------------------------------------------------------------

    def init_upload(self, account: str, user: str, groupname: str, b: dict) -> dict:
        """`b`: an UploadInitBody."""
        if b.get("groupname") not in (None, "", groupname):
            raise invalid_parameter("groupname", explain="groupname: differs from the <groupname> in the URL")
        if len(groupname) > 200:
            raise invalid_parameter("groupname", explain="groupname: longer than 200 characters")
        n = self.ctx.counter("upload")
        upload_id = self.ctx.uuid("upload", n).hex + UPLOAD_ID_SUFFIX
        self.db.add(
            SigmaUpload(
                upload_id=upload_id,
                account=account,
                user=user,
                groupname=groupname,
                quantity=int(b["quantity"]),
                converted=b["converted"],
                overwrite=b["overwrite"],
                dirname=b.get("dirname"),
                created_at=self.ctx.now,
            )
        )
        return {"upload_id": upload_id}

    def put_file(
        self, account: str, user: str, path: str, q: dict, data: bytes, content_md5: str | None, signed: bool = False
    ) -> dict:
        """`q`: an UploadPutQuery; `signed`: the caller signed the request with its access key, which covers the body
        well enough for the SDK to send no Content-MD5."""
        filename = base_name(path)
        if not filename:
            raise invalid_parameter("filename", explain=f"filename: {path!r} names a folder, not a file")
        upload = self.db.get(SigmaUpload, q["upload_id"])
        if upload is None or upload.account != account:
            raise not_exist("upload", "upload file")
        if not content_md5:
            if not signed:
                raise missing_parameter("Content-MD5")
        elif not _md5_matches(content_md5, hashlib.md5(data).digest()):
            raise SigmaError(
                "InvalidContentMD5", explain=f"Content-MD5: the body's md5 is {hashlib.md5(data).hexdigest()}"
            )
        try:
            ds = read_part10(data, max_inflated=inflate_limit(self.ctx.runtime.settings))
            for keyword in ("StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID"):
                if not ds.get(keyword):
                    raise NotDicomError(f"the file has no {keyword} (truncated?)")
        except NotDicomError as exc:
            raise SigmaError(
                "InvalidFileFormat",
                f"Invalid file format, the file {path} is not a DICOM file!",
                f"文件格式错误，文件 {path} 不是DICOM文件!",
                explain=f"body: {exc}",
            ) from None
        headers = dicom_headers(ds)
        if headers["SeriesInstanceUID"] != upload.groupname:
            raise invalid_parameter(
                "groupname",
                explain=f"groupname: {upload.groupname!r} is not the file's "
                f"SeriesInstanceUID {headers['SeriesInstanceUID']!r}",
            )
        existing = self.db.scalars(
            select(SigmaFile).where(
                SigmaFile.account == account, SigmaFile.groupname == upload.groupname, SigmaFile.filename == filename
            )
        ).first()
        uploaded = self.db.scalar(
            select(func.count()).select_from(SigmaFile).where(SigmaFile.upload_id == upload.upload_id)
        )
        if existing is not None and upload.overwrite != "1":
            raise SigmaError(
                "FileAlreadyExists",
                f"Upload {path} failed, the file already exists and overwrite is not allowed!",
                f"文件 {path} 上传失败，文件已存在且不允许覆盖!",
            )
        if existing is None and uploaded >= upload.quantity:
            raise SigmaError(
                "UploadQuantityExceeded",
                explain=f"quantity: the upload was opened for {upload.quantity} file(s), all arrived",
            )
        blob = self.ctx.blobs.put(data)
        md5 = hashlib.md5(data).hexdigest()
        if existing is not None:
            if existing.upload_id != upload.upload_id:
                uploaded += 1
            self.ctx.blobs.release(existing.blob)  # after the put: the same bytes again keep their file
            existing.upload_id, existing.path, existing.blob, existing.md5 = upload.upload_id, path, blob, md5
            existing.size, existing.created_at, existing.headers, existing.user = len(data), self.ctx.now, headers, user
        else:
            uploaded += 1
            self.db.add(
                SigmaFile(
                    account=account,
                    user=user,
                    groupname=upload.groupname,
                    upload_id=upload.upload_id,
                    filename=filename,
                    path=path,
                    blob=blob,
                    md5=md5,
                    size=len(data),
                    created_at=self.ctx.now,
                    headers=headers,
                )
            )
        result = {"upload_id": upload.upload_id}
        if uploaded >= upload.quantity:
            if upload.store_id is None:
                upload.store_id = self.ctx.hex(24, "store", upload.upload_id)
            result["store_id"] = upload.store_id
        return result

    def download(self, account: str, q: dict) -> tuple[bytes, str, str]:
        """`q`: a DownloadQuery."""
        name = q["filename"]
        if name.endswith(".json"):
            job = self._latest_job(account, name[: -len(".json")], finished_only=True, owner=q.get("owner"))
            if job is not None and job.result_blob:
                return self.ctx.blobs.get(job.result_blob), name, "application/json"
        files = select(SigmaFile).where(
            SigmaFile.account == account, (SigmaFile.filename == name) | (SigmaFile.path == name)
        )
        if q.get("group_name"):
            files = files.where(SigmaFile.groupname == q["group_name"])
        if q.get("owner"):
            files = files.where(SigmaFile.user == q["owner"])
        found = self.db.scalars(files.order_by(SigmaFile.created_at.desc(), SigmaFile.id.desc())).first()
        if found is None:
            raise not_exist("file", "download file")
        return self.ctx.blobs.get(found.blob), found.filename, "application/dicom"

    # ---- jobs -----------------------------------------------------------------------------------

    def new_job(self, account: str, user: str, b: dict) -> dict:
        """`b`: a NewJobBody."""
        if b["account_name"] != account:
            raise invalid_parameter("account_name", explain="account_name: differs from <res_account_name>")
        if b["user_name"] != user:
            raise invalid_parameter("user_name", explain="user_name: is not the user of the token")
        if b["job_type"] not in self.config["job_types"]:
            raise invalid_parameter("job_type", explain=f"job_type: one of {', '.join(self.config['job_types'])}")
        wanted = base_name(b["filename"])
        file = self._image_of_job(account, b["series_id"], wanted, b["format"])
        seq = self.ctx.counter("job")
        job = SigmaJob(
            job_id=f"job-{self.ctx.uuid('job', seq)}",
            seq=seq,
            account=account,
            user=user,
            study_id=b["study_id"],
            series_id=b["series_id"],
            patient_id=b["patient_id"],
            format=b["format"],
            filename=wanted,
            file_id=file.id,
            job_type=b["job_type"],
            priority=int(b["priority"]),
            type=b["type"],
            notify=b["notify"],
            notify_url=b.get("notify_url"),
            notify_info=b.get("notify_info"),
            status="waiting",
            task_id=f"task-{self.ctx.uuid('task', seq)}",
            task_ts=None,
            start_ts=self.ctx.now,
            end_ts=None,
            fail_with=self._fault_failure(),
        )
        self.db.add(job)
        self.ctx.schedule("job_start", float(self.config["queue_seconds"]), {"job_id": job.job_id})
        return {"job_id": job.job_id}

    def _image_of_job(self, account: str, series_id: str, filename: str, fmt: str) -> SigmaFile:
        """What NewJob's `filename` names: a DICOM file uploaded for the series, or the series itself as
        `<series_id>.<format>` (the document's example; the SDK's `<series>.nii`, the series converted on upload),
        whose first uploaded file the detection reads."""
        files = self.db.scalars(
            select(SigmaFile)
            .where(SigmaFile.account == account, SigmaFile.groupname == series_id)
            .order_by(SigmaFile.id)
        ).all()
        named = next((f for f in files if f.filename == filename), None)
        if named is not None:
            if fmt != "dcm":
                raise invalid_parameter("format", explain=f"format: {filename!r} is an uploaded DICOM file, so dcm")
            return named
        if files and filename == f"{series_id}.{fmt}":
            if fmt == "nii" and self.db.get(SigmaUpload, files[0].upload_id).converted != "1":
                raise invalid_parameter(
                    "filename", explain='filename: the series was uploaded with converted "0", so it has no nii'
                )
            return files[0]
        raise invalid_parameter(
            "filename",
            explain=f"filename: neither a file uploaded for series {series_id!r} nor {series_id}.{fmt}",
        )

    def _fault_failure(self) -> dict | None:
        failure = self.ctx.fault.get("fail_job")
        if not failure:
            return None
        code = failure if isinstance(failure, str) and failure in CATALOG else "InternalServerError"
        err = SigmaError(code)
        return {"code": err.code, "message": err.message, "message_chs": err.message_chs}

    def _job(self, account: str, job_id: str) -> SigmaJob:
        job = self.db.get(SigmaJob, job_id)
        if job is None or job.account != account:
            raise not_exist("job", "get job information")
        return job

    def get_job(self, account: str, job_id: str) -> dict:
        job = self._job(account, job_id)
        data = {
            "status": job.status,
            "tasks": [{"status": job.status, "timestamp": job.task_ts, "task_id": job.task_id}],
            "job_id": job.job_id,
            "end_ts": job.end_ts,
            "start_ts": job.start_ts,
            "user_name": job.user,
            "account_name": job.account,
        }
        if job.error:
            data["error"] = job.error
        return data

    def list_jobs(self, account: str, q: dict) -> dict:
        """`q`: a ListJobsQuery."""
        jobs = _JOBS_OF_SERIES.records(self.db, {"account": account, "series": q["unique_id"]})
        return {"jobs": [self._job_summary(j) for j in jobs], "total_number": len(jobs)}

    @staticmethod
    def _job_summary(job: SigmaJob | prepared.Record) -> dict:
        return {
            "status": job.status,
            "job_id": job.job_id,
            "job_type": job.job_type,
            "end_ts": job.end_ts,
            "start_ts": job.start_ts,
            "patient_id": job.patient_id,
            "series_id": job.series_id,
            "study_id": job.study_id,
            "user_name": job.user,
            "account_name": job.account,
        }

    def _latest_job(
        self, account: str, series_id: str, finished_only: bool = False, owner: str | None = None
    ) -> SigmaJob | None:
        q = select(SigmaJob).where(SigmaJob.account == account, SigmaJob.series_id == series_id)
        if finished_only:
            q = q.where(SigmaJob.status == "success")
        if owner:
            q = q.where(SigmaJob.user == owner)
        return self.db.scalars(q.order_by(SigmaJob.seq.desc())).first()

    def study_list(self, account: str, q: dict) -> dict:
        """`q`: a StudyListQuery."""
        jobs = self.db.scalars(select(SigmaJob).where(SigmaJob.account == account).order_by(SigmaJob.seq)).all()
        if q.get("job_type"):
            jobs = [j for j in jobs if j.job_type == q["job_type"]]
        if q.get("start_time"):
            jobs = [j for j in jobs if j.start_ts >= float(q["start_time"])]
        if q.get("end_time"):
            jobs = [j for j in jobs if j.start_ts <= float(q["end_time"])]
        latest: dict[str, SigmaJob] = {}
        for job in jobs:
            latest[job.series_id] = job
        studies: dict[str, dict] = {}
        for series_id, job in latest.items():
            files = self.db.scalars(
                select(SigmaFile)
                .where(SigmaFile.account == account, SigmaFile.groupname == series_id)
                .order_by(SigmaFile.id)
            ).all()
            if not files:
                continue
            h = files[0].headers
            if not self._study_matches(h, q):
                continue
            study = studies.setdefault(h["StudyInstanceUID"], self._study_entry(account, h))
            study["series"][series_id.replace(".", "_")] = self._series_entry(h, job, len(files))
            if job.job_type not in study["job_type"]:
                study["job_type"].append(job.job_type)
        ordered = sorted(
            studies.values(), key=lambda s: (s["StudyDate"], s["StudyTime"], s["StudyInstanceUID"]), reverse=True
        )
        return {"studies": ordered, "total_study_count": len(ordered)}

    @staticmethod
    def _study_matches(h: dict, q: dict) -> bool:
        def contains(value: Any, needle: str) -> bool:
            return needle.lower() in str(value).lower()

        checks = [
            ("patient_id", lambda v: h["PatientID"] == v),
            ("patient_name", lambda v: contains(h["PatientName"], v)),
            ("accession_number", lambda v: h["AccessionNumber"] == v),
            ("study_id", lambda v: h["StudyInstanceUID"] == v),
            ("study_description", lambda v: contains(h["StudyDescription"], v)),
            ("study_start", lambda v: bool(h["StudyDate"]) and h["StudyDate"] >= v),
            ("study_end", lambda v: bool(h["StudyDate"]) and h["StudyDate"] <= v),
        ]
        return all(check(q[name]) for name, check in checks if q.get(name))

    @staticmethod
    def _study_entry(account: str, h: dict) -> dict:
        return {
            "AccessionNumber": h["AccessionNumber"],
            "account": account,
            "StudyDate": h["StudyDate"],
            "series": {},
            "StudyDescription": h["StudyDescription"],
            "InstitutionName": h["InstitutionName"],
            "PatientBirthDate": h["PatientBirthDate"],
            "PatientID": h["PatientID"],
            "PatientAge": h["PatientAge"],
            "PatientSex": h["PatientSex"],
            "StudyInstanceUID": h["StudyInstanceUID"],
            "StudyTime": h["StudyTime"],
            "StudyID": h["StudyID"],
            "PatientName": h["PatientName"],
            "job_type": [],
        }

    @staticmethod
    def _series_entry(h: dict, job: SigmaJob, quantity: int) -> dict:
        keys = (
            "Rows",
            "SeriesTime",
            "ContentDate",
            "ProtocolName",
            "WindowCenter",
            "Columns",
            "SeriesDate",
            "SeriesNumber",
            "ImageOrientationPatient",
            "SliceThickness",
            "AcquisitionNumber",
            "ConvolutionKernel",
            "Manufacturer",
            "ModalitiesInStudy",
            "WindowWidth",
            "SeriesDescription",
        )
        entry = {k: h[k] for k in keys}
        entry["job"] = {"status": job.status, "priority": job.priority, "job_type": job.job_type, "job_id": job.job_id}
        for k in (
            "PatientPosition",
            "SpacingBetweenSlices",
            "ImageType",
            "SOPClassUID",
            "BodyPartExamined",
            "FrameOfReferenceUID",
            "StationName",
            "SeriesInstanceUID",
            "Modality",
        ):
            entry[k] = h[k]
        entry["quantity"] = quantity
        return entry

    # ---- the clock moves jobs -------------------------------------------------------------------

    def fail_next(self, job_id: str) -> None:
        """Make the job fail when it ends (demo data, and the fail_job fault)."""
        err = SigmaError("InternalServerError", "An internal exception is raised, message: detection failed.")
        self.db.get(SigmaJob, job_id).fail_with = {
            "code": err.code,
            "message": err.message,
            "message_chs": err.message_chs,
        }

    def start_job(self, job_id: str) -> None:
        job = self.db.get(SigmaJob, job_id)
        if job is None or job.status != "waiting":
            return
        job.status, job.task_ts = "running", self.ctx.now
        self.ctx.schedule("job_finish", float(self.config["run_seconds"]), {"job_id": job_id})

    def finish_job(self, job_id: str) -> None:
        job = self.db.get(SigmaJob, job_id)
        if job is None or job.status != "running":
            return
        file = self.db.get(SigmaFile, job.file_id)
        error = job.fail_with
        if error is None and (file is None or not file.headers.get("has_pixels")):
            err = SigmaError(
                "InternalServerError",
                "An internal exception is raised, message: the image has no pixel data, detection failed.",
            )
            error = {"code": err.code, "message": err.message, "message_chs": err.message_chs}
        job.end_ts = job.task_ts = self.ctx.now
        if error:
            job.status, job.error = "failed", error
        else:
            job.status = "success"
            job.result_blob = self.ctx.blobs.put(
                json.dumps(self.result(job, file), ensure_ascii=False, indent=2).encode("utf-8")
            )
        # "是否在计算成功后通知调用方": after success; after a failure too only when the setting asks for it
        told = job.status == "success" or self.ctx.runtime.settings.sigma_notify_on_failure
        if job.notify == "1" and job.notify_url and told:
            self.ctx.callback(job.notify_url, self.notify_body(job))

    def result(self, job: SigmaJob, file: SigmaFile) -> dict:
        h = file.headers
        rng = self.ctx.rng("result", file.md5, job.job_type)
        findings = results.detect(rng, h["Rows"], h["Columns"], self.ctx.blobs.get(file.blob))
        return {
            "job_id": job.job_id,
            "job_type": job.job_type,
            "model_version": results.MODEL_VERSION,
            "account_name": job.account,
            "patient_id": job.patient_id,
            "study_id": job.study_id,
            "series_id": job.series_id,
            "image": {
                "filename": file.filename,
                "sop_instance_uid": h["SOPInstanceUID"],
                "rows": h["Rows"],
                "columns": h["Columns"],
            },
            "abnormal": bool(findings),
            "findings": findings,
            "end_ts": job.end_ts,
        }

    @staticmethod
    def notify_body(job: SigmaJob) -> dict:
        body = {
            "job_id": job.job_id,
            "status": job.status,
            "job_type": job.job_type,
            "account_name": job.account,
            "user_name": job.user,
            "study_id": job.study_id,
            "series_id": job.series_id,
            "patient_id": job.patient_id,
            "start_ts": job.start_ts,
            "end_ts": job.end_ts,
            "result_file": f"{job.series_id}.json" if job.status == "success" else "",
            "notify_info": job.notify_info if job.notify_info is not None else {},
        }
        if job.error:
            body["error"] = job.error
        return body
