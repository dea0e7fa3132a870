"""Replays every documented aliyun example in fixtures/contracts/aliyun/ (the callbacks included) against the mock."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from mockservers.dicom.synthetic import dx_file
from tests.aliyun.conftest import OSS_KEY, TOKEN, Aliyun, ct_slices, fundus_file
from tests.contracts.matching import mismatches, substitute

CONTRACTS = Path(__file__).resolve().parents[2] / "fixtures" / "contracts" / "aliyun"
CASES = [
    (path.name, case)
    for path in sorted(CONTRACTS.glob("*.yaml"))
    for case in yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]
]


class Given(Aliyun):
    """The steps a contract names in `given`; the document's example study is "xxx" under oss://demo-bucket/demo."""

    def __init__(self, app, receiver):
        super().__init__(app)
        self.vars = {"receiver": receiver}

    def upload_knee(self):
        self.put_object("demo/knee.dcm", dx_file(0, 2))

    def upload_ct(self):
        for i, data in enumerate(ct_slices(4, seed=7)):  # seed 7 finds two nodules in it, as the document shows
            self.put_object(f"demo/ct/{i}.dcm", data)

    def upload_fundus(self):
        self.put_object("demo/eye/od.dcm", fundus_file("R"))

    def _execute(self, study_type, key):
        response = self.execute(self.body(study="xxx", study_type=study_type, key=key))
        assert response.json["returnCode"] == "000000", response.json

    def execute_knee(self):
        self._execute(4, "demo")

    def execute_cxr(self):
        self._execute(2, "demo")

    def execute_ct(self):
        self._execute(1, "demo/ct")

    def execute_fundus(self):
        self._execute(3, "demo/eye")

    def finish(self):
        self.advance(60)

    def index_ids(self):
        nodules = self.result("xxx", 1).json["data"]["imageDataList"]
        for n, nodule in enumerate(nodules):
            self.vars[f"index_{n}"] = nodule["indexId"]


@pytest.mark.parametrize("source, case", CASES, ids=[f"{s}: {c['name']}" for s, c in CASES])
def test_contract(mock_app, httpserver, source, case):
    httpserver.expect_request("/api/taskStatus", method="POST").respond_with_json({"code": 0, "message": "OK"})
    httpserver.expect_request("/oa/result", method="POST").respond_with_json(
        {"returnCode": "000000", "returnMessage": "OK"}
    )
    given = Given(mock_app, httpserver.url_for("").rstrip("/"))
    for step in case["given"]:
        getattr(given, step)()
    req = substitute(case["request"], given.vars)
    response = given.c.open(
        req["path"],
        method=req["method"],
        query_string=req.get("query"),
        headers=req.get("headers", {}),
        data=json.dumps(req["body"], ensure_ascii=False) if "body" in req else None,
        content_type="application/json",
    )
    expected = substitute(case["response"], given.vars)
    assert response.status_code == expected["status"], response.get_data(as_text=True)
    if "body" in expected:
        problems = mismatches(expected["body"], json.loads(response.get_data()))
        assert not problems, "\n".join(problems)
    if "callback" in case:
        given.advance(60)
        [(request, _)] = httpserver.log
        problems = mismatches(substitute(case["callback"]["body"], given.vars), request.get_json(), "callback")
        assert not problems, "\n".join(problems)


def test_every_documented_endpoint_has_a_contract():
    names = {yaml.safe_load(p.read_text(encoding="utf-8"))["endpoint"] for p in CONTRACTS.glob("*.yaml")}
    assert names == {
        "executeAnalysis",
        "statusNotifyCallBackUrl callback",
        "getAnalysisResult",
        "submitAnalysisFeedback",
        "OA trigger and resultCallBackUrl",
    }


def test_contract_credentials_are_the_mock_demo_ones():
    text = "".join(p.read_text(encoding="utf-8") for p in CONTRACTS.glob("*.yaml"))
    assert "LTAI" not in text and OSS_KEY["accessKeyId"] in text and TOKEN["tokenId"] == "demo"
