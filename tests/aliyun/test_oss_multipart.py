"""Multipart upload (initiate, upload part, list parts, complete, abort) and AppendObject, driven by the real oss2 SDK:
oss2.resumable_upload switches to multipart above its threshold (10 MB by default, lowered here to keep data
small), and a plain DR image is 18 MB."""

import hashlib
import os

import oss2
import pytest
import requests

from tests.aliyun.test_oss import KEY_ID, SECRET, signed_request, xml_error

PART = 100 * 1024  # OSS's smallest part but the last


@pytest.fixture
def bucket(mock_server):
    return oss2.Bucket(oss2.Auth(KEY_ID, SECRET), mock_server.base_url, "demo-bucket")


def data_of(size, seed=0):
    return bytes((i * 7 + seed) % 251 for i in range(size))


def closed(result):
    """CompleteMultipartUpload answers an XML body that oss2 never reads: closed here, or its connection stays open."""
    result.resp.response.close()
    return result


def multipart_etag(parts):
    return hashlib.md5(b"".join(hashlib.md5(p).digest() for p in parts)).hexdigest().upper() + f"-{len(parts)}"


def test_resumable_upload_above_its_threshold_goes_multipart(bucket, tmp_path, mock_server):
    data = data_of(2 * PART + 1000)
    path = tmp_path / "image.dcm"
    path.write_bytes(data)
    result = closed(
        oss2.resumable_upload(
            bucket,
            "studies/dr/image.dcm",
            str(path),
            store=oss2.ResumableStore(root=str(tmp_path)),
            multipart_threshold=PART,
            part_size=PART,
            num_threads=2,
        )
    )
    assert result.etag == multipart_etag([data[:PART], data[PART : 2 * PART], data[2 * PART :]])
    got = bucket.get_object("studies/dr/image.dcm")
    assert got.read() == data and got.object_type == "Multipart" and got.etag == result.etag
    calls = [(e["method"], e["query"].split("&")) for e in mock_server.admin.requests(vendor="aliyun")]
    assert sum(1 for method, query in calls if method == "POST" and "uploads=" in query) == 1
    assert sum(1 for method, query in calls if method == "PUT" and "partNumber=2" in query) == 1
    assert sum(1 for method, query in calls if method == "PUT" and "uploadId=" in " ".join(query)) == 3
    assert [o.key for o in oss2.ObjectIterator(bucket)] == ["studies/dr/image.dcm"], "no part is an object"


def test_resumable_upload_below_the_threshold_is_one_put(bucket, tmp_path):
    path = tmp_path / "small.dcm"
    path.write_bytes(b"small")
    result = oss2.resumable_upload(bucket, "small.dcm", str(path), multipart_threshold=PART)
    assert result.etag == hashlib.md5(b"small").hexdigest().upper()


def test_each_step_by_hand(bucket):
    upload_id = bucket.init_multipart_upload("k.dcm", headers={"Content-Type": "application/dicom"}).upload_id
    assert len(upload_id) == 32
    first, second = data_of(PART, 1), data_of(500, 2)
    put_second = bucket.upload_part("k.dcm", upload_id, 2, second)
    put_first = bucket.upload_part("k.dcm", upload_id, 1, first)
    assert put_first.etag == hashlib.md5(first).hexdigest().upper()
    listed = bucket.list_parts("k.dcm", upload_id)
    assert [(p.part_number, p.etag, p.size) for p in listed.parts] == [
        (1, put_first.etag, PART),
        (2, put_second.etag, 500),
    ]
    assert not listed.is_truncated
    assert not bucket.object_exists("k.dcm"), "nothing is an object before complete"
    parts = [oss2.models.PartInfo(1, put_first.etag), oss2.models.PartInfo(2, put_second.etag)]
    done = closed(bucket.complete_multipart_upload("k.dcm", upload_id, parts))
    assert done.etag == multipart_etag([first, second])
    with bucket.get_object("k.dcm") as got:
        assert got.read() == first + second and got.headers["Content-Type"] == "application/dicom"
    with pytest.raises(oss2.exceptions.NoSuchUpload):
        bucket.list_parts("k.dcm", upload_id)


def test_list_parts_pages(bucket):
    upload_id = bucket.init_multipart_upload("k").upload_id
    for n in (1, 2, 3):
        bucket.upload_part("k", upload_id, n, data_of(10, n))
    page = bucket.list_parts("k", upload_id, max_parts=2)
    assert [p.part_number for p in page.parts] == [1, 2] and page.is_truncated and page.next_marker == "2"
    assert [p.part_number for p in oss2.PartIterator(bucket, "k", upload_id, max_parts=2)] == [1, 2, 3]


def test_a_part_uploaded_again_replaces_the_first(bucket):
    upload_id = bucket.init_multipart_upload("k").upload_id
    bucket.upload_part("k", upload_id, 1, b"first")
    again = bucket.upload_part("k", upload_id, 1, b"second")
    closed(bucket.complete_multipart_upload("k", upload_id, [oss2.models.PartInfo(1, again.etag)]))
    assert bucket.get_object("k").read() == b"second"


def test_abort_drops_the_upload_and_its_parts(bucket, mock_server):
    upload_id = bucket.init_multipart_upload("k").upload_id
    bucket.upload_part("k", upload_id, 1, b"part")
    bucket.abort_multipart_upload("k", upload_id)
    with pytest.raises(oss2.exceptions.NoSuchUpload) as error:
        bucket.upload_part("k", upload_id, 2, b"late")
    assert error.value.status == 404
    with pytest.raises(oss2.exceptions.NoSuchUpload):
        bucket.abort_multipart_upload("k", upload_id)
    assert not bucket.object_exists("k")
    files = [f for _, _, names in os.walk(mock_server.runtime.blobs.root) for f in names]
    assert hashlib.sha256(b"part").hexdigest() not in files, "an aborted part's file is removed"


@pytest.mark.parametrize(
    "parts, code",
    [
        ([(1, "0" * 32)], "InvalidPart"),
        ([(3, None)], "InvalidPart"),
        ([(1, None), (2, None)], "EntityTooSmall"),
    ],
)
def test_a_bad_complete_is_refused_and_changes_nothing(bucket, parts, code):
    upload_id = bucket.init_multipart_upload("k").upload_id
    etags = {n: bucket.upload_part("k", upload_id, n, data_of(1000, n)).etag for n in (1, 2)}
    infos = [oss2.models.PartInfo(n, etag or etags.get(n, "0" * 32)) for n, etag in parts]
    with pytest.raises(oss2.exceptions.ServerError) as error:
        bucket.complete_multipart_upload("k", upload_id, infos)
    assert (error.value.status, error.value.code) == (400, code)
    assert not bucket.object_exists("k")
    assert [p.part_number for p in bucket.list_parts("k", upload_id).parts] == [1, 2], "the upload is still open"


def test_part_number_out_of_range_and_unknown_upload(bucket):
    upload_id = bucket.init_multipart_upload("k").upload_id
    for number in (0, 10001):
        with pytest.raises(oss2.exceptions.ServerError) as error:
            bucket.upload_part("k", upload_id, number, b"x")
        assert (error.value.status, error.value.code) == (400, "InvalidArgument")
    with pytest.raises(oss2.exceptions.NoSuchUpload):
        bucket.upload_part("other-key", upload_id, 1, b"x")  # an upload id belongs to its key
    with pytest.raises(oss2.exceptions.NoSuchUpload):
        bucket.complete_multipart_upload("k", "F" * 32, [oss2.models.PartInfo(1, "x")])


def test_list_multipart_uploads_is_not_served(bucket):
    with pytest.raises(oss2.exceptions.ServerError) as error:
        bucket.list_multipart_uploads()
    assert (error.value.status, error.value.code) == (400, "NotImplemented")


def test_malformed_or_unordered_complete_xml(mock_server, bucket):
    """What oss2 never sends (it sorts the parts itself), by hand."""
    upload_id = bucket.init_multipart_upload("k").upload_id
    etags = [bucket.upload_part("k", upload_id, n, data_of(PART, n)).etag for n in (1, 2)]
    query = f"uploadId={upload_id}"
    xml_error(signed_request(mock_server, "POST", "demo-bucket/k", query, b"<Oops/>"), 400, "MalformedXML")
    unordered = "".join(f'<Part><PartNumber>{n}</PartNumber><ETag>"{etags[n - 1]}"</ETag></Part>' for n in (2, 1))
    body = f"<CompleteMultipartUpload>{unordered}</CompleteMultipartUpload>".encode()
    xml_error(signed_request(mock_server, "POST", "demo-bucket/k", query, body), 400, "InvalidPartOrder")
    assert not bucket.object_exists("k")
    xml_error(signed_request(mock_server, "POST", "demo-bucket/k"), 405, "MethodNotAllowed")


def test_append_object(bucket):
    first = bucket.append_object("log.txt", 0, b"hello ")
    assert first.next_position == 6
    second = bucket.append_object("log.txt", first.next_position, b"world")
    assert second.next_position == 11
    got = bucket.get_object("log.txt")
    assert got.read() == b"hello world" and got.object_type == "Appendable"
    assert bucket.head_object("log.txt").headers["x-oss-next-append-position"] == "11"
    with pytest.raises(oss2.exceptions.PositionNotEqualToLength) as error:
        bucket.append_object("log.txt", 3, b"!")
    assert error.value.status == 409 and error.value.headers["x-oss-next-append-position"] == "11"
    assert bucket.get_object("log.txt").read() == b"hello world"


def test_append_to_a_normal_object_is_refused(bucket):
    bucket.put_object("normal", b"abc")
    with pytest.raises(oss2.exceptions.ObjectNotAppendable) as error:
        bucket.append_object("normal", 3, b"d")
    assert error.value.status == 409
    assert bucket.get_object("normal").read() == b"abc"
    with pytest.raises(oss2.exceptions.PositionNotEqualToLength):
        bucket.append_object("new", 5, b"d")
    assert not bucket.object_exists("new")


def test_an_appended_or_multipart_object_is_analysed_like_any(bucket, mock_server):
    """What executeAnalysis reads is the object's whole content, however it was uploaded."""
    from mockservers.dicom.synthetic import dx_file

    image = dx_file(0, 2)
    bucket.append_object("studies/appended/1.dcm", 0, image[:1000])
    bucket.append_object("studies/appended/1.dcm", 1000, image[1000:])
    body = {
        "studyInstanceUid": "appended",
        "studyType": 4,
        "accessKeyId": KEY_ID,
        "accessKeySecret": SECRET,
        "endpoint": "oss-cn-beijing.aliyuncs.com",
        "bucketName": "demo-bucket",
        "key": "studies/appended",
    }
    headers = {"tokenId": "demo", "namespace": "demo"}
    url = mock_server.url("aliyun") + "/dicom/api/"
    assert requests.post(url + "executeAnalysis", json=body, headers=headers).json()["returnCode"] == "000000"
    mock_server.admin.advance(3)
    query = {"studyInstanceUid": "appended", "studyType": 4}
    assert requests.get(url + "getAnalysisResult", params=query, headers=headers).json()["data"]["boxes"]
