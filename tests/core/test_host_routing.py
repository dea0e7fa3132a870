"""Routing by Host header: a request that comes by a vendor's real hostname (through a hosts-file entry) reaches the
vendor at its real path, with no prefix."""

from __future__ import annotations

from urllib.parse import urlsplit

from mockservers.core import hosts
from mockservers.vendors import load_vendors
from tests.dicom.files import uids
from tests.msdicom.conftest import MsDicom
from tests.sigma.conftest import PASSWORD_B64, assert_error

LOGIN = f"/login?account_name=sigma&user_name=test&password={PASSWORD_B64}"


def test_the_mapping_has_each_real_hostname_but_no_address():
    assert hosts.routed_hostnames(load_vendors()) == {
        "api.12sigma.ai": "/sigma",
        "dicom-server.azurewebsites.net": "/msdicom",
        "medical.aliyun.com": "/aliyun",
    }
    assert hosts.real_bases(load_vendors(["sphere", "sigma"])) == {
        "http://127.0.0.1:8000": "/sphere",
        "https://api.12sigma.ai": "/sigma",
        "http://api.12sigma.ai": "/sigma",
    }


def test_a_real_hostname_reaches_its_vendor_at_the_real_path(client):
    for host in ("api.12sigma.ai", "API.12sigma.ai:8443", "api.12sigma.ai."):
        response = client.get(LOGIN, headers={"Host": host})
        assert response.status_code == 200, (host, response.get_data(as_text=True))
        assert response.json["message"] == "User login successfully."


def test_a_wrong_path_by_a_real_hostname_is_the_vendors_own_404(client):
    response = client.get("/no/such/route", headers={"Host": "api.12sigma.ai"})
    assert_error(response, 404, "NotFound")


def test_other_hosts_are_not_routed(client):
    """Neither an unknown name nor an address: sphere's on-premise default 127.0.0.1:8000 is no hostname. /login
    at the root is then a bucket of the OSS store, not sigma's Login."""
    for host in ("example.com", "127.0.0.1:8000", "localhost"):
        response = client.get(LOGIN, headers={"Host": host})
        assert response.status_code == 403 and "<Code>" in response.get_data(as_text=True), host
    response = client.get("/qidors/studies", headers={"Host": "127.0.0.1:8000", "Accept": "application/dicom+json"})
    assert response.status_code == 403 and "<Code>" in response.get_data(as_text=True)


def test_dicomweb_retrieve_urls_by_a_real_hostname_have_no_prefix(client):
    from tests.dicom.files import study_files

    files = study_files()
    ms = MsDicom(client, "2")
    ms.base = "/v2"
    response = ms.stow([files["ct1"]], Host="dicom-server.azurewebsites.net")
    assert response.status_code == 200, response.get_data(as_text=True)
    study, series, sop = uids(files["ct1"])
    url = urlsplit(response.json["00081199"]["Value"][0]["00081190"]["Value"][0])
    assert url.hostname == "dicom-server.azurewebsites.net"
    assert url.path == f"/v2/studies/{study}/series/{series}/instances/{sop}"
    found = client.get(url.path, headers={"Host": "dicom-server.azurewebsites.net", "Accept": "application/dicom"})
    assert found.status_code == 200
