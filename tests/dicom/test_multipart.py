"""multipart/related and media types: what PS3.18 says and what real clients send."""

from __future__ import annotations

import pytest

from mockservers.dicom.errors import DicomWebError
from mockservers.dicom.multipart import decode_related, encode_related, parse_accept, parse_media_type
from tests.dicom.files import multipart


def test_media_type_parameters_quoted_or_not():
    m = parse_media_type('multipart/related; type="application/dicom"; boundary="a;b"; transfer-syntax=*')
    assert m.type == "multipart/related"
    assert m.params == {"type": "application/dicom", "boundary": "a;b", "transfer-syntax": "*"}
    assert parse_media_type("Multipart/Related; Type=Application/DICOM").params["type"] == "application/dicom"


def test_accept_ranges_sorted_by_quality_and_commas_in_quotes_kept():
    ranges = parse_accept('application/json;q=0.5, multipart/related; type="a,b", */*;q=0')
    assert [r.type for r in ranges] == ["multipart/related", "application/json"]
    assert ranges[0].params["type"] == "a,b"
    assert [r.type for r in parse_accept(None)] == ["*/*"]
    assert parse_accept("image/*")[0].matches("image/png") and not parse_accept("image/*")[0].matches("text/x")


def test_decodes_what_dicomweb_client_sends():
    parts = decode_related(multipart([b"one", b"two\r\n--not-the-boundary"]), "b0und4ry")
    assert [p.content for p in parts] == [b"one", b"two\r\n--not-the-boundary"]
    assert parts[0].content_type == "application/dicom"


def test_decodes_urllib3_form_data_and_sniffs_a_missing_boundary():
    from urllib3.filepost import encode_multipart_formdata

    body, _ = encode_multipart_formdata({"f": ("x.dcm", b"DATA", "application/dicom")}, "zz")
    for boundary in ("zz", None):
        (part,) = decode_related(body, boundary)
        assert part.content == b"DATA" and part.content_type == "application/dicom"


def test_roundtrip_and_parts_without_headers():
    body = encode_related([("application/dicom", b"A"), ("application/octet-stream", b"\r\nB\r\n")], "bb")
    assert [p.content for p in decode_related(body, "bb")] == [b"A", b"\r\nB\r\n"]
    (bare,) = decode_related(b"--x\r\n\r\nRAW\r\n--x--", "x")
    assert bare.content == b"RAW" and bare.headers == {}


@pytest.mark.parametrize(
    "body, boundary, message",
    [
        (b"no delimiter here", "b", "the boundary 'b' does not occur in it"),
        (b"--b\r\nContent-Type: x\r\n\r\nDATA", "b", "the closing boundary is missing"),
        (b"--b\r\nContent-Type: x", "b", "a part has no header/body separator"),
        (b"--b--", "b", "it has no parts"),
        (b"", None, "no boundary was found"),
    ],
)
def test_broken_bodies_are_400(body, boundary, message):
    with pytest.raises(DicomWebError) as err:
        decode_related(body, boundary)
    assert err.value.status == 400 and message in err.value.message
