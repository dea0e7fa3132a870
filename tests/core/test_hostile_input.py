"""Bodies and numbers no well-behaved client sends: each gets the vendor's own 4xx, never a 500, and changes
nothing."""

import pytest

from mockservers.sigma.errors import CATALOG as SIGMA_CATALOG
from tests.sigma.conftest import Sigma
from tests.sigma.conftest import assert_error as assert_sigma_error

DEEP_ARRAY = "[" * 100_000 + "]" * 100_000
DEEP_OBJECT = '{"a":' * 100_000 + "1" + "}" * 100_000
JUST_TOO_DEEP = "[" * 101 + "]" * 101  # decodes, but deeper than the server takes
BEYOND_64_BITS = "99999999999999999999"
ALIYUN = {"tokenId": "demo", "namespace": "demo", "Content-Type": "application/json"}
CAD4TB = {"X-USERNAME": "some-username", "X-PASSWORD": "some-password", "Content-Type": "application/json"}


def state(client) -> dict:
    """Every table but the journal (which records the refused request itself)."""
    tables = client.get("/__admin/export").json["tables"]
    tables.pop("core_journal")
    return tables


@pytest.fixture
def sigma(client):
    s = Sigma(client)
    s.login()
    return s


@pytest.mark.parametrize("body", [DEEP_ARRAY, DEEP_OBJECT, JUST_TOO_DEEP])
@pytest.mark.parametrize("path", ["/sigma/accounts/sigma/store/uploads/1.2.3/", "/sigma/accounts/sigma/jobs/"])
def test_sigma_refuses_deep_json_as_an_invalid_body(client, sigma, path, body):
    before = state(client)
    response = client.post(path, data=body, headers=sigma.headers)
    assert_sigma_error(
        response,
        400,
        "InvalidParameter",
        "Invalid input, the input body is invalid!",
        "输入错误，输入的请求数据（body）参数非法!",
    )
    assert response.headers["X-Mock-Explain"] == "body: nested deeper than 100 levels"
    assert state(client) == before


@pytest.mark.parametrize("body", [DEEP_ARRAY, DEEP_OBJECT])
@pytest.mark.parametrize(
    "path", ["/aliyun/dicom/api/executeAnalysis", "/aliyun/dicom/api/submitAnalysisFeedback", "/aliyun/sts/token"]
)
def test_aliyun_refuses_deep_json_as_a_bad_parameter(client, path, body):
    before = state(client)
    response = client.post(path, data=body, headers=ALIYUN)
    assert response.status_code == 400
    assert {k: response.json[k] for k in ("returnCode", "returnMessage", "data", "success")} == {
        "returnCode": "100004",
        "returnMessage": "参数错误: body",
        "data": False,
        "success": False,
    }
    assert response.headers["X-Mock-Explain"] == "body: nested deeper than 100 levels"
    assert state(client) == before


def test_aliyun_oa_trigger_refuses_deep_json_in_its_short_body(client):
    response = client.post("/aliyun/oa/analysis", data=DEEP_OBJECT, headers=ALIYUN)
    assert response.status_code == 400
    assert response.json == {"returnCode": "100004", "returnMessage": "参数错误: body"}


@pytest.mark.parametrize("body", [DEEP_ARRAY, DEEP_OBJECT])
def test_cad4tb_forms_add_refuses_deep_json_as_an_invalid_value(client, body):
    before = state(client)
    response = client.post("/cad4tb/api/v1/patient/study/series/forms/add/", data=body, headers=CAD4TB)
    assert response.status_code == 400
    assert response.json == {
        "status": "Error",
        "error": "invalid_post_value",
        "suberror": None,
        "message": "Invalid value submitted",
    }
    assert response.headers["X-Mock-Explain"] == "body: nested deeper than 100 levels"
    assert state(client) == before


@pytest.mark.parametrize("path", ["/__admin/faults", "/__admin/snapshots"])
@pytest.mark.parametrize("body", [DEEP_ARRAY, DEEP_OBJECT])
def test_admin_refuses_deep_json(client, path, body):
    before = state(client)
    response = client.post(path, data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.json == {"error": "body: nested deeper than 100 levels"}
    assert state(client) == before
    assert client.get("/__admin/snapshots").json["snapshots"] == []
    assert client.get("/__admin/faults").json["faults"] == []


@pytest.mark.parametrize("label", ['"\\ud800"', '"a\\udfffb"', '"\\ud800\\ud800"'])
def test_a_lone_surrogate_in_a_snapshot_label_is_refused(client, label):
    response = client.post("/__admin/snapshots", data=f'{{"label": {label}}}', content_type="application/json")
    assert response.status_code == 400
    assert response.json == {"error": "body: a string holds a lone surrogate (\\ud800-\\udfff unpaired)"}
    assert client.get("/__admin/snapshots").json["snapshots"] == []


def test_a_surrogate_pair_is_a_character_like_any_other(client):
    response = client.post("/__admin/snapshots", data='{"label": "x\\ud83d\\ude00"}', content_type="application/json")
    assert response.status_code == 201 and response.json["label"] == "x\U0001f600"


@pytest.mark.parametrize("body", ['{"times": NaN}', '{"times": Infinity}', '{"times": -Infinity}'])
def test_nan_and_infinity_are_not_json(client, body):
    response = client.post("/__admin/faults", data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.json == {"error": "body: NaN and Infinity are not JSON numbers"}


@pytest.mark.parametrize(
    "face, path",
    [("msdicom", "/msdicom/v1/studies"), ("msdicom", "/msdicom/v2/series"), ("sphere", "/sphere/qidors/studies")],
)
def test_qido_offset_beyond_the_databases_integers_is_a_bad_request(client, face, path):
    response = client.get(path, query_string={"offset": BEYOND_64_BITS}, headers={"Accept": "application/dicom+json"})
    assert response.status_code == 400
    message = f"The value '{BEYOND_64_BITS}' of the query parameter 'offset' must not exceed 2147483647."
    if face == "msdicom":
        assert response.get_data(as_text=True) == message
    else:
        assert response.json == {"detail": message}


def test_sphere_limit_beyond_the_databases_integers_is_a_bad_request(client):
    response = client.get("/sphere/qidors/studies", query_string={"limit": BEYOND_64_BITS})
    assert response.status_code == 400
    assert response.json == {
        "detail": f"The value '{BEYOND_64_BITS}' of the query parameter 'limit' must not exceed 2147483647."
    }


@pytest.mark.parametrize("name", ["limit", "status"])
def test_admin_journal_filters_beyond_the_databases_integers(client, name):
    response = client.get("/__admin/requests", query_string={name: BEYOND_64_BITS})
    assert response.status_code == 400
    assert response.json == {"error": "'status' and 'limit' must be whole numbers up to 2147483647"}


@pytest.mark.parametrize("number", [BEYOND_64_BITS, "2147483648"])
def test_admin_ids_beyond_the_databases_integers_are_not_found(client, number):
    response = client.delete(f"/__admin/faults/{number}")
    assert response.status_code == 404 and response.json == {"error": f"no fault rule {number}"}
    response = client.post(f"/__admin/snapshots/{number}/restore")
    assert response.status_code == 404 and response.json == {"error": f"no snapshot {number}"}


@pytest.mark.parametrize(
    "path, status, body",
    [
        (
            "/__admin/requests?limit=\u00b2",
            400,
            "{\"error\":\"'status' and 'limit' must be whole numbers up to 2147483647\"}\n",
        ),
        (
            "/msdicom/v2/studies/1.2/series/1.2/instances/1.2/frames/\u00b2",
            400,
            "The frame list '\u00b2' is invalid: frames are numbered from 1.",
        ),
        (
            "/msdicom/v2/studies/1.2/series/1.2/instances/1.2/rendered?quality=\u00b2",
            400,
            "The quality '\u00b2' is invalid: it must be between 1 and 100.",
        ),
    ],
)
def test_digits_int_cannot_read_are_not_numbers(client, path, status, body):
    """'\u00b2' (superscript two) is a digit to str.isdigit(), not to int()."""
    response = client.get(path, headers={"Accept": "image/jpeg" if "rendered" in path else "*/*"})
    assert response.status_code == status
    assert response.get_data(as_text=True) == body


def test_an_oss_expiry_int_cannot_read_is_an_expired_request(client):
    response = client.get(
        "/demo-bucket/x.dcm",
        query_string={"OSSAccessKeyId": "mock-access-key-id", "Expires": "\u00b2", "Signature": "x"},
    )
    assert response.status_code == 403
    assert "<Code>AccessDenied</Code>" in response.get_data(as_text=True)
    assert "<Message>Request has expired.</Message>" in response.get_data(as_text=True)


def test_an_unexpected_admin_failure_names_no_exception(client, monkeypatch):
    from mockservers.core import snapshots

    def explode(*_args):
        raise RuntimeError("kaboom-7421")

    monkeypatch.setattr(snapshots, "listing", explode)
    if hasattr(client, "base_url"):
        pytest.skip("the failure is injected in-process")
    response = client.get("/__admin/snapshots")
    assert response.status_code == 500
    assert response.json == {"error": "internal error: see the server's log"}


def test_an_unexpected_vendor_failure_names_no_exception(client, sigma, monkeypatch):
    from mockservers.sigma import backend

    def explode(*_args):
        raise RuntimeError("kaboom-7421")

    monkeypatch.setattr(backend.SigmaBackend, "list_jobs", explode)
    if hasattr(client, "base_url"):
        pytest.skip("the failure is injected in-process")
    response = client.get("/sigma/accounts/sigma/jobs/list/?unique_id=1", headers=sigma.headers)
    assert_sigma_error(response, 500, "InternalServerError", SIGMA_CATALOG["InternalServerError"][1])
    assert "RuntimeError" not in response.get_data(as_text=True) and "kaboom" not in response.get_data(as_text=True)
    explained = response.headers.get("X-Mock-Explain", "") + str(client.get("/__admin/requests").json)
    assert "RuntimeError" not in explained and "kaboom" not in explained
