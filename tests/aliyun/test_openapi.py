"""The OpenAPI document of the platform: served, printed, and true of every answer the mock really gives."""

import json
import re

import pytest
from openapi_spec_validator import validate

from mockservers.aliyun.vendor import AliyunVendor
from mockservers.dicom.synthetic import dx_file
from tests.aliyun.conftest import TOKEN, ct_slices, fundus_file, picture

OPERATIONS = {(op.method, op.path): op for op in AliyunVendor().operations()}


def conforms(response, method, path):
    """The answer's status is declared for the operation and its body loads with the declared schema."""
    op = OPERATIONS[(method, path.removeprefix("/aliyun").split("?")[0])]
    assert response.status_code in op.responses, (response.status_code, response.json)
    assert response.mimetype == "application/json"
    errors = op.responses[response.status_code].schema().validate(response.json)
    assert errors == {}, (response.json, errors)
    return response.json


def test_served_document_and_page(client):
    document = client.get("/aliyun/openapi.json").json
    validate(document)
    assert document["servers"][0]["url"].endswith("/aliyun")
    assert set(document["paths"]) == {
        "/dicom/api/executeAnalysis",
        "/dicom/api/getAnalysisResult",
        "/dicom/api/submitAnalysisFeedback",
        "/oa/analysis",
        "/sts/token",
    }
    names = {p["name"] for p in document["paths"]["/dicom/api/getAnalysisResult"]["get"]["parameters"]}
    assert names == {"tokenId", "namespace", "studyInstanceUid", "studyType"}
    page = client.get("/aliyun/docs")
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert not re.search(r"(src|href)=\"https?://", page.get_data(as_text=True))


def test_cli_prints_the_document(capsys):
    from mockservers.cli import main

    assert main(["openapi", "aliyun"]) == 0
    document = json.loads(capsys.readouterr().out)
    validate(document)
    result = document["components"]["schemas"]["ResultData"]
    assert list(result["properties"]) == [
        "studyInstanceUid",
        "studyType",
        "boxes",
        "ocularDataList",
        "xRayDataList",
        "imageDataList",
    ]
    assert set(document["components"]["schemas"]["ErrorEnvelope"]["properties"]) == {
        "returnCode",
        "returnMessage",
        "solution",
        "requestId",
        "data",
        "success",
    }, "not another vendor's envelope"


@pytest.mark.parametrize(
    "study_type, files",
    [
        (1, {f"{i}.dcm": s for i, s in enumerate(ct_slices(3))}),
        (2, {"pa.dcm": dx_file(0, 1), "lat.png": picture()}),
        (3, {"eye.dcm": fundus_file("R")}),
        (4, {"knee.dcm": dx_file(0, 2)}),
    ],
)
def test_results_of_every_study_type_conform(aliyun, study_type, files):
    for name, data in files.items():
        aliyun.put_object(f"s/{name}", data)
    conforms(aliyun.execute(study_type=study_type, key="s"), "POST", "/dicom/api/executeAnalysis")
    not_ready = conforms(aliyun.result(study_type=study_type), "GET", "/dicom/api/getAnalysisResult")
    assert not_ready["returnCode"] == "100007" and not_ready["data"] is None
    aliyun.advance(3)
    data = conforms(aliyun.result(study_type=study_type), "GET", "/dicom/api/getAnalysisResult")["data"]
    if study_type < 4:
        own = {1: "imageDataList", 2: "xRayDataList", 3: "ocularDataList"}[study_type]
        items = data[own]
        if items:
            body = {
                "studyInstanceUid": "1.2.3",
                "studyType": study_type,
                "data": [{"indexId": items[0]["indexId"], "credibility": "N"}],
            }
            conforms(aliyun.feedback(body), "POST", "/dicom/api/submitAnalysisFeedback")
            data = conforms(aliyun.result(study_type=study_type), "GET", "/dicom/api/getAnalysisResult")["data"]
            assert data[own][0].get("credibility", "N") == "N"  # only imageDataList items have the key


def test_failures_conform(aliyun):
    aliyun.put_object("bad/x.txt", b"not an image")
    conforms(aliyun.execute(key="bad"), "POST", "/dicom/api/executeAnalysis")
    aliyun.advance(3)
    failed = conforms(aliyun.result(), "GET", "/dicom/api/getAnalysisResult")
    assert failed["returnCode"] == "100010" and failed["data"] is None
    feedback = {"studyInstanceUid": "1.2.3", "studyType": 1, "data": [{"indexId": "x", "credibility": "Y"}]}
    assert conforms(aliyun.feedback(feedback), "POST", "/dicom/api/submitAnalysisFeedback")["returnCode"] == "100008"
    assert conforms(aliyun.execute(key="bad"), "POST", "/dicom/api/executeAnalysis")["returnCode"] == "100009"
    assert conforms(aliyun.execute(key="none"), "POST", "/dicom/api/executeAnalysis")["returnCode"] == "100005"
    assert conforms(aliyun.execute(headers={}), "POST", "/dicom/api/executeAnalysis")["returnCode"] == "100002"
    assert (
        conforms(aliyun.execute(accessKeySecret="wrong"), "POST", "/dicom/api/executeAnalysis")["returnCode"]
        == "100006"
    )
    assert conforms(aliyun.result(study="nothing"), "GET", "/dicom/api/getAnalysisResult")["returnCode"] == "100008"


def test_oa_and_sts_conform(aliyun):
    aliyun.put_object("knee.png", picture())
    assert conforms(aliyun.oa(aliyun.oa_body()), "POST", "/oa/analysis") == {
        "returnCode": "000000",
        "returnMessage": "OK",
    }
    assert conforms(aliyun.oa(aliyun.oa_body(namespace="other")), "POST", "/oa/analysis")["returnCode"] == "100003"
    assert conforms(aliyun.oa(aliyun.oa_body(analysis="KL")), "POST", "/oa/analysis")["returnCode"] == "100004"
    sts = {"accessKeyId": "mock-access-key-id", "accessKeySecret": "mock-access-key-secret"}
    data = conforms(aliyun.c.post("/aliyun/sts/token", json=sts), "POST", "/sts/token")["data"]
    assert data["AccessKeyId"].startswith("STS.")
    refused = conforms(aliyun.c.post("/aliyun/sts/token", json={**sts, "accessKeySecret": "no"}), "POST", "/sts/token")
    assert refused["returnCode"] == "100006"


def test_every_catalog_code_is_in_the_ledger():
    from mockservers.aliyun.errors import CATALOG, OK
    from mockservers.aliyun.vendor import AliyunVendor

    assert set(AliyunVendor().error_sources()) == {OK, *CATALOG}


@pytest.mark.parametrize(
    "field, value",
    [
        ("studyInstanceUid", "1.2\u0000.3"),
        ("studyInstanceUid", "\ud800"),
        ("key", "studies/\u0000"),
        ("statusNotifyCallBackUrl", "http://a/\u0000"),
        ("endpoint", "http://a/" + "x" * 3000),
    ],
)
def test_text_no_database_can_store_is_a_parameter_error(aliyun, field, value):
    response = aliyun.c.post(
        "/aliyun/dicom/api/executeAnalysis",
        headers=TOKEN,
        data=json.dumps({**aliyun.body(), field: value}),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json["returnCode"] == "100004" and response.json["returnMessage"] == f"参数错误: {field}"
    assert aliyun.result().json["returnCode"] == "100008", "nothing was stored"
