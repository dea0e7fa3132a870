import base64
import hashlib
import json

import pytest

from mockservers.dicom.synthetic import dx_dataset, dx_file, to_part10
from tests.sigma.conftest import assert_error

WINDOWS_PATH = "C:\\Users\\12sigma\\Desktop\\1961551\\a_0136.dcm"


def _series(data):
    import io

    import pydicom

    return pydicom.dcmread(io.BytesIO(data), stop_before_pixels=True).SeriesInstanceUID


def test_open_upload_returns_the_documented_id_format(sigma, dx):
    response = sigma.open_upload(_series(dx), dirname="C:\\x")
    assert response.status_code == 200
    assert response.json["message"] == "Initial multi upload"
    assert response.json["message_chs"] == "初始化分块上传"
    upload_id = response.json["data"]["upload_id"]
    head, _, tail = upload_id.partition("_")
    assert len(head) == 32 and int(head, 16) >= 0 and tail == "182"


def test_form_encoded_upload_init_is_accepted(sigma, client, dx):
    response = client.post(
        f"/sigma/accounts/sigma/store/uploads/{_series(dx)}/",
        data={"quantity": "1", "converted": "1", "overwrite": "1"},
        headers=sigma.headers,
    )
    assert response.status_code == 200 and response.json["data"]["upload_id"].endswith("_182")


@pytest.mark.parametrize(
    "body, field, message",
    [
        ({"converted": "1", "overwrite": "1"}, "quantity", "Invalid input, the parameter quantity is required!"),
        (
            {"quantity": "0", "converted": "1", "overwrite": "1"},
            "quantity",
            "Invalid input, the input quantity is invalid!",
        ),
        (
            {"quantity": "x", "converted": "1", "overwrite": "1"},
            "quantity",
            "Invalid input, the input quantity is invalid!",
        ),
        (
            {"quantity": 1, "converted": "2", "overwrite": "1"},
            "converted",
            "Invalid input, the input converted is invalid!",
        ),
        ({"quantity": 1, "converted": "1"}, "overwrite", "Invalid input, the parameter overwrite is required!"),
    ],
)
def test_open_upload_validates_every_field(sigma, client, dx, body, field, message):
    response = client.post(
        f"/sigma/accounts/sigma/store/uploads/{_series(dx)}/", data=json.dumps(body), headers=sigma.headers
    )
    err = assert_error(response, 400, "InvalidParameter", message)
    assert f"（{field}）" in err["message_chs"]


def test_open_upload_rejects_a_body_that_is_not_an_object(sigma, client, dx):
    response = client.post(f"/sigma/accounts/sigma/store/uploads/{_series(dx)}/", data="[1, 2]", headers=sigma.headers)
    assert_error(response, 400, "InvalidParameter", "Invalid input, the input body is invalid!")


def test_put_stores_a_file_named_by_a_windows_path_and_echoes_it(sigma, client, dx):
    upload_id = sigma.open_upload(_series(dx)).json["data"]["upload_id"]
    encoded = WINDOWS_PATH.replace("\\", "%5C").replace(":", "%3A")
    response = sigma.put(encoded, dx, upload_id)
    assert response.status_code == 200
    assert response.json["message"] == f"Upload {WINDOWS_PATH} succeed"
    assert response.json["message_chs"] == f"文件 {WINDOWS_PATH} 上传成功"
    assert response.json["data"]["upload_id"] == upload_id
    assert len(response.json["data"]["store_id"]) == 24
    download = client.get(
        "/sigma/accounts/sigma/store/downloads/", query_string={"filename": "a_0136.dcm"}, headers=sigma.headers
    )
    assert download.status_code == 200 and download.data == dx


@pytest.mark.parametrize(
    "encode",
    [
        lambda d: hashlib.md5(d).hexdigest(),
        lambda d: hashlib.md5(d).hexdigest().upper(),
        lambda d: base64.b64encode(hashlib.md5(d).digest()).decode(),
    ],
)
def test_content_md5_in_hex_or_base64(sigma, dx, encode):
    upload_id = sigma.open_upload(_series(dx)).json["data"]["upload_id"]
    assert sigma.put("x.dcm", dx, upload_id, md5=encode(dx)).status_code == 200


def test_md5_mismatch_is_rejected_and_stores_nothing(sigma, client, dx):
    upload_id = sigma.open_upload(_series(dx)).json["data"]["upload_id"]
    response = sigma.put("x.dcm", dx, upload_id, md5=hashlib.md5(b"other").hexdigest())
    assert_error(
        response,
        400,
        "InvalidContentMD5",
        "Invalid Content-MD5, the md5 of the uploaded file does not match!",
        "Content-MD5错误，上传文件的md5值不匹配!",
    )
    missing = client.get(
        "/sigma/accounts/sigma/store/downloads/", query_string={"filename": "x.dcm"}, headers=sigma.headers
    )
    assert_error(missing, 404, "InternalServerError")


def test_missing_md5_is_invalid_parameter(sigma, client, dx):
    upload_id = sigma.open_upload(_series(dx)).json["data"]["upload_id"]
    response = client.put(
        "/sigma/accounts/sigma/store/uploads/x.dcm/",
        query_string={"upload_id": upload_id},
        data=dx,
        headers=sigma.headers,
    )
    assert_error(response, 400, "InvalidParameter", "Invalid input, the parameter Content-MD5 is required!")


@pytest.mark.parametrize("content", [b"not a dicom file at all", b"", dx_file()[:300]])
def test_non_dicom_is_refused(sigma, dx, content):
    upload_id = sigma.open_upload(_series(dx)).json["data"]["upload_id"]
    response = sigma.put("bad.dcm", content, upload_id)
    assert_error(
        response,
        400,
        "InvalidFileFormat",
        "Invalid file format, the file bad.dcm is not a DICOM file!",
        "文件格式错误，文件 bad.dcm 不是DICOM文件!",
    )


def test_unknown_upload_id(sigma, dx):
    response = sigma.put("x.dcm", dx, "0" * 32 + "_182")
    assert_error(
        response,
        404,
        "InternalServerError",
        "An internal exception is raised, message: upload file failed, the upload is not exist or deleted.",
        "服务内部错误",
    )


def test_missing_upload_id(sigma, client, dx):
    response = client.put(
        "/sigma/accounts/sigma/store/uploads/x.dcm/",
        data=dx,
        headers={**sigma.headers, "Content-MD5": hashlib.md5(dx).hexdigest()},
    )
    assert_error(response, 400, "InvalidParameter", "Invalid input, the parameter upload_id is required!")


def test_file_of_another_series_is_refused(sigma, dx):
    upload_id = sigma.open_upload("1.2.3.4").json["data"]["upload_id"]
    response = sigma.put("x.dcm", dx, upload_id)
    assert_error(response, 400, "InvalidParameter", "Invalid input, the input groupname is invalid!")


def test_more_files_than_quantity_are_refused_and_the_last_carries_store_id(sigma):
    ds1 = dx_dataset(seed=0, index=5)
    ds2 = dx_dataset(seed=0, index=6, SeriesInstanceUID=ds1.SeriesInstanceUID, StudyInstanceUID=ds1.StudyInstanceUID)
    ds3 = dx_dataset(seed=0, index=7, SeriesInstanceUID=ds1.SeriesInstanceUID, StudyInstanceUID=ds1.StudyInstanceUID)
    upload_id = sigma.open_upload(ds1.SeriesInstanceUID, quantity=2).json["data"]["upload_id"]
    first = sigma.put("1.dcm", to_part10(ds1), upload_id)
    assert first.status_code == 200 and "store_id" not in first.json["data"]
    second = sigma.put("2.dcm", to_part10(ds2), upload_id)
    assert second.status_code == 200 and "store_id" in second.json["data"]
    third = sigma.put("3.dcm", to_part10(ds3), upload_id)
    assert_error(
        third,
        400,
        "UploadQuantityExceeded",
        "Upload failed, all files of the upload have been uploaded!",
        "上传失败，该上传的所有文件均已上传!",
    )


def test_overwrite_zero_refuses_a_file_that_exists(sigma, dx):
    series = _series(dx)
    first = sigma.open_upload(series, overwrite=1).json["data"]["upload_id"]
    assert sigma.put("x.dcm", dx, first).status_code == 200
    second = sigma.open_upload(series, overwrite=0).json["data"]["upload_id"]
    response = sigma.put("x.dcm", dx, second)
    assert_error(
        response,
        409,
        "FileAlreadyExists",
        "Upload x.dcm failed, the file already exists and overwrite is not allowed!",
        "文件 x.dcm 上传失败，文件已存在且不允许覆盖!",
    )


def test_overwrite_one_replaces_the_file(sigma, client):
    ds = dx_dataset(seed=0, index=9)
    first = to_part10(ds)
    ds.PatientID = "REPLACED"
    second = to_part10(ds)
    for content in (first, second):
        upload_id = sigma.open_upload(ds.SeriesInstanceUID).json["data"]["upload_id"]
        assert sigma.put("x.dcm", content, upload_id).status_code == 200
    download = client.get(
        "/sigma/accounts/sigma/store/downloads/", query_string={"filename": "x.dcm"}, headers=sigma.headers
    )
    assert download.data == second


def test_oversized_body_is_413_in_the_envelope():
    from mockservers.app import create_app
    from tests.machinery import test_settings

    app = create_app(test_settings(max_body_mb=1), start_background=False)
    c = app.test_client()
    response = c.put("/sigma/accounts/sigma/store/uploads/x.dcm/?upload_id=1", data=b"\0" * (1024 * 1024 + 1))
    assert_error(response, 413, "RequestEntityTooLarge", "The request body is too large!", "请求数据过大!")


def test_an_overwritten_file_leaves_the_disk(mock_app):
    import os

    from tests.sigma.conftest import Sigma

    s = Sigma(mock_app.test_client())
    assert s.login().status_code == 200
    root = mock_app.extensions["mockservers"].blobs.root
    first = dx_file(seed=0, index=0)
    second = dx_file(seed=0, index=1, SeriesInstanceUID=s.upload(first).SeriesInstanceUID)
    s.upload(second)  # the same series and file name, overwrite 1
    assert sorted(n for _, _, names in os.walk(root) for n in names) == [hashlib.sha256(second).hexdigest()]


@pytest.mark.parametrize(
    "sent, path",
    [
        ("/home/12sigma/1961551/a_0136.dcm", "/home/12sigma/1961551/a_0136.dcm"),  # the SDK on Linux: uploads//home/
        ("%2Fhome%2F12sigma%2F1961551%2Fa_0136.dcm", "/home/12sigma/1961551/a_0136.dcm"),
        ("/Users/12sigma/My%20Scans/a_0136.dcm", "/Users/12sigma/My Scans/a_0136.dcm"),
        ("1961551/a_0136.dcm", "1961551/a_0136.dcm"),
    ],
)
def test_put_stores_a_file_named_by_a_unix_path_and_echoes_it(sigma, client, dx, sent, path):
    upload_id = sigma.open_upload(_series(dx)).json["data"]["upload_id"]
    response = sigma.put(sent, dx, upload_id)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.json["message"] == f"Upload {path} succeed"
    assert response.json["message_chs"] == f"文件 {path} 上传成功"
    for name in ("a_0136.dcm", path):
        download = client.get(
            "/sigma/accounts/sigma/store/downloads/", query_string={"filename": name}, headers=sigma.headers
        )
        assert download.status_code == 200 and download.data == dx


def test_put_of_a_path_without_a_file_name_is_refused(sigma, client, dx):
    upload_id = sigma.open_upload(_series(dx)).json["data"]["upload_id"]
    for folder in ("", "/", "/home/12sigma/"):  # an empty segment before the closing slash: no such URL
        assert_error(sigma.put(folder, dx, upload_id), 404, "NotFound")
    response = sigma.put("C%3A%5Cscans%5C", dx, upload_id)
    assert_error(response, 400, "InvalidParameter", "Invalid input, the input filename is invalid!")
    assert response.headers["X-Mock-Explain"] == "filename: 'C:\\\\scans\\\\' names a folder, not a file"
    assert sigma.put("a.dcm", dx, upload_id).json["data"].get("store_id"), "the refused PUTs counted no file"


def test_the_put_that_completes_the_upload_has_store_id_at_the_top_level_too(sigma):
    """The SDK stops its PUT loop on `'store_id' in ret.keys()` (specs README)."""
    ds1 = dx_dataset(seed=0, index=5)
    ds2 = dx_dataset(seed=0, index=6, SeriesInstanceUID=ds1.SeriesInstanceUID, StudyInstanceUID=ds1.StudyInstanceUID)
    upload_id = sigma.open_upload(ds1.SeriesInstanceUID, quantity=2).json["data"]["upload_id"]
    first = sigma.put(f"{ds1.SOPInstanceUID}.dcm", to_part10(ds1), upload_id).json
    assert "store_id" not in first and "store_id" not in first["data"]
    second = sigma.put(f"{ds2.SOPInstanceUID}.dcm", to_part10(ds2), upload_id).json
    assert list(second) == ["url", "message", "message_chs", "data", "error", "store_id"]
    assert second["store_id"] == second["data"]["store_id"] and len(second["store_id"]) == 24
    assert second["error"] == {"message": "", "code": "", "message_chs": ""}
