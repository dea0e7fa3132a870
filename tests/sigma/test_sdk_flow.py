"""The vendor SDK's whole run, request by request as it sends them (specs README): a Login with no headers, JSON
bodies without a Content-Type and with ints, the PUT named by the whole local (Unix) path and repeated until
`'store_id' in ret.keys()`, then a job on `<series_id>.nii`; once with the token, once signed with the access key
(no Content-MD5 on the PUT)."""

import hashlib
import json
from email.utils import formatdate
from urllib.parse import urlencode

import pytest

from mockservers.dicom.synthetic import dx_dataset, to_part10
from tests.sigma.conftest import PASSWORD_B64
from tests.sigma.test_auth import signature

FOLDER = "/home/12sigma/1961551"


class SDK:
    def __init__(self, client, signed):
        self.c = client
        login = client.get(
            "/sigma/login",
            query_string={"account_name": "sigma", "user_name": "test", "password": PASSWORD_B64, "force_new": "False"},
        )
        self.info = login.json["data"]["user_info"]
        self.signed = signed

    def call(self, method, path, query=None, data=None, **headers):
        raw_query = urlencode(query or {})
        if self.signed:
            headers["Date"] = formatdate(usegmt=True)
            sig = signature(self.info["secret_key"], method, path, raw_query, headers)
            headers["Authorization"] = f"12Sigma {self.info['access_key']}:{sig}"
        else:
            headers["Sigma-Token"] = self.info["token"]
        url = f"{path}?{raw_query}" if raw_query else path
        return self.c.open(url, method=method, data=data, headers=headers).json

    def upload(self, series_id, files):
        body = {"groupname": series_id, "quantity": len(files), "converted": 1, "overwrite": 1, "dirname": FOLDER}
        ret = self.call("POST", f"/sigma/accounts/sigma/store/uploads/{series_id}/", data=json.dumps(body))
        upload_id = ret["data"]["upload_id"]
        answers = []
        for local_path, data in files:
            md5 = {} if self.signed else {"Content-MD5": hashlib.md5(data).hexdigest()}
            path = f"/sigma/accounts/sigma/store/uploads/{local_path}/"
            ret = self.call("PUT", path, {"upload_id": upload_id}, data, **md5)
            answers.append(ret)
            if "store_id" in ret:  # the SDK's own test: 'store_id' in ret.keys()
                break
        return answers


@pytest.mark.parametrize("signed", [False, True], ids=["token", "signed"])
def test_the_sdk_uploads_a_series_and_runs_a_job_on_it(client, signed):
    first = dx_dataset(seed=0, index=51)
    second = dx_dataset(
        seed=0, index=52, SeriesInstanceUID=first.SeriesInstanceUID, StudyInstanceUID=first.StudyInstanceUID
    )
    sdk = SDK(client, signed)
    files = [(f"{FOLDER}/{ds.SOPInstanceUID}.dcm", to_part10(ds)) for ds in (first, second)]
    answers = sdk.upload(first.SeriesInstanceUID, files)
    assert [a["error"]["code"] for a in answers] == ["", ""]
    assert [a["message"] for a in answers] == [f"Upload {name} succeed" for name, _ in files]
    assert "store_id" not in answers[0] and len(answers[1]["store_id"]) == 24

    series = first.SeriesInstanceUID
    body = {
        "account_name": "sigma",
        "user_name": "test",
        "study_id": first.StudyInstanceUID,
        "series_id": series,
        "patient_id": "",
        "format": "nii",
        "filename": f"{series}.nii",
        "job_type": "lung_dr_detection",
        "priority": 2,
        "type": "file",
    }
    job = sdk.call("POST", "/sigma/accounts/sigma/jobs/", data=json.dumps(body))
    assert job["error"]["code"] == "", job
    job_id = job["data"]["job_id"]
    assert client.post("/__admin/clock/advance", json={"seconds": 60}).status_code == 200
    assert sdk.call("GET", f"/sigma/accounts/sigma/jobs/{job_id}/")["data"]["status"] == "success"
    result = client.get(
        "/sigma/accounts/sigma/store/downloads/",
        query_string={"filename": f"{series}.json"},
        headers={"Sigma-Token": sdk.info["token"]},
    ).json
    assert result["job_id"] == job_id and result["image"]["filename"] == f"{first.SOPInstanceUID}.dcm"
