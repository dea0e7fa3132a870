"""The provider states the mock knows, per vendor: each runs the vendor's documented calls (and the virtual clock)
in the state's namespace. docs/pact.md lists them; an unknown state is answered with this list."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import uuid
from importlib import import_module
from typing import Any

from mockservers.pact.states import Caller, State, StateFailed

SIGMA_USER = {"account": "sigma", "user": "test", "password": "123456"}
# the documents' own example values: sigma's NewJob, cad4tb's patient; aliyun's study is "xxx" under oss://demo-bucket/demo
SIGMA_SERIES = {"study": "11111.11111.11111", "series": "222.222.222", "patient": "622747"}
CAD4TB_SCOPE = {"Project": "some-project", "Archive": "some-archive"}
CAD4TB_OWNER = {"X-USERNAME": "some-username", "X-PASSWORD": "some-password"}
CAD4TB_SERIES = {"patient": "12345", "study": "1.2.3.4.5", "series": "1.2.3.4.5.6"}
ALIYUN_TOKEN = {"tokenId": "demo", "namespace": "demo"}
ALIYUN_STUDY = {"study": "xxx", "key": "demo", "studyType": 4, "bucket": "demo-bucket"}
CT_SEEDS = tuple(range(7, 27))  # the CT series a CT study state tries, in turn (seed 7 first: the fixtures')
OSS_KEY = {"accessKeyId": "mock-access-key-id", "accessKeySecret": "mock-access-key-secret", "securityToken": ""}


def _dx(**overrides: Any) -> bytes:
    from mockservers.dicom.synthetic import dx_file

    return dx_file(0, 0, **overrides)


# ---- sigma -------------------------------------------------------------------------------------------------------


def sigma_login(c: Caller, v: dict[str, Any]) -> dict[str, Any]:
    password = base64.urlsafe_b64encode(str(v["password"]).encode()).decode()
    query = {"account_name": v["account"], "user_name": v["user"], "password": password}
    try:
        body = c.call("GET", "/sigma/login", "logging in", query_string=query)
    except StateFailed:
        raise StateFailed(
            f"sigma has no user {v['user']!r} with that password in account {v['account']!r} "
            "(users come from the server's configuration: vendor_config.sigma.accounts)"
        ) from None
    return {"token": body["data"]["user_info"]["token"], "account_name": v["account"], "user_name": v["user"]}


def sigma_open_upload(c: Caller, v: dict[str, Any]) -> dict[str, Any]:
    out = sigma_login(c, v)
    body = c.call(
        "POST",
        f"/sigma/accounts/{v['account']}/store/uploads/{v['series']}/",
        "opening an upload",
        headers={"Sigma-Token": out["token"]},
        data=json.dumps({"quantity": 1, "converted": "1", "overwrite": "1"}),
    )
    return {**out, "upload_id": body["data"]["upload_id"], "series_id": v["series"]}


def sigma_upload(c: Caller, v: dict[str, Any]) -> dict[str, Any]:
    out = sigma_open_upload(c, v)
    data = _dx(StudyInstanceUID=v["study"], SeriesInstanceUID=v["series"], PatientID=v["patient"])
    filename = f"{v['series']}.dcm"
    c.call(
        "PUT",
        f"/sigma/accounts/{v['account']}/store/uploads/{filename}/",
        "uploading the series",
        headers={"Sigma-Token": out["token"], "Content-MD5": hashlib.md5(data).hexdigest()},
        query_string={"upload_id": out["upload_id"]},
        data=data,
    )
    return {**out, "study_id": v["study"], "patient_id": v["patient"], "filename": filename}


def sigma_job(c: Caller, v: dict[str, Any]) -> dict[str, Any]:
    out = sigma_upload(c, v)
    body = {
        "account_name": v["account"],
        "user_name": v["user"],
        "study_id": v["study"],
        "series_id": v["series"],
        "patient_id": v["patient"],
        "format": "dcm",
        "filename": out["filename"],
        "job_type": "lung_dr_detection",
        "priority": "2",
        "type": "file",
    }
    answer = c.call(
        "POST",
        f"/sigma/accounts/{v['account']}/jobs/",
        "creating the job",
        headers={"Sigma-Token": out["token"]},
        data=json.dumps(body),
    )
    return {**out, "job_id": answer["data"]["job_id"]}


def sigma_finished_job(c: Caller, v: dict[str, Any]) -> dict[str, Any]:
    out = sigma_job(c, v)
    c.advance(600)
    return out


# ---- aliyun ------------------------------------------------------------------------------------------------------


def _aliyun_files(study_type: int, ct_seed: int) -> dict[str, bytes]:
    from mockservers.dicom.synthetic import dx_file

    if study_type == 1:  # a CT series of 4 slices
        first = dx_file(ct_seed, 0, Modality="CT")
        from pydicom import dcmread

        ds = dcmread(io.BytesIO(first))
        return {
            f"{i}.dcm": dx_file(
                ct_seed,
                i,
                Modality="CT",
                StudyInstanceUID=ds.StudyInstanceUID,
                SeriesInstanceUID=ds.SeriesInstanceUID,
                SliceThickness=1.25,
                ImagePositionPatient=[-150.0, -150.0, -100.0 + 1.25 * i],
            )
            for i in range(4)
        }
    if study_type == 3:
        return {"od.dcm": dx_file(0, 0, Modality="OP", ImageLaterality="R")}
    return {"knee.dcm": dx_file(0, 2)}


def aliyun_stored(c: Caller, v: dict[str, Any]) -> dict[str, Any]:
    # imported by name: mypy, checking this package, would otherwise check the OSS store too, which is not in its list
    oss_store = import_module("mockservers.aliyun.oss.store").OssStore

    study_type = int(v["studyType"])
    if study_type not in (1, 2, 3, 4):
        raise StateFailed(f"studyType must be 1, 2, 3 or 4, not {v['studyType']!r}")
    with c.runtime.store.transaction() as db:
        store = oss_store(c.runtime.context(db, "aliyun"))
        for name, data in _aliyun_files(study_type, int(v.get("ct_seed", CT_SEEDS[0]))).items():
            store.put(v["bucket"], f"{v['key']}/{name}", data)
    return {"studyInstanceUid": v["study"], "studyType": study_type, "key": v["key"], "bucketName": v["bucket"]}


def aliyun_running(c: Caller, v: dict[str, Any]) -> dict[str, Any]:
    out = aliyun_stored(c, v)
    body = {
        "studyInstanceUid": v["study"],
        "studyType": out["studyType"],
        **OSS_KEY,
        "endpoint": "http://127.0.0.1:8080",
        "bucketName": v["bucket"],
        "key": v["key"],
        "forceAnalysis": True,
    }
    c.call("POST", "/aliyun/dicom/api/executeAnalysis", "starting the analysis", headers=ALIYUN_TOKEN, json=body)
    return out


def aliyun_finished(c: Caller, v: dict[str, Any]) -> dict[str, Any]:
    """For a CT study (studyType 1) also the nodules' indexIds, as index_0, index_1...: a feedback names them. The
    fake detector's findings follow the namespace's seed, so with `nodules: N` the state tries CT series until the
    detector finds at least N."""
    wanted = int(v.get("nodules") or 0)
    for ct_seed in CT_SEEDS if wanted else CT_SEEDS[:1]:
        out = aliyun_running(c, {**v, "ct_seed": ct_seed})
        c.advance(60)
        if out["studyType"] != 1:
            return out
        query = {"studyInstanceUid": v["study"], "studyType": 1}
        result = c.call(
            "GET", "/aliyun/dicom/api/getAnalysisResult", "reading the result", headers=ALIYUN_TOKEN, query_string=query
        )
        nodules = result["data"]["imageDataList"]
        if len(nodules) >= wanted:
            return {**out, **{f"index_{n}": nodule["indexId"] for n, nodule in enumerate(nodules)}}
    raise StateFailed(f"no CT series of the {len(CT_SEEDS)} tried shows {wanted} nodules in this namespace")


# ---- cad4tb ------------------------------------------------------------------------------------------------------


def cad4tb_uploaded(c: Caller, v: dict[str, Any]) -> dict[str, Any]:
    data = _dx(
        PatientID=v["patient"],
        PatientName="Anonymous",
        PatientSex="M",
        PatientBirthDate="19000101",
        StudyInstanceUID=v["study"],
        SeriesInstanceUID=v["series"],
        StudyDate="20130305",
        StudyTime="142205",
        SeriesDate="20130305",
        SeriesTime="142205",
    )
    form = {**CAD4TB_SCOPE, "file": (io.BytesIO(data), "image.dcm")}
    c.call("POST", "/cad4tb/api/v1/instance/upload/", "uploading the series", headers=CAD4TB_OWNER, data=form)
    return {"PatientID": v["patient"], "StudyInstanceUID": v["study"], "SeriesInstanceUID": v["series"]}


def cad4tb_finished(c: Caller, v: dict[str, Any]) -> dict[str, Any]:
    out = cad4tb_uploaded(c, v)
    c.advance(5)
    return out


def cad4tb_reported(c: Caller, v: dict[str, Any]) -> dict[str, Any]:
    out = cad4tb_finished(c, v)
    body = {
        **CAD4TB_SCOPE,
        **out,
        "FormName": v["form"],
        "FormSubmission": json.dumps({"tb_suspected": True, "conclusion": "normal"}),
    }
    c.call(
        "POST", "/cad4tb/api/v1/patient/study/series/forms/add/", "adding the report", headers=CAD4TB_OWNER, json=body
    )
    return out


# ---- the DICOMweb vendors ----------------------------------------------------------------------------------------

STOW_PATHS = {"msdicom": "/msdicom/v1/studies", "sphere": "/sphere/stowrs/studies"}


def _stored_study(vendor: str):
    def setup(c: Caller, v: dict[str, Any]) -> dict[str, Any]:
        from pydicom import dcmread

        data = _dx(StudyInstanceUID=v["study"])
        ds = dcmread(io.BytesIO(data))
        boundary = uuid.UUID(int=0).hex
        body = (
            f"--{boundary}\r\nContent-Type: application/dicom\r\n\r\n".encode()
            + data
            + f"\r\n--{boundary}--\r\n".encode()
        )
        content_type = f'multipart/related; type="application/dicom"; boundary={boundary}'
        c.call("POST", STOW_PATHS[vendor], "storing the study", headers={"Content-Type": content_type}, data=body)
        return {
            "StudyInstanceUID": ds.StudyInstanceUID,
            "SeriesInstanceUID": ds.SeriesInstanceUID,
            "SOPInstanceUID": ds.SOPInstanceUID,
        }

    return setup


# ---- any vendor --------------------------------------------------------------------------------------------------


def scenario(c: Caller, v: dict[str, Any]) -> dict[str, Any]:
    c.call("POST", f"/__admin/scenarios/{v['name']}", f"loading scenario {v['name']!r}")
    return {}


CATALOG: list[State] = [
    State(
        None, "", "nothing (pact's setup of an interaction without a state): the vendors' seed data", lambda c, v: {}
    ),
    State(None, "scenario {name}", "fixtures/scenarios/NAME loaded, as POST /__admin/scenarios/NAME", scenario),
    State(
        "sigma",
        "user {user} exists in account {account}",
        "logged in (param password, default 123456); gives token",
        sigma_login,
        {"password": "123456"},
    ),
    State(
        "sigma",
        "an upload is open for series {series}",
        "user test of account sigma logged in, an upload opened; gives token, upload_id",
        sigma_open_upload,
        {**SIGMA_USER, **SIGMA_SERIES},
    ),
    State(
        "sigma",
        "series {series} is uploaded",
        "a radiograph uploaded (params study, patient); gives token, filename, study_id, patient_id",
        sigma_upload,
        {**SIGMA_USER, **SIGMA_SERIES},
    ),
    State(
        "sigma",
        "a running job for series {series}",
        "uploaded, a lung_dr_detection job created; gives token, job_id",
        sigma_job,
        {**SIGMA_USER, **SIGMA_SERIES},
    ),
    State(
        "sigma",
        "a finished job for series {series}",
        "uploaded, the job created and finished (the clock moved 600 s); gives token, job_id",
        sigma_finished_job,
        {**SIGMA_USER, **SIGMA_SERIES},
    ),
    State(
        "aliyun",
        "study {study} is stored in OSS",
        "DICOM under oss://demo-bucket/KEY/ (params key, default demo; studyType 1-4 picks CT, chest, fundus, knee)",
        aliyun_stored,
        ALIYUN_STUDY,
    ),
    State(
        "aliyun",
        "a running analysis for study {study}",
        "stored, executeAnalysis called (params key, studyType)",
        aliyun_running,
        ALIYUN_STUDY,
    ),
    State(
        "aliyun",
        "a finished analysis for study {study}",
        "stored, analysed and finished (the clock moved 60 s; params key, studyType, nodules: at least that many)",
        aliyun_finished,
        ALIYUN_STUDY,
    ),
    State(
        "cad4tb",
        "series {series} is uploaded",
        "a radiograph uploaded by some-username to some-project/some-archive (params patient, study)",
        cad4tb_uploaded,
        CAD4TB_SERIES,
    ),
    State(
        "cad4tb",
        "a finished analysis for series {series}",
        "uploaded and scored (the clock moved 5 s; params patient, study)",
        cad4tb_finished,
        CAD4TB_SERIES,
    ),
    State(
        "cad4tb",
        "a report on series {series}",
        "scored, and the form 'TB report' added (params patient, study, form)",
        cad4tb_reported,
        {**CAD4TB_SERIES, "form": "TB report"},
    ),
    *(
        State(
            key, "a stored study with UID {study}", "one radiograph of that study stored (STOW-RS)", _stored_study(key)
        )
        for key in STOW_PATHS
    ),
]
