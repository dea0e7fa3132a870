"""Faults in the DICOMweb dialect: a STOW answered 202 with parts in FailedSOPSequence (stow_fail), and a WADO
that drops mid-stream (the core's truncate), on both faces."""

from __future__ import annotations

import pytest
import requests
from dicomweb_client.api import DICOMwebClient

from tests.dicom.files import dataset, multipart, study_files, uids

MULTIPART = 'multipart/related; type="application/dicom"; boundary=b0und4ry'
STOW = {"msdicom": "/msdicom/v2/studies", "sphere": "/sphere/stowrs/studies"}
ANY = (("application/dicom", "*"),)


@pytest.fixture
def files():
    return study_files(seed=5)


def _stow(client, face, parts):
    return client.post(
        STOW[face], data=multipart(parts), headers={"Content-Type": MULTIPART, "Accept": "application/dicom+json"}
    )


def _sops(answer, sequence):
    return [item["00081155"]["Value"][0] for item in answer.get(sequence, {}).get("Value", [])]


@pytest.mark.parametrize("face", ["msdicom", "sphere"])
@pytest.mark.parametrize("action, reason", [(1, 272), ({"parts": 1, "reason": 43264}, 43264)])
def test_stow_fail_fails_the_first_parts_and_stores_the_others(client, files, face, action, reason):
    rule = client.post(
        "/__admin/faults", json={"vendor": face, "method": "POST", "times": 1, "action": {"stow_fail": action}}
    )
    assert rule.status_code == 201, rule.json
    parts = [files["ct1"], files["ct2"], files["other"]]
    response = _stow(client, face, parts)
    assert response.status_code == 202 and response.mimetype == "application/dicom+json"
    answer = response.json
    failed = answer["00081198"]["Value"]
    assert _sops(answer, "00081198") == [uids(files["ct1"])[2]]
    assert failed[0]["00081197"] == {"vr": "US", "Value": [reason]}
    assert failed[0]["00081150"]["Value"] == [dataset(files["ct1"]).SOPClassUID]
    assert _sops(answer, "00081199") == [uids(files["ct2"])[2], uids(files["other"])[2]]
    # Nothing of the failed part is stored: storing it again (the rule has fired once) works.
    again = _stow(client, face, [files["ct1"]])
    assert again.status_code == 200 and _sops(again.json, "00081199") == [uids(files["ct1"])[2]]


@pytest.mark.parametrize("face", ["msdicom", "sphere"])
def test_stow_fail_of_every_part_is_a_409_that_stores_nothing(client, files, face):
    client.post("/__admin/faults", json={"vendor": face, "times": 1, "action": {"stow_fail": 5}})
    response = _stow(client, face, [files["ct1"], files["ct2"]])
    assert response.status_code == 409 and "00081199" not in response.json
    assert [i["00081197"]["Value"] for i in response.json["00081198"]["Value"]] == [[272], [272]]
    search = "/msdicom/v2/studies" if face == "msdicom" else "/sphere/qidors/studies"
    assert client.get(search).status_code in (200, 204) and not (client.get(search).get_data().strip(b"[]"))


@pytest.mark.parametrize(
    "action, problem",
    [
        (0, "'parts' must be a whole number of parts, at least 1"),
        ("2", "'parts' must be a whole number of parts, at least 1"),
        (True, "'parts' must be a whole number of parts, at least 1"),
        ({"reason": 272}, 'must be a number of parts or {"parts": N, "reason": FailureReason}'),
        ({"parts": 1, "why": 1}, 'must be a number of parts or {"parts": N, "reason": FailureReason}'),
        ({"parts": 1, "reason": "x"}, "'reason' must be a FailureReason (an unsigned short, e.g. 272 or 43264)"),
        ({"parts": 1, "reason": 70000}, "'reason' must be a FailureReason (an unsigned short, e.g. 272 or 43264)"),
    ],
)
@pytest.mark.parametrize("face", ["msdicom", "sphere"])
def test_a_bad_stow_fail_value_is_refused(client, face, action, problem):
    response = client.post("/__admin/faults", json={"vendor": face, "action": {"stow_fail": action}})
    assert response.status_code == 400 and response.json["error"] == f"'stow_fail': {problem}"


def test_stow_fail_is_the_dicomweb_faces_own(client):
    response = client.post("/__admin/faults", json={"vendor": "sigma", "action": {"stow_fail": 1}})
    assert response.status_code == 400 and "unknown action" in response.json["error"]


def test_dicomweb_client_sees_the_partly_failed_stow(mock_server, files):
    mock_server.admin.add_fault(
        {"vendor": "msdicom", "method": "POST", "times": 1, "action": {"stow_fail": {"parts": 1, "reason": 43264}}}
    )
    client = DICOMwebClient(mock_server.url("msdicom") + "/v2")
    answer = client.store_instances([dataset(files["ct1"]), dataset(files["ct2"])])
    assert [i.FailureReason for i in answer.FailedSOPSequence] == [43264]
    assert [i.ReferencedSOPInstanceUID for i in answer.ReferencedSOPSequence] == [uids(files["ct2"])[2]]


def _client(mock_server, face):
    if face == "msdicom":
        client = DICOMwebClient(mock_server.url("msdicom") + "/v2")
    else:
        client = DICOMwebClient(
            mock_server.url("sphere"), qido_url_prefix="qidors", wado_url_prefix="wadors", stow_url_prefix="stowrs"
        )
    client.set_http_retry_params(retry=False)  # its default retries (with real sleeps) would hide the drop
    return client


@pytest.mark.parametrize("face", ["msdicom", "sphere"])
@pytest.mark.parametrize("call", ["retrieve_instance", "retrieve_study"])
def test_a_wado_that_drops_mid_stream_raises_and_the_next_call_works(mock_server, files, face, call):
    client = _client(mock_server, face)
    client.store_instances([dataset(files["ct1"]), dataset(files["ct2"])])
    study, series, sop = uids(files["ct1"])
    path = "/msdicom/v2/studies/*" if face == "msdicom" else "/sphere/wadors/studies/*"
    rule = mock_server.admin.add_fault(
        {"vendor": face, "method": "GET", "path": path, "times": 1, "action": {"truncate": 300}}
    )

    def retrieve():
        if call == "retrieve_instance":
            return [client.retrieve_instance(study, series, sop, media_types=ANY)]
        return client.retrieve_study(study, media_types=ANY)

    with pytest.raises(requests.exceptions.RequestException):
        retrieve()
    [dropped] = [e for e in mock_server.admin.requests(vendor=face) if e["method"] == "GET"]
    assert dropped["fault_id"] == rule["id"] and dropped["status"] == 200
    whole = retrieve()
    assert sorted(ds.SOPInstanceUID for ds in whole) == sorted(
        [sop] if call == "retrieve_instance" else [uids(files["ct1"])[2], uids(files["ct2"])[2]]
    )
