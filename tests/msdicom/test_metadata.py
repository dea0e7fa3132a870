"""WADO-RS metadata on msdicom as the server answers it: no binary attribute at any depth, an ETag and 304 on a
matching If-None-Match; and trailing spaces in path UIDs trimmed (microsoft/dicom-server at eeefbe4d: see
docs/msdicom.md for the source of each)."""

from __future__ import annotations

import json

import pytest
from pydicom.dataset import Dataset

from mockservers.dicom import dicomjson
from mockservers.dicom.synthetic import image_dataset, to_part10
from tests.dicom.files import dataset, multipart, split_multipart, study_files, uids
from tests.msdicom.conftest import MsDicom, text_error

BINARY_VRS = ("OB", "OD", "OF", "OL", "OV", "OW", "UN")
IMPLICIT_VR_LE = "1.2.840.10008.1.2"
ANY_TS = 'multipart/related; type="application/dicom"; transfer-syntax=*'


def path(data: bytes, level: str = "instance") -> str:
    study, series, sop = uids(data)
    return {
        "study": f"/studies/{study}",
        "series": f"/studies/{study}/series/{series}",
        "instance": f"/studies/{study}/series/{series}/instances/{sop}",
    }[level]


def with_every_binary_vr() -> bytes:
    """A CT with a small value of each binary VR in a private block, the same inside a sequence item (with an
    OB PixelData), all under 1 KiB: the size does not matter."""
    ds = image_dataset(31, 0, "CT")

    def binaries(target: Dataset) -> None:
        block = target.private_block(0x0011, "MOCKSERVERS", create=True)
        for offset, vr in enumerate(BINARY_VRS, start=1):
            block.add_new(offset, vr, b"\x01\x02\x03\x04\x05\x06\x07\x08")

    binaries(ds)
    item = Dataset()
    item.PatientName = "Item^Name"
    item.add_new(0x7FE00010, "OB", b"\x01\x02\x03\x00")
    binaries(item)
    ds.add_new(0x00880200, "SQ", [item])
    return to_part10(ds)


def stow(ms, *parts: bytes):
    response = ms.stow(list(parts))
    assert response.status_code == 200, response.get_data(as_text=True)


# ---- no binary attribute -------------------------------------------------------------------


@pytest.mark.parametrize("version", ["1", "2"])
@pytest.mark.parametrize("level", ["study", "series", "instance"])
def test_metadata_leaves_out_every_binary_attribute_at_any_depth(client, version, level):
    ms = MsDicom(client, version)
    data = with_every_binary_vr()
    stow(ms, data)
    response = ms.get(path(data, level) + "/metadata")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/dicom+json"
    (item,) = response.json
    creator = {"vr": "LO", "Value": ["MOCKSERVERS"]}  # the private creator is text: kept
    assert item["00110010"] == creator
    assert not [key for key in item if key.startswith("001110")] and "7FE00010" not in item
    (nested,) = item["00880200"]["Value"]
    assert nested == {"00100010": {"vr": "PN", "Value": [{"Alphabetic": "Item^Name"}]}, "00110010": creator}
    assert not any("BulkDataURI" in e or "InlineBinary" in e for e in item.values())
    assert item["00100010"]["Value"] == [{"Alphabetic": str(dataset(data).PatientName)}]


def test_an_implicit_vr_private_tag_is_in_the_file_not_in_the_metadata(ms):
    """(0007,0008) without a private creator: its VR is unknown in implicit VR, so it reads as UN."""
    ds = image_dataset(32, 0, "CT")
    ds.add_new(0x00070008, "LO", "Private Tag")
    data = to_part10(ds, IMPLICIT_VR_LE)
    response = ms.stow([data])
    assert response.status_code == 202  # v2 warns of implicit VR, and stores it
    ((_, stored),) = split_multipart(ms.get(path(data), accept=ANY_TS))
    assert dataset(stored)[0x00070008].value == b"Private Tag "
    (item,) = ms.get(path(data) + "/metadata").json
    assert "00070008" not in item and "7FE00010" not in item
    assert item["00080060"] == {"vr": "CS", "Value": ["CT"]}


# ---- ETag and If-None-Match ----------------------------------------------------------------


def etag(ms, resource: str, **headers) -> str:
    response = ms.c.get(ms.base + resource + "/metadata", headers={"Accept": "application/dicom+json", **headers})
    assert response.status_code == 200
    return response.headers["ETag"]


@pytest.mark.parametrize("version", ["1", "2"])
def test_etag_is_the_newest_watermark_and_the_count_of_instances(client, version):
    """An instance's ETag is its watermark (a number that grows with each instance stored); a study's or series'
    is the highest of its instances' and their count."""
    ms = MsDicom(client, version)
    files = study_files(seed=33)
    for key in ("ct1", "ct2", "mr"):  # one STOW each: increasing watermarks
        stow(ms, files[key])
    ct1, ct2, mr = (int(etag(ms, path(files[key]))) for key in ("ct1", "ct2", "mr"))
    assert ct1 < ct2 < mr
    assert etag(ms, path(files["ct1"], "series")) == f"{ct2}-2"
    assert etag(ms, path(files["ct1"], "study")) == f"{mr}-3"


@pytest.mark.parametrize("level", ["study", "series", "instance"])
def test_a_matching_if_none_match_is_304_with_nothing_else(ms, level):
    data = study_files(seed=34)["ct1"]
    stow(ms, data)
    resource = path(data, level) + "/metadata"
    tag = ms.c.get(ms.base + resource, headers={"Accept": "application/dicom+json"}).headers["ETag"]
    response = ms.c.get(ms.base + resource, headers={"Accept": "application/dicom+json", "If-None-Match": tag})
    assert response.status_code == 304
    assert response.get_data() == b""
    assert "ETag" not in response.headers  # the server sets it only on a 200
    assert "Content-Type" not in response.headers


@pytest.mark.parametrize("quote", ['"{}"', "W/{}", 'W/"{}"', "1{}", "{}, 0", "*"])
def test_an_if_none_match_that_is_not_the_etag_string_gets_the_metadata(ms, quote):
    """The server compares the header with the ETag as plain strings: quoting, weak tags, lists and * never match."""
    data = study_files(seed=35)["ct1"]
    stow(ms, data)
    tag = etag(ms, path(data))
    response = ms.c.get(
        ms.base + path(data) + "/metadata",
        headers={"Accept": "application/dicom+json", "If-None-Match": quote.format(tag)},
    )
    assert response.status_code == 200 and response.headers["ETag"] == tag
    assert [item["00080018"]["Value"] for item in response.json] == [[uids(data)[2]]]


def test_the_etag_changes_when_an_instance_is_stored_or_deleted(ms):
    files = study_files(seed=36)
    stow(ms, files["ct1"])
    before = etag(ms, path(files["ct1"], "series"))
    stow(ms, files["ct2"])
    added = etag(ms, path(files["ct1"], "series"))
    assert added != before and added.endswith("-2")
    assert ms.c.delete(ms.base + path(files["ct1"])).status_code == 204
    deleted = etag(ms, path(files["ct1"], "series"))
    assert deleted not in (before, added) and deleted.endswith("-1")
    response = ms.c.get(
        ms.base + path(files["ct1"], "series") + "/metadata",
        headers={"Accept": "application/dicom+json", "If-None-Match": added},
    )
    assert response.status_code == 200 and len(response.json) == 1


def test_if_none_match_on_a_missing_resource_is_still_404(ms):
    text_error(
        ms.c.get(
            ms.base + "/studies/1.2.3/metadata", headers={"Accept": "application/dicom+json", "If-None-Match": "1-1"}
        ),
        404,
        "The specified study cannot be found.",
    )


# ---- trailing spaces in path UIDs ----------------------------------------------------------


def padded(data: bytes, spaces: str = "  ") -> str:
    study, series, sop = uids(data)
    return f"/studies/{study}{spaces}/series/{series}{spaces}/instances/{sop}{spaces}"


def test_trailing_spaces_in_path_uids_are_trimmed_on_retrieve(ms):
    files = study_files(seed=37)
    stow(ms, files["ct1"], files["mr"])
    ((_, content),) = split_multipart(ms.get(padded(files["ct1"]), accept=ANY_TS))
    assert content == files["ct1"]
    single = ms.get(padded(files["ct1"], " "), accept="application/dicom; transfer-syntax=*")
    assert single.status_code == 200 and single.get_data() == files["ct1"]
    (item,) = ms.get(padded(files["ct1"]) + "/metadata").json
    assert item["00080018"]["Value"] == [uids(files["ct1"])[2]]
    study_level = ms.get(f"/studies/{uids(files['ct1'])[0]}   /metadata")
    assert study_level.status_code == 200 and len(study_level.json) == 2
    frames = ms.get(padded(files["mr"]) + "/frames/2", accept='multipart/related; type="application/octet-stream"')
    assert frames.status_code == 200 and len(split_multipart(frames)) == 1
    assert ms.get(padded(files["ct1"]) + "/rendered", accept="image/png").status_code == 200


def test_trailing_spaces_in_path_uids_are_trimmed_on_search_and_delete(ms):
    files = study_files(seed=38)
    stow(ms, files["ct1"], files["ct2"])
    study, series, _ = uids(files["ct1"])
    found = ms.search(f"/studies/{study} /series/{series} /instances")
    assert found.status_code == 200 and len(found.json) == 2
    assert ms.c.delete(ms.base + padded(files["ct1"])).status_code == 204
    text_error(ms.get(path(files["ct1"]) + "/metadata"), 404, "The specified instance cannot be found.")
    assert len(ms.get(path(files["ct2"], "series") + "/metadata").json) == 1


@pytest.mark.parametrize(
    "in_path, uid", [("%201.2.3", " 1.2.3"), ("1.2.3%09", "1.2.3\t"), ("1.2.%203", "1.2. 3"), ("%20%20", "")]
)
def test_other_spaces_in_a_path_uid_are_still_400(ms, in_path, uid):
    """Only trailing spaces go; a leading space, a tab or a space inside break the UID, and spaces alone leave
    nothing."""
    body = text_error(ms.get(f"/studies/{in_path}/metadata"), 400)
    assert body.startswith(f"DICOM100: StudyInstanceUID '{uid}' is not a valid DICOM UID")


# ---- sphere keeps its own behaviour --------------------------------------------------------


def test_sphere_has_no_etag_and_keeps_small_binary_values_inline(client):
    data = with_every_binary_vr()
    response = client.post(
        "/sphere/stowrs/studies",
        data=multipart([data]),
        headers={"Content-Type": 'multipart/related; type="application/dicom"; boundary=b0und4ry'},
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    study, series, sop = uids(data)
    metadata = client.get(f"/sphere/wadors/studies/{study}/series/{series}/instances/{sop}/metadata")
    assert metadata.status_code == 200 and "ETag" not in metadata.headers
    assert "InlineBinary" in metadata.json["00111001"]
    refused = client.get(f"/sphere/wadors/studies/{study} /series/{series}/instances/{sop}/metadata")
    assert refused.status_code == 400


def _reference_without_binary(value):
    """What text_without_binary must give, on decoded JSON."""
    if isinstance(value, dict):
        return {
            k: _reference_without_binary(v)
            for k, v in value.items()
            if not (isinstance(v, dict) and v.get("vr") in BINARY_VRS)
        }
    if isinstance(value, list):
        return [_reference_without_binary(v) for v in value]
    return value


@pytest.mark.parametrize(
    "members",
    [
        ["OB", "LO", "OW"],  # first, middle, last
        ["OB", "OD", "LO"],  # two first
        ["LO", "OF", "OL", "OV"],  # a run at the end
        ["UN", "OB"],  # nothing but binary
        ["LO", "SQ", "OB"],  # a sequence holding every case
        ["SQ"],
    ],
)
def test_text_without_binary_matches_leaving_them_out_of_the_decoded_json(members):
    def element(vr: str, n: int) -> dict:
        if vr == "SQ":
            return {"vr": "SQ", "Value": [members_json(["OB", "LO", "UN"]), members_json(["OW"]), {}]}
        if vr == "LO":
            return {"vr": "LO", "Value": [f'a "quoted" {{"00091010":{{"vr":"OB"}}}} {n}']}
        if n % 3 == 0:
            return {"vr": vr}
        return {"vr": vr, "InlineBinary" if n % 3 == 1 else "BulkDataURI": "AQID" if n % 3 == 1 else "bulkdata/x"}

    def members_json(vrs) -> dict:
        return {f"0011{0x1001 + n:04X}": element(vr, n) for n, vr in enumerate(vrs)}

    value = members_json(members)
    text = dicomjson.dumps(value)
    assert json.loads(dicomjson.text_without_binary(text)) == _reference_without_binary(value)
