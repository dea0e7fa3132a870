"""WADO-RS on msdicom: instances, metadata, frames, rendered; the transfer-syntax rules; 404 and 406."""

from __future__ import annotations

import io

import pydicom
import pytest
from PIL import Image

from tests.dicom.files import dataset, split_multipart, uids
from tests.msdicom.conftest import text_error

ANY_TS = 'multipart/related; type="application/dicom"; transfer-syntax=*'
EXPLICIT = "1.2.840.10008.1.2.1"
RLE = "1.2.840.10008.1.2.5"
J2K = "1.2.840.10008.1.2.4.90"
MPEG2 = "1.2.840.10008.1.2.4.100"
NOT_ACCEPTABLE = "The request headers are not acceptable"
UNSUPPORTED_TRANSCODING = "The specified transcoding is not supported."
MULTI_INSTANCE = (
    "Accept transfer syntax '1.2.840.10008.1.2.1' is not supported when multiple instances are matched. Matching "
    "instances can be retrieved with their original transfer syntax by specifying 'transfer-syntax=*' in the Accept "
    "header."
)
ONE_FRAME_ONLY = "The accept header is supported for single frame retrieval, use multi-part accept header instead."


def path(data, *, series=True, sop=True):
    study, se, so = uids(data)
    p = f"/studies/{study}"
    if series:
        p += f"/series/{se}"
        if sop:
            p += f"/instances/{so}"
    return p


def test_study_with_transfer_syntax_star_returns_files_as_stored(ms, stored):
    r = ms.get(path(stored["ct1"], series=False), accept=ANY_TS)
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith('multipart/related; type="application/dicom"; boundary=')
    parts = split_multipart(r)
    assert sorted(p[1] for p in parts) == sorted([stored["ct1"], stored["ct2"], stored["mr"]])
    assert f"application/dicom; transfer-syntax={RLE}" in [p[0] for p in parts]


def test_series_of_several_instances_without_star_is_406(ms, stored):
    """The notes' trap: a missing transfer-syntax means explicit VR LE, and multi-instance transcoding is refused."""
    r = ms.get(path(stored["ct1"], sop=False), accept='multipart/related; type="application/dicom"')
    text_error(r, 406, MULTI_INSTANCE)
    assert len(split_multipart(ms.get(path(stored["ct1"], sop=False), accept=ANY_TS))) == 2


def test_single_instance_is_transcoded_to_explicit_vr_little_endian_by_default(ms, stored):
    r = ms.get(path(stored["mr"]), accept='multipart/related; type="application/dicom"')
    assert r.status_code == 200
    ((content_type, content),) = split_multipart(r)
    assert content_type == f"application/dicom; transfer-syntax={EXPLICIT}"
    ds = dataset(content)
    assert ds.file_meta.TransferSyntaxUID == EXPLICIT
    assert ds.pixel_array.shape == (3, 32, 32)
    assert (ds.pixel_array == dataset(stored["mr"]).pixel_array).all()
    sop = uids(stored["mr"])[2]  # transcoding keeps the instance's identity (pydicom's decompress would not)
    assert ds.SOPInstanceUID == sop and ds.file_meta.MediaStorageSOPInstanceUID == sop


def test_single_instance_as_bare_application_dicom(ms, stored):
    r = ms.get(path(stored["ct1"]), accept="application/dicom; transfer-syntax=*")
    assert r.status_code == 200 and r.mimetype == "application/dicom"
    assert r.get_data() == stored["ct1"]


def test_a_transfer_syntax_the_server_does_not_offer_is_406(ms, stored):
    r = ms.get(
        path(stored["ct1"]),
        accept='multipart/related; type="application/dicom"; transfer-syntax=1.2.840.10008.1.2.4.50',
    )
    text_error(r, 406, NOT_ACCEPTABLE)


@pytest.mark.parametrize("shape", ["multipart", "single"])
def test_instance_to_jpeg2000_lossless_and_back(ms, stored, shape):
    """RLE to JPEG 2000 lossless (1.2.840.10008.1.2.4.90), then, stored so, back to explicit VR little endian:
    the same pixels and the same SOP Instance UID each way."""
    sop = uids(stored["mr"])[2]
    if shape == "multipart":
        r = ms.get(path(stored["mr"]), accept=f'multipart/related; type="application/dicom"; transfer-syntax={J2K}')
        ((content_type, content),) = split_multipart(r)
    else:
        r = ms.get(path(stored["mr"]), accept=f"application/dicom; transfer-syntax={J2K}")
        content_type, content = r.headers["Content-Type"], r.get_data()
    assert r.status_code == 200
    assert content_type == f"application/dicom; transfer-syntax={J2K}"
    ds = dataset(content)
    assert ds.file_meta.TransferSyntaxUID == J2K
    assert ds.SOPInstanceUID == sop and ds.file_meta.MediaStorageSOPInstanceUID == sop
    assert (ds.pixel_array == dataset(stored["mr"]).pixel_array).all()
    assert ms.c.delete(ms.base + path(stored["mr"])).status_code == 204
    assert ms.stow([content]).status_code == 200
    back = ms.get(path(stored["mr"]), accept=f"application/dicom; transfer-syntax={EXPLICIT}")
    assert back.headers["Content-Type"] == f"application/dicom; transfer-syntax={EXPLICIT}"
    native = dataset(back.get_data())
    assert native.file_meta.TransferSyntaxUID == EXPLICIT and native.SOPInstanceUID == sop
    assert native.PixelData == dataset(stored["mr"]).pixel_array.tobytes()


def test_rgb_to_jpeg2000_uses_the_reversible_colour_transform(ms, files):
    """RGB is encoded with the reversible colour transform and marked YBR_RCT, as the server's own test files are;
    decoded, the pixels are the RGB ones."""
    from tests.msdicom.conformance.samples import part10, rgb_image

    count = iter(range(1, 100))
    rgb = rgb_image(lambda: f"1.2.826.0.1.3680043.10.999.{next(count)}")
    assert ms.stow([part10(rgb)]).status_code == 200
    r = ms.get(
        f"/studies/{rgb.StudyInstanceUID}/series/{rgb.SeriesInstanceUID}/instances/{rgb.SOPInstanceUID}",
        accept=f"application/dicom; transfer-syntax={J2K}",
    )
    ds = dataset(r.get_data())
    assert ds.PhotometricInterpretation == "YBR_RCT" and ds.SamplesPerPixel == 3
    assert (ds.pixel_array == rgb.pixel_array).all()


def test_a_stored_syntax_pydicom_cannot_decode_is_406_on_transcoding(ms):
    from tests.msdicom.conformance.samples import eight_bit_image, part10

    count = iter(range(1, 100))
    uid = lambda: f"1.2.826.0.1.3680043.10.998.{next(count)}"  # noqa: E731
    video = eight_bit_image(uid, uid(), uid(), uid(), transfer_syntax=MPEG2)
    assert ms.stow([part10(video)]).status_code == 200
    instance = f"/studies/{video.StudyInstanceUID}/series/{video.SeriesInstanceUID}/instances/{video.SOPInstanceUID}"
    text_error(ms.get(instance, accept=f"application/dicom; transfer-syntax={EXPLICIT}"), 406, UNSUPPORTED_TRANSCODING)
    frames = ms.get(instance + "/frames/1", accept='multipart/related; type="image/jp2"')
    text_error(frames, 406, UNSUPPORTED_TRANSCODING)
    assert ms.get(instance, accept="application/dicom; transfer-syntax=*").get_data() == part10(video)


@pytest.mark.parametrize(
    "accept",
    [
        f'multipart/related; type="application/dicom"; transfer-syntax={MPEG2}',
        f"application/dicom; transfer-syntax={MPEG2}",
        'multipart/related; type="application/octet-stream"',
        "application/octet-stream",
    ],
)
@pytest.mark.parametrize("level", ["study", "series", "instance"])
def test_the_accept_is_judged_before_existence(ms, stored, accept, level):
    """An Accept the server cannot answer is a 406 even where nothing is stored; the UIDs are checked before it."""
    unknown = {
        "study": "/studies/1.2.3",
        "series": "/studies/1.2.3/series/4.5",
        "instance": "/studies/1.2.3/series/4.5/instances/6.7",
    }[level]
    text_error(ms.get(unknown, accept=accept), 406, NOT_ACCEPTABLE)
    text_error(ms.get(unknown, accept=ANY_TS), 404)
    assert text_error(ms.get("/studies/not-a-uid", accept=accept), 400).startswith("DICOM100: StudyInstanceUID")


def test_metadata_judges_the_accept_before_the_uids(ms, stored):
    """The metadata Accept is checked first of all, even before the UIDs (the server's Accept filter)."""
    text_error(ms.get("/studies/not-a-uid/metadata", accept="application/data"), 406, NOT_ACCEPTABLE)
    text_error(ms.get("/studies/1.2.3/series/4.5/metadata", accept="application/data"), 406, NOT_ACCEPTABLE)
    assert text_error(ms.get("/studies/not-a-uid/metadata"), 400).startswith("DICOM100")


def test_a_stored_file_preferred_when_asked_as_well(ms, stored):
    """Of two ranges as good, one asking for the files as stored wins (the server's AcceptHeaderHandler)."""
    accept = f'multipart/related; type="application/dicom"; transfer-syntax={EXPLICIT}, {ANY_TS}'
    ((content_type, content),) = split_multipart(ms.get(path(stored["mr"]), accept=accept))
    assert content_type == f"application/dicom; transfer-syntax={RLE}" and content == stored["mr"]
    preferred = f'multipart/related; type="application/dicom"; transfer-syntax={EXPLICIT}, {ANY_TS}; q=0.5'
    ((content_type, _),) = split_multipart(ms.get(path(stored["mr"]), accept=preferred))
    assert content_type == f"application/dicom; transfer-syntax={EXPLICIT}"


def test_any_media_type_means_the_files_as_stored(ms, stored):
    """*/* without a transfer syntax: as stored, several instances at once (conformance statement)."""
    for accept in ("*/*", 'multipart/related; type="*/*"'):
        parts = split_multipart(ms.get(path(stored["ct1"], series=False), accept=accept))
        assert sorted(p[1] for p in parts) == sorted([stored["ct1"], stored["ct2"], stored["mr"]])


def test_metadata_at_every_level_leaves_the_pixel_data_out(ms, stored):
    study_level = ms.get(path(stored["ct1"], series=False) + "/metadata")
    assert study_level.status_code == 200 and study_level.headers["Content-Type"] == "application/dicom+json"
    assert len(study_level.json) == 3
    assert all("7FE00010" not in item for item in study_level.json)  # tests/msdicom/test_metadata.py: every binary
    assert len(ms.get(path(stored["ct1"], sop=False) + "/metadata").json) == 2
    one = ms.get(path(stored["mr"]) + "/metadata").json
    assert isinstance(one, list) and len(one) == 1
    assert one[0]["00280008"] == {"vr": "IS", "Value": [3]}
    assert one[0]["00100010"]["Value"] == [{"Alphabetic": str(dataset(stored["mr"]).PatientName)}]


def test_frames_list_uncompressed_by_default(ms, stored):
    r = ms.get(path(stored["mr"]) + "/frames/1,3", accept='multipart/related; type="application/octet-stream"')
    assert r.status_code == 200
    parts = split_multipart(r)
    pixels = dataset(stored["mr"]).pixel_array
    assert [p[0] for p in parts] == [f"application/octet-stream; transfer-syntax={EXPLICIT}"] * 2
    assert parts[0][1] == pixels[0].tobytes() and parts[1][1] == pixels[2].tobytes()


def test_frames_as_jpeg2000(ms, stored):
    """type="image/jp2" (transfer syntax 1.2.840.10008.1.2.4.90 or none): each frame a JPEG 2000 lossless
    codestream, typed image/jp2; single part it is refused, as any other transfer syntax with it."""
    import openjpeg

    pixels = dataset(stored["mr"]).pixel_array
    for accept in (
        'multipart/related; type="image/jp2"',
        f'multipart/related; type="image/jp2"; transfer-syntax={J2K}',
    ):
        r = ms.get(path(stored["mr"]) + "/frames/3,1", accept=accept)
        assert r.status_code == 200
        assert r.headers["Content-Type"].startswith('multipart/related; type="image/jp2"; boundary=')
        parts = split_multipart(r)
        assert [p[0] for p in parts] == [f"image/jp2; transfer-syntax={J2K}"] * 2
        assert (openjpeg.decode(io.BytesIO(parts[0][1])) == pixels[2]).all()
        assert (openjpeg.decode(io.BytesIO(parts[1][1])) == pixels[0]).all()
    text_error(ms.get(path(stored["mr"]) + "/frames/1", accept="image/jp2"), 406, NOT_ACCEPTABLE)
    text_error(
        ms.get(
            path(stored["mr"]) + "/frames/1", accept=f'multipart/related; type="image/jp2"; transfer-syntax={EXPLICIT}'
        ),
        406,
        NOT_ACCEPTABLE,
    )
    text_error(
        ms.get(
            path(stored["mr"]) + "/frames/1",
            accept=f'multipart/related; type="application/octet-stream"; transfer-syntax={J2K}',
        ),
        406,
        NOT_ACCEPTABLE,
    )


def test_jpeg2000_frames_of_a_jpeg2000_instance_are_as_stored(ms, stored):
    j2k = ms.get(path(stored["ct1"]), accept=f"application/dicom; transfer-syntax={J2K}").get_data()
    assert ms.c.delete(ms.base + path(stored["ct1"])).status_code == 204
    assert ms.stow([j2k]).status_code == 200
    ((content_type, content),) = split_multipart(
        ms.get(path(stored["ct1"]) + "/frames/1", accept='multipart/related; type="image/jp2"')
    )
    assert content_type == f"image/jp2; transfer-syntax={J2K}"
    assert content == next(pydicom.encaps.generate_frames(dataset(j2k).PixelData, number_of_frames=1))


def test_one_frame_single_part(ms, stored):
    """application/octet-stream, not multipart: the frame alone, typed with its transfer syntax."""
    r = ms.get(path(stored["mr"]) + "/frames/2", accept="application/octet-stream; transfer-syntax=*")
    assert r.status_code == 200
    assert r.headers["Content-Type"] == f"application/octet-stream; transfer-syntax={RLE}"
    assert r.get_data() == list(pydicom.encaps.generate_frames(dataset(stored["mr"]).PixelData, number_of_frames=3))[1]
    native = ms.get(path(stored["mr"]) + "/frames/2", accept="application/octet-stream")
    assert native.headers["Content-Type"] == f"application/octet-stream; transfer-syntax={EXPLICIT}"
    assert native.get_data() == dataset(stored["mr"]).pixel_array[1].tobytes()


def test_several_frames_single_part_is_400_before_existence(ms, stored):
    text_error(
        ms.get(path(stored["mr"]) + "/frames/1,2", accept="application/octet-stream; transfer-syntax=*"),
        400,
        ONE_FRAME_ONLY,
    )
    text_error(
        ms.get("/studies/1.2.3/series/4.5/instances/6.7/frames/1,2", accept="application/octet-stream"),
        400,
        ONE_FRAME_ONLY,
    )
    text_error(
        ms.get(path(stored["mr"]) + "/frames/9", accept="application/octet-stream"),
        404,
        "The specified frame cannot be found.",
    )


def test_frames_of_any_media_type_are_octet_stream_as_stored(ms, stored):
    """*/* (dicomweb-client's default for frames): as stored, typed application/octet-stream with the stored
    transfer syntax; other frame media types (image/jpeg, ...) are not offered by this server."""
    ((content_type, content),) = split_multipart(
        ms.get(path(stored["mr"]) + "/frames/1", accept='multipart/related; type="*/*"')
    )
    assert content_type == f"application/octet-stream; transfer-syntax={RLE}"
    assert content == next(pydicom.encaps.generate_frames(dataset(stored["mr"]).PixelData, number_of_frames=3))
    text_error(ms.get(path(stored["mr"]) + "/frames/1", accept='multipart/related; type="image/dicom-rle"'), 406)


def test_frames_as_stored_with_star(ms, stored):
    r = ms.get(
        path(stored["mr"]) + "/frames/2", accept='multipart/related; type="application/octet-stream"; transfer-syntax=*'
    )
    ((content_type, content),) = split_multipart(r)
    assert content_type == f"application/octet-stream; transfer-syntax={RLE}"
    frames = list(pydicom.encaps.generate_frames(dataset(stored["mr"]).PixelData, number_of_frames=3))
    assert content == frames[1]


@pytest.mark.parametrize(
    "frames, status, message",
    [
        ("4", 404, "The specified frame cannot be found."),
        ("0", 400, "The frame list '0' is invalid: frames are numbered from 1."),
        ("1,x", 400, "The frame list '1,x' is invalid: frames are numbered from 1."),
    ],
)
def test_bad_frames_are_refused(ms, stored, frames, status, message):
    text_error(
        ms.get(path(stored["mr"]) + f"/frames/{frames}", accept='multipart/related; type="application/octet-stream"'),
        status,
        message,
    )


@pytest.mark.parametrize("accept, fmt", [("image/jpeg", "JPEG"), ("image/png", "PNG"), (None, "JPEG")])
def test_rendered(ms, stored, accept, fmt):
    r = ms.get(path(stored["ct1"]) + "/rendered", accept=accept)
    assert r.status_code == 200
    image = Image.open(io.BytesIO(r.get_data()))
    assert image.format == fmt and image.size == (32, 32)
    frame = ms.get(path(stored["mr"]) + "/frames/2/rendered", accept="image/png")
    assert Image.open(io.BytesIO(frame.get_data())).format == "PNG"


def test_rendered_refusals(ms, stored):
    text_error(ms.get(path(stored["ct1"]) + "/rendered", accept="image/gif"), 406)
    text_error(ms.get(path(stored["mr"]) + "/frames/9/rendered", accept="image/png"), 404)
    text_error(ms.get(path(stored["ct1"]) + "/rendered", accept="image/jpeg", quality="0"), 400)


def test_unknown_resources_are_404_naming_the_level(ms, stored):
    study, series, _ = uids(stored["ct1"])
    text_error(ms.get("/studies/1.2.3/metadata"), 404, "The specified study cannot be found.")
    text_error(ms.get(f"/studies/{study}/series/1.2.3/metadata"), 404, "The specified series cannot be found.")
    text_error(
        ms.get(f"/studies/{study}/series/{series}/instances/1.2.3/metadata"),
        404,
        "The specified instance cannot be found.",
    )
    text_error(ms.get("/studies/1.2.3", accept=ANY_TS), 404)


def test_invalid_uid_in_path_is_400(ms, stored):
    body = text_error(ms.get("/studies/not-a-uid/metadata"), 400)
    assert body.startswith("DICOM100: StudyInstanceUID 'not-a-uid' is not a valid DICOM UID")
    text_error(ms.get("/studies/1.2.3/series/01.2/metadata"), 400)


def test_metadata_accept_xml_is_406(ms, stored):
    text_error(ms.get(path(stored["ct1"]) + "/metadata", accept="application/dicom+xml"), 406)
