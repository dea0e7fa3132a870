"""GET /dicom/api/getAnalysisResult: the data block of each study type, not ready, unknown, failed."""

import uuid

import pytest

from mockservers.dicom.synthetic import dx_file
from tests.aliyun.conftest import Aliyun, assert_envelope, ct_slices, fundus_file, picture

LISTS = ["boxes", "ocularDataList", "xRayDataList", "imageDataList"]


def data_of(response, study_type, study="1.2.3"):
    data = assert_envelope(response, 200, "000000", "OK")["data"]
    assert list(data) == ["studyInstanceUid", "studyType", *LISTS]
    assert data["studyInstanceUid"] == study and data["studyType"] == study_type
    own = {1: "imageDataList", 2: "xRayDataList", 3: "ocularDataList", 4: "boxes"}[study_type]
    assert all(data[name] == [] for name in LISTS if name != own), "only the study type's own list is filled"
    return data[own]


def is_uuid(value):
    return str(uuid.UUID(value)) == value


def test_lung_nodule_ct(aliyun):
    slices = ct_slices(4, seed=1)
    nodules = data_of(aliyun.analyse({f"{i}.dcm": s for i, s in enumerate(slices)}, study_type=1, key="ct"), 1)
    assert nodules, "seed 0 finds nodules in seed 1's series"
    for n in nodules:
        assert list(n) == [
            "indexId",
            "seriesInstanceUid",
            "spacing",
            "origin",
            "x",
            "y",
            "z",
            "diameter",
            "confidence",
            "credibility",
            "category",
            "lung",
            "lobe",
        ]
        assert is_uuid(n["indexId"]) and n["seriesInstanceUid"].startswith("1.2.826.0.1.3680043.8.498.")
        assert n["spacing"] == [0.139, 0.139, 1.25] and n["origin"] == [-150.0, -150.0, -100.0]
        assert all(isinstance(n[k], float) for k in ("x", "y", "z", "diameter", "confidence"))
        assert -100.0 <= n["z"] <= -100.0 + 3 * 1.25 and 0 < n["confidence"] < 1
        assert n["credibility"] is None
        assert n["category"] in ("ggo", "solid", "part-solid", "unknown")
        assert n["lung"] in ("left", "right", "unknow") and n["lobe"] in ("up", "middle", "down", "unknow")


def test_chest_xray(aliyun):
    [item] = data_of(aliyun.analyse({"pa.dcm": dx_file(0, 1)}, study_type=2, key="cxr"), 2)
    assert list(item) == ["indexId", "posProb", "posMap"], "the document's xRayDataList keys, no credibility"
    assert is_uuid(item["indexId"]) and 0 < item["posProb"] < 1
    assert item["posMap"] and all(len(p) == 2 and all(isinstance(v, float) for v in p) for p in item["posMap"])


def test_chest_xray_one_item_per_image_jpeg_too(aliyun):
    items = data_of(aliyun.analyse({"a.dcm": dx_file(0, 1), "b.jpg": picture("JPEG")}, study_type=2, key="c"), 2)
    assert len(items) == 2 and items[0]["indexId"] != items[1]["indexId"]


@pytest.mark.parametrize("laterality, eye", [("L", "OS"), ("R", "OD")])
def test_fundus(aliyun, laterality, eye):
    [item] = data_of(aliyun.analyse({"eye.dcm": fundus_file(laterality)}, study_type=3, key="eye"), 3)
    assert list(item) == [
        "indexId",
        "analysisInstanceUid",
        "eye",
        "dr",
        "dme",
        "confidence",
        "imgCenter",
        "imgQuality",
        "inspection",
        "inspectionModel",
    ], "the document's ocularDataList keys, no credibility"
    assert item["eye"] == eye and item["dr"] in range(5) and item["dme"] in (0, 1)
    assert item["imgCenter"] in ("DISC", "MACULA")
    assert item["imgQuality"] in ("VERY_GOOD", "GOOD", "NEUTRAL", "POOR", "VERY_POOR")
    assert item["inspectionModel"] in ("AIFC40", "AIFC50", "AIFC60", "AIFC70", "AIFC80")
    assert ("未见 DME 特征" if item["dme"] == 0 else "可见 DME 特征") in item["inspection"]
    assert ("未见明显异常特征" in item["inspection"]) == (item["dr"] == 0)


@pytest.mark.parametrize(
    "name, data", [("knee.dcm", dx_file(0, 2)), ("knee.png", picture("PNG")), ("knee.jpg", picture("JPEG", (640, 480)))]
)
def test_bone_joint_boxes(aliyun, name, data):
    boxes = data_of(aliyun.analyse({name: data}, study="knee,left.jpg", study_type=4, key="k"), 4, "knee,left.jpg")
    assert 1 <= len(boxes) <= 2
    for box in boxes:
        assert list(box) == ["boxUid", "coordinates", "class"]
        assert len(box["boxUid"]) == 5 and box["boxUid"].isdigit()
        x1, y1, x2, y2 = box["coordinates"]
        assert all(isinstance(v, int) for v in box["coordinates"]) and 0 <= x1 < x2 and 0 <= y1 < y2
        assert box["class"] in ("KL0级", "KL1级", "KL2级", "KL3级", "KL4级")


def test_results_are_deterministic(mock_app):
    from mockservers.app import create_app
    from tests.machinery import test_settings

    other = create_app(test_settings(), start_background=False)
    try:
        runs = [Aliyun(app).analyse({"1.dcm": dx_file(0, 3)}, study_type=2).json["data"] for app in (mock_app, other)]
    finally:
        other.extensions["mockservers"].close()
    assert runs[0] == runs[1]


def test_not_ready_then_ready(aliyun):
    aliyun.put_object("studies/knee/1.dcm", dx_file(0, 0))
    aliyun.execute()
    assert_envelope(aliyun.result(), 200, "100007", "分析结果未就绪", data=None)
    aliyun.advance(2.9)
    assert aliyun.result().json["returnCode"] == "100007"
    aliyun.advance(0.1)
    assert aliyun.result().json["returnCode"] == "000000"


def test_unknown_study(aliyun):
    assert_envelope(aliyun.result("never"), 404, "100008", "检查不存在", data=None)
    aliyun.analyse({"1.dcm": dx_file(0, 0)})
    assert aliyun.result(study_type=2).json["returnCode"] == "100008"
    other = {"tokenId": "demo2", "namespace": "demo2"}
    aliyun.runtime.settings.vendor_config = {"aliyun": {"tenants": {"demo2": {"tokenId": "demo2"}}}}
    assert aliyun.result(headers=other).json["returnCode"] == "100008", "namespaces do not see each other"


@pytest.mark.parametrize(
    "query, field",
    [
        ({"studyType": 4}, "studyInstanceUid"),
        ({"studyInstanceUid": "x"}, "studyType"),
        ({"studyInstanceUid": "x", "studyType": "five"}, "studyType"),
        ({"studyInstanceUid": "x", "studyType": 9}, "studyType"),
    ],
)
def test_query_is_validated(aliyun, query, field):
    response = aliyun.c.get(
        "/aliyun/dicom/api/getAnalysisResult", query_string=query, headers={"tokenId": "demo", "namespace": "demo"}
    )
    assert_envelope(response, 400, "100004", f"参数错误: {field}", data=None)


def test_needs_token(aliyun):
    assert_envelope(aliyun.result(headers={}), 401, "100002", data=None)


@pytest.mark.parametrize(
    "study_type, files, message",
    [
        (1, {"a.png": picture()}, "影像文件无法分析: s/a.png 不是DICOM文件"),
        (1, {"a.dcm": dx_file(0, 0)}, "影像文件无法分析: s/a.dcm 的Modality为DX，肺结节CT分析需要CT"),
        (3, {"a.dcm": dx_file(0, 0)}, "影像文件无法分析: s/a.dcm 的Modality为DX，眼底分析需要OP/XC"),
        (4, {"a.txt": b"hello"}, "影像文件无法分析: s/a.txt 不是DICOM、JPEG或PNG文件"),
    ],
)
def test_unanalysable_input_fails_the_analysis(aliyun, study_type, files, message):
    response = aliyun.analyse(files, study_type=study_type, key="s")
    assert_envelope(response, 200, "100010", message, data=None)


def test_input_deleted_before_the_analysis_ran(aliyun):
    aliyun.put_object("s/1.dcm", dx_file(0, 0))
    aliyun.execute(key="s")
    aliyun.delete_object("s/1.dcm")
    aliyun.advance(3)
    assert_envelope(aliyun.result(), 200, "100005", "OSS文件不存在: s/1.dcm", data=None)


@pytest.mark.parametrize("code, expected", [("100010", "100010"), ("100005", "100005"), ("nonsense", "100001")])
def test_fail_job_fault(aliyun, code, expected):
    aliyun.c.post(
        "/__admin/faults",
        json={
            "vendor": "aliyun",
            "path": "/aliyun/dicom/api/executeAnalysis",
            "times": 1,
            "action": {"fail_job": code},
        },
    )
    response = aliyun.analyse({"1.dcm": dx_file(0, 0)})
    assert response.json["returnCode"] == expected and response.json["success"] is False


def test_fault_error_renders_the_catalog_envelope(aliyun):
    aliyun.c.post(
        "/__admin/faults",
        json={
            "vendor": "aliyun",
            "path": "/aliyun/dicom/api/getAnalysisResult",
            "times": 1,
            "action": {"error": "100001"},
        },
    )
    assert_envelope(aliyun.result(), 500, "100001", "系统内部错误", data=None)
    assert aliyun.result().json["returnCode"] == "100008"


def test_unparseable_dicom_header_fails_the_analysis(aliyun):
    bad = dx_file(0, 0, Modality="CT", ImagePositionPatient=[1.0, 2.0])
    response = aliyun.analyse({"a.dcm": bad}, study_type=1, key="s")
    assert_envelope(response, 200, "100010", "影像文件无法分析: s/a.dcm 的DICOM头无法解析", data=None)


def test_a_bug_in_the_analysis_is_reported_not_left_running(aliyun, monkeypatch):
    from mockservers.aliyun import results

    def explode(*args):
        raise RuntimeError("boom")

    monkeypatch.setattr(results, "analysis_data", explode)
    response = aliyun.analyse({"1.dcm": dx_file(0, 0)})
    assert_envelope(response, 200, "100001", "系统内部错误", data=None)


def test_the_result_read_without_the_orm_is_the_orms(aliyun):
    """getAnalysisResult reads the analysis as a Record (core/prepared.py): every column as the ORM reads it, the
    JSON ones decoded on any database."""
    from mockservers.aliyun.backend import AliyunBackend
    from mockservers.aliyun.models import Analysis

    data_of(aliyun.analyse({"1.dcm": dx_file(seed=0, index=1)}, study_type=2, key="cxr"), 2)
    with aliyun.runtime.store.transaction() as db:
        backend = AliyunBackend(aliyun.runtime.context(db, "aliyun"))
        record = backend._analysis_read("demo", "1.2.3", 2)
        orm = backend._analysis("demo", "1.2.3", 2)
        assert record is not None and orm is not None
        for column in Analysis.__table__.columns:
            assert getattr(record, column.name) == getattr(orm, column.name), column.name
        assert isinstance(record.result, dict) and isinstance(record.objects, list)
        assert backend._analysis_read("demo", "1.2.3", 1) is None
