"""Errors as data: each vendor declares its dialect (catalog, error class, envelope, the codes of bare statuses) and
core/errors.py renders it, the same bytes every vendor answered before; X-Mock-Explain is escaped in one place."""

from __future__ import annotations

import ast
import base64
import re
from pathlib import Path

import pytest

from mockservers.app import create_app
from mockservers.core import errors
from mockservers.vendors import load_vendors
from tests.machinery import test_settings

REQUEST_ID = re.compile(r"[0-9a-f]{24}")
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
NOT_FOUND = (
    "The requested URL was not found on the server. If you entered the URL manually please check your "
    "spelling and try again."
)
TOO_LARGE = "The data value transmitted exceeds the capacity limit."
MIB = 1024 * 1024


def sigma_error(code: str, message: str, message_chs: str) -> dict:
    return {
        "url": "",
        "message": "",
        "message_chs": "",
        "data": {},
        "error": {"message": message, "code": code, "message_chs": message_chs},
    }


def aliyun_error(response, code: str, message: str, data) -> dict:
    request_id = response.json["requestId"]
    assert UUID.fullmatch(request_id), request_id
    return {
        "returnCode": code,
        "returnMessage": message,
        "solution": "",
        "requestId": request_id,
        "data": data,
        "success": False,
    }


def oss_xml(response, code: str, message: str, host: str) -> str:
    request_id = response.headers["x-oss-request-id"]
    assert re.fullmatch(r"[0-9A-F]{24}", request_id), request_id
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<Error>\n  <Code>{code}</Code>\n  <Message>{message}</Message>\n'
        f"  <RequestId>{request_id}</RequestId>\n  <HostId>{host}</HostId>\n</Error>\n"
    )


def fire(client, vendor: str, code: str, path: str) -> None:
    """A fault rule answering the next request on `path` with `code`."""
    client.delete("/__admin/faults")
    rule = client.post("/__admin/faults", json={"vendor": vendor, "path": path, "times": 1, "action": {"error": code}})
    assert rule.status_code == 201, rule.json


# ---- one catalog code per vendor, in its envelope -------------------------------------------------------------


def test_sigma_renders_its_envelope_and_request_id(client):
    fire(client, "sigma", "LoginFailed", "/sigma/*")
    response = client.get("/sigma/anything")
    assert response.status_code == 401 and response.mimetype == "application/json"
    assert response.json == sigma_error(
        "LoginFailed",
        "User login failed, the account name, user name or password is incorrect!",
        "用户登录失败，账户名、用户名或密码错误!",
    )
    assert REQUEST_ID.fullmatch(response.headers["x-sg-request-id"])


@pytest.mark.parametrize("method, data", [("GET", None), ("POST", False)])
def test_aliyun_renders_its_envelope_with_data_by_method(client, method, data):
    fire(client, "aliyun", "100002", "/aliyun/*")
    response = client.open("/aliyun/anything", method=method)
    assert response.status_code == 401
    assert response.json == aliyun_error(response, "100002", "tokenId无效", data)


def test_aliyun_oa_trigger_answers_the_two_documented_keys(client):
    fire(client, "aliyun", "100002", "/aliyun/*")
    response = client.post("/aliyun/oa/analysis")
    assert response.status_code == 401 and response.json == {"returnCode": "100002", "returnMessage": "tokenId无效"}


def test_oss_renders_its_xml_and_a_head_carries_it_in_a_header(client, host_url):
    host = host_url.split("://", 1)[1]
    fire(client, "aliyun", "NoSuchKey", "/demo-bucket/*")
    response = client.get("/demo-bucket/k")
    assert response.status_code == 404 and response.mimetype == "application/xml"
    assert response.get_data(as_text=True) == oss_xml(response, "NoSuchKey", "The specified key does not exist.", host)
    fire(client, "aliyun", "NoSuchKey", "/demo-bucket/*")
    head = client.head("/demo-bucket/k")
    assert head.status_code == 404 and head.get_data() == b""
    assert base64.b64decode(head.headers["x-oss-err"]).decode() == oss_xml(
        head, "NoSuchKey", "The specified key does not exist.", host
    )


def test_an_oss_code_renders_as_oss_even_on_the_platform(client, host_url):
    """An error renders in the dialect of its class: a fault rule naming an OSS code answers XML anywhere."""
    fire(client, "aliyun", "NoSuchKey", "/aliyun/*")
    response = client.get("/aliyun/anything")
    assert response.status_code == 404 and response.mimetype == "application/xml"
    assert response.get_data(as_text=True) == oss_xml(
        response, "NoSuchKey", "The specified key does not exist.", host_url.split("://", 1)[1]
    )


def test_cad4tb_renders_a_suberror_with_its_error_type(client):
    fire(client, "cad4tb", "patient_not_found", "/cad4tb/*")
    response = client.get("/cad4tb/anything")
    assert response.status_code == 404
    assert response.json == {
        "status": "Error",
        "error": "object_not_found",
        "suberror": "patient_not_found",
        "message": "Patient not found",
    }


@pytest.mark.parametrize(
    "vendor, code, status, mimetype, body, headers",
    [
        (
            "msdicom",
            "Conflict",
            409,
            "text/plain",
            "The instance already exists.",
            {"X-Mock-Explain": "The instance already exists."},
        ),
        (
            "sphere",
            "NotAuthenticated",
            401,
            "application/json",
            '{"detail":"Authentication credentials were not provided."}',
            {"WWW-Authenticate": 'Bearer realm="api"'},
        ),
    ],
)
def test_the_dicomweb_faces_render_their_own_bodies(client, vendor, code, status, mimetype, body, headers):
    """msdicom: a plain-text reason; sphere: {"detail": ...} and, on a 401, its challenge."""
    fire(client, vendor, code, f"/{vendor}/*")
    response = client.get(f"/{vendor}/anything")
    assert (response.status_code, response.mimetype) == (status, mimetype)
    assert response.get_data(as_text=True) == body
    assert {name: response.headers.get(name) for name in headers} == headers


# ---- bare statuses: 404, 405, 413 in every vendor's dialect ----------------------------------------------------


@pytest.fixture(scope="module")
def small():
    """A client of an app that takes at most 1 MiB of body."""
    app = create_app(test_settings(max_body_mb=1), start_background=False)
    yield app.test_client()
    app.extensions["mockservers.namespaces"].close()


BIG = b"\0" * (MIB + 1)
BARE = [
    (
        "sigma",
        "GET",
        "/sigma/nothing",
        None,
        404,
        sigma_error("NotFound", "The requested URL was not found on the server!", "请求的URL不存在!"),
    ),
    (
        "sigma",
        "PUT",
        "/sigma/accounts/sigma/jobs/",
        None,
        405,
        sigma_error("MethodNotAllowed", "The method is not allowed for the requested URL!", "请求的URL不支持该方法!"),
    ),
    (
        "sigma",
        "PUT",
        "/sigma/accounts/sigma/store/uploads/x.dcm/?upload_id=1",
        BIG,
        413,
        sigma_error("RequestEntityTooLarge", "The request body is too large!", "请求数据过大!"),
    ),
    ("aliyun", "GET", "/aliyun/nothing", None, 404, ("100011", "接口不存在", None)),
    ("aliyun", "PUT", "/aliyun/oa/analysis", None, 405, {"returnCode": "100012", "returnMessage": "请求方法不支持"}),
    ("aliyun", "POST", "/aliyun/nothing", BIG, 413, ("100004", "参数错误", False)),
    ("oss", "GET", "/demo-bucket//k", None, 400, ("InvalidBucketName", "The specified bucket is not valid.")),
    (
        "oss",
        "PATCH",
        "/demo-bucket/k",
        None,
        405,
        ("MethodNotAllowed", "The specified method is not allowed against this resource."),
    ),
    (
        "oss",
        "PUT",
        "/demo-bucket/k",
        BIG,
        400,
        ("EntityTooLarge", "Your proposed upload exceeds the maximum allowed size."),
    ),
    (
        "cad4tb",
        "GET",
        "/cad4tb/nothing",
        None,
        404,
        {"status": "Error", "error": "object_not_found", "suberror": None, "message": "Unknown API call"},
    ),
    (
        "cad4tb",
        "DELETE",
        "/cad4tb/api/v1/patient/get/",
        None,
        405,
        {"status": "Error", "error": "method_not_allowed", "suberror": None, "message": "Method not allowed"},
    ),
    (
        "cad4tb",
        "POST",
        "/cad4tb/api/v1/series/upload/",
        BIG,
        400,
        {
            "status": "Error",
            "error": "invalid_post_value",
            "suberror": None,
            "message": "The submitted data is too large",
        },
    ),
    ("msdicom", "GET", "/msdicom/nothing", None, 404, "The requested resource cannot be found."),
    ("msdicom", "PATCH", "/msdicom/v2/studies", None, 405, "The requested method is not allowed on this resource."),
    ("msdicom", "POST", "/msdicom/v2/studies", BIG, 413, "The request body is too large."),
    ("sphere", "GET", "/sphere/nothing", None, 404, '{"detail":"Not found."}'),
    ("sphere", "PATCH", "/sphere/qidors/studies", None, 405, '{"detail":"Method not allowed."}'),
    ("sphere", "POST", "/sphere/stowrs/studies", BIG, 413, '{"detail":"Request body too large."}'),
]


@pytest.mark.parametrize(
    "face, method, path, data, status, expected",
    BARE,
    ids=[f"{b[0]}-{b[1]}-{'big' if b[3] else 'empty'}" for b in BARE],
)
def test_bare_statuses_answer_in_the_vendors_dialect(small, face, method, path, data, status, expected):
    response = small.open(path, method=method, data=data)
    assert response.status_code == status
    if face == "aliyun" and isinstance(expected, tuple):
        assert response.json == aliyun_error(response, *expected)
    elif face == "oss":
        assert response.get_data(as_text=True) == oss_xml(response, *expected, "localhost")
    elif isinstance(expected, dict):
        assert response.json == expected
    else:
        assert response.get_data(as_text=True) == expected
    assert response.mimetype != "text/html"
    shown = {
        "GET": NOT_FOUND,
        "PATCH": "The method is not allowed for the requested URL.",
        "PUT": "The method is not allowed for the requested URL.",
        "DELETE": "The method is not allowed for the requested URL.",
    }
    explain = TOO_LARGE if data else shown[method]
    assert response.headers["X-Mock-Explain"] == explain
    if status == 405:
        assert response.headers["Allow"]


# ---- X-Mock-Explain: escaped once, in the core ------------------------------------------------------------------


def test_header_safe_keeps_printable_ascii_and_escapes_the_rest():
    assert errors.header_safe("a\\b 'q' ~") == "a\\b 'q' ~"
    assert errors.header_safe("检 é\r\n\t\x00\x7f😀") == "\\u68c0 \\xe9\\r\\n\\t\\x00\\x7f\\U0001f600"


def test_an_explanation_outside_latin1_is_escaped_once_and_journaled_as_sent(client):
    response = client.get("/msdicom/v2/studies/1.2.%E6%A3%80%0A")
    assert response.status_code == 400
    explained = (
        "DICOM100: StudyInstanceUID '1.2.\\u68c0\\n' is not a valid DICOM UID: it must be at most 64 "
        "characters of digits and dots, each component without a leading zero."
    )
    assert response.headers["X-Mock-Explain"] == explained
    [entry] = client.get("/__admin/requests?vendor=msdicom").json["requests"]
    assert entry["explain"] == explained


# ---- the dialect as data ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("vendor", load_vendors(), ids=lambda v: v.key)
def test_an_unknown_code_is_a_key_error(vendor):
    with pytest.raises(KeyError):
        vendor.error_for_code("NoSuchCode")
    with pytest.raises(KeyError):
        vendor.errors.error_for_code("NoSuchCode")


@pytest.mark.parametrize("vendor", load_vendors(), ids=lambda v: v.key)
def test_every_catalog_code_makes_its_error_with_the_catalog_status(vendor):
    for dialect in errors.dialects(vendor):
        for code, (status, *_) in dialect.catalog.items():
            error = dialect.error_for_code(code)
            assert isinstance(error, dialect.error) and error.status == status, code


@pytest.mark.parametrize("vendor", load_vendors(), ids=lambda v: v.key)
def test_every_documented_code_is_in_a_catalog(vendor):
    catalogs = [code for dialect in errors.dialects(vendor) for code in dialect.catalog]
    assert set(vendor.error_sources()) - set(catalogs) <= {"000000"}  # aliyun's success code is in the ledger too


RENDERING = {"for_http_status", "error_for_code", "render_error", "http_error", "one_line", "_header_safe"}


def test_no_vendor_module_renders_its_own_errors():
    """Only core/errors.py renders errors: no vendor module defines a renderer (`render` in an errors.py or a
    vendor.py; dicom's pixels and QIDO rows are rendered elsewhere), a bare-status mapper, a catalog lookup or an
    escape of X-Mock-Explain of its own."""
    package = Path(errors.__file__).parent.parent
    found = []
    for path in sorted(package.rglob("*.py")):
        if path.parent.name == "core":
            continue
        names = RENDERING | ({"render"} if path.name in ("errors.py", "vendor.py") else set())
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name in names:
                found.append(f"{path.relative_to(package)}:{node.lineno} {node.name}")
            if isinstance(node, ast.ClassDef) and node.name == "AsciiExplain":
                found.append(f"{path.relative_to(package)}:{node.lineno} {node.name}")
    assert found == []
