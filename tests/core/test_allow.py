"""OPTIONS and 405 name the methods of the path asked about, never those of the OSS store's catch-all rules."""

import pytest

SIGMA_405 = {
    "url": "",
    "message": "",
    "message_chs": "",
    "data": {},
    "error": {
        "message": "The method is not allowed for the requested URL!",
        "code": "MethodNotAllowed",
        "message_chs": "请求的URL不支持该方法!",
    },
}
CAD4TB_405 = {"status": "Error", "error": "method_not_allowed", "suberror": None, "message": "Method not allowed"}

# (path, the methods it serves, a method it does not)
PATHS = [
    ("/sigma/login", {"GET", "HEAD", "OPTIONS"}, "DELETE"),
    ("/sigma/logout", {"DELETE", "OPTIONS"}, "PUT"),
    ("/sigma/accounts/sigma/jobs/list/", {"GET", "HEAD", "OPTIONS"}, "POST"),
    ("/aliyun/dicom/api/executeAnalysis", {"POST", "OPTIONS"}, "PUT"),
    ("/cad4tb/api/v1/patient/get/", {"GET", "HEAD", "OPTIONS"}, "PUT"),
    ("/cad4tb/api/v1/instance/upload/", {"POST", "OPTIONS"}, "DELETE"),
    ("/msdicom/v2/studies", {"GET", "HEAD", "OPTIONS", "POST"}, "PATCH"),
    ("/msdicom/v2/studies/1.2.3", {"DELETE", "GET", "HEAD", "OPTIONS", "POST"}, "PUT"),
    ("/sphere/qidors/studies", {"GET", "HEAD", "OPTIONS"}, "PATCH"),
]


def allow(response) -> set[str]:
    return {m.strip() for m in response.headers["Allow"].split(",")}


@pytest.mark.parametrize("path, methods, _wrong", PATHS)
def test_options_names_only_the_paths_own_methods(client, path, methods, _wrong):
    response = client.open(path, method="OPTIONS")
    assert response.status_code == 200 and allow(response) == methods


@pytest.mark.parametrize("path, methods, wrong", PATHS)
def test_a_wrong_method_is_405_in_the_vendors_envelope_with_the_paths_methods(client, path, methods, wrong):
    response = client.open(path, method=wrong)
    assert response.status_code == 405 and allow(response) == methods
    vendor = path.split("/")[1]
    if vendor == "sigma":
        assert response.json == SIGMA_405
    elif vendor == "cad4tb":
        assert response.json == CAD4TB_405
    elif vendor == "aliyun":
        assert response.json["returnCode"] == "100012" and response.json["returnMessage"] == "请求方法不支持"
    elif vendor == "msdicom":
        assert response.mimetype == "text/plain"
        assert response.get_data(as_text=True) == "The requested method is not allowed on this resource."
    else:
        assert response.json == {"detail": "Method not allowed."}
    journal = client.get("/__admin/requests", query_string={"vendor": vendor, "limit": 1}).json["requests"]
    assert [(e["method"], e["status"]) for e in journal] == [(wrong, 405)]


def test_oss_paths_still_answer_as_oss_does(client):
    objects = {"DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"}  # POST: multipart uploads, AppendObject
    assert allow(client.open("/demo-bucket/some/key.dcm", method="OPTIONS")) == objects
    assert allow(client.open("/demo-bucket/", method="OPTIONS")) == objects
    response = client.open("/demo-bucket/some/key.dcm", method="PATCH")
    assert response.status_code == 405 and allow(response) == objects
    assert response.mimetype == "application/xml"
    assert "<Code>MethodNotAllowed</Code>" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/sigma/nothing", "/cad4tb/api/v1/nothing/", "/aliyun/nothing"])
def test_options_on_an_unknown_vendor_path_is_its_404(client, path):
    assert client.open(path, method="OPTIONS").status_code == 404
