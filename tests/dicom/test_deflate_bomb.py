"""A Deflated Explicit VR Little Endian file of about 256 KB that inflates past the server's max_body_mb: every
vendor that reads uploads answers its own "not a readable DICOM file" error, and stores nothing."""

import io
import json
import struct
import zlib

import pytest
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.filebase import DicomBytesIO
from pydicom.filewriter import write_dataset, write_file_meta_info
from pydicom.uid import DeflatedExplicitVRLittleEndian, generate_uid

from mockservers.settings import Settings
from tests.dicom.files import multipart
from tests.sigma.conftest import Sigma
from tests.sigma.conftest import assert_error as assert_sigma_error

INFLATED = (Settings().max_body_mb + 1) * 1024 * 1024  # the server's default limit, and a MiB more
SOP_CLASS = "1.2.840.10008.5.1.4.1.1.1.1"  # Digital X-Ray Image Storage - For Presentation
MIB = 1024 * 1024


def part10_head(ds: Dataset) -> bytes:
    """Preamble, prefix and file meta of `ds` as a deflated file: what is not deflated."""
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID, meta.MediaStorageSOPInstanceUID = ds.SOPClassUID, ds.SOPInstanceUID
    meta.TransferSyntaxUID = DeflatedExplicitVRLittleEndian
    head = DicomBytesIO()
    head.write(b"\0" * 128 + b"DICM")
    write_file_meta_info(head, meta)
    return head.getvalue()


def deflated_part10(ds: Dataset, zeros: int = 0) -> bytes:
    """`ds` as a deflated Part-10 file, followed by a Pixel Data element of `zeros` zero bytes, deflated a MiB at a
    time (raw deflate, wbits=-15, as PS3.5 A.5 says)."""
    body = DicomBytesIO()
    body.is_little_endian, body.is_implicit_VR = True, False
    write_dataset(body, ds)
    deflater = zlib.compressobj(9, zlib.DEFLATED, -15)
    out = [part10_head(ds), deflater.compress(body.getvalue())]
    if zeros:
        out.append(deflater.compress(struct.pack("<HH2sHI", 0x7FE0, 0x0010, b"OB", 0, zeros)))
        chunk = bytes(MIB)
        out.extend(deflater.compress(chunk) for _ in range(zeros // MIB))
        out.append(deflater.compress(bytes(zeros % MIB)))
    out.append(deflater.flush())
    return b"".join(out)


def instance(index: int = 0) -> Dataset:
    ds = Dataset()
    ds.SOPClassUID, ds.SOPInstanceUID = SOP_CLASS, generate_uid(entropy_srcs=["bomb", str(index)])
    ds.StudyInstanceUID = generate_uid(entropy_srcs=["bomb-study"])
    ds.SeriesInstanceUID = generate_uid(entropy_srcs=["bomb-series"])
    ds.PatientID, ds.PatientName, ds.Modality = "BOMB-1", "Bomb^Deflate", "DX"
    ds.StudyDate, ds.StudyTime, ds.AccessionNumber, ds.StudyID = "20250101", "101010", "A1", "1"
    ds.SeriesNumber, ds.InstanceNumber = 1, 1
    return ds


@pytest.fixture(scope="module")
def bomb() -> bytes:
    data = deflated_part10(instance(), zeros=INFLATED)
    assert len(data) < 300 * 1024
    return data


def test_a_small_deflated_file_is_read_as_ever(client):
    """The bound is on what a file inflates to, not on deflate itself."""
    ds = instance(1)
    response = client.post(
        "/msdicom/v2/studies",
        data=deflated_part10(ds),
        headers={"Content-Type": "application/dicom", "Accept": "application/dicom+json"},
    )
    assert response.status_code == 200, response.get_data(as_text=True)


@pytest.mark.parametrize(
    "path, single_part",
    [("/msdicom/v2/studies", False), ("/msdicom/v1/studies", True), ("/sphere/stowrs/studies", False)],
)
def test_dicomweb_stow_refuses_the_bomb_as_a_processing_failure(client, bomb, path, single_part):
    headers = {
        "Accept": "application/dicom+json",
        "Content-Type": "application/dicom"
        if single_part
        else 'multipart/related; type="application/dicom"; boundary=b0und4ry',
    }
    response = client.post(path, data=bomb if single_part else multipart([bomb]), headers=headers)
    assert response.status_code == 409
    assert json.loads(response.get_data()) == {
        "00081198": {
            "vr": "SQ",
            "Value": [{"00081150": {"vr": "UI"}, "00081155": {"vr": "UI"}, "00081197": {"vr": "US", "Value": [272]}}],
        }
    }
    face = path.split("/")[1]
    search = "/msdicom/v2/studies" if face == "msdicom" else "/sphere/qidors/studies"
    assert client.get(search, headers={"Accept": "application/dicom+json"}).get_data() in (b"", b"[]")  # none
    assert client.get("/__admin/export").json["blobs"] == {}


def test_sigma_put_refuses_the_bomb_as_not_a_dicom_file(client, bomb):
    sigma = Sigma(client)
    sigma.login()
    ds = instance()
    upload_id = sigma.open_upload(ds.SeriesInstanceUID).json["data"]["upload_id"]
    response = sigma.put("bomb.dcm", bomb, upload_id)
    assert_sigma_error(
        response,
        400,
        "InvalidFileFormat",
        "Invalid file format, the file bomb.dcm is not a DICOM file!",
        "文件格式错误，文件 bomb.dcm 不是DICOM文件!",
    )
    assert response.headers["X-Mock-Explain"] == f"body: the data set inflates to more than {INFLATED - MIB} bytes"
    assert client.get("/__admin/export").json["blobs"] == {}


def test_cad4tb_upload_refuses_the_bomb_as_an_invalid_file(client, bomb):
    response = client.post(
        "/cad4tb/api/v1/instance/upload/",
        headers={"X-USERNAME": "some-username", "X-PASSWORD": "some-password"},
        data={"Project": "some-project", "Archive": "some-archive", "file": (io.BytesIO(bomb), "bomb.dcm")},
    )
    assert response.status_code == 400
    assert response.json == {
        "status": "Error",
        "error": "invalid_post_value",
        "suberror": None,
        "message": "The submitted file is not a valid DICOM file",
    }
    assert response.headers["X-Mock-Explain"] == f"file: the data set inflates to more than {INFLATED - MIB} bytes"
    assert client.get("/__admin/export").json["blobs"] == {}
