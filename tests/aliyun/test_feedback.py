"""POST /dicom/api/submitAnalysisFeedback: credibility Y/N/UN per indexId, shown by getAnalysisResult."""

import pytest

from mockservers.dicom.synthetic import dx_file
from tests.aliyun.conftest import assert_envelope, ct_slices, fundus_file

# Findings are a function of the seed and the input bytes alone, so the input is chosen for a known draw:
# the CT series of seed 2 gives two nodules under seed 0 (seed 0's own series gives three).
TWO_NODULE_SERIES = 2


@pytest.fixture
def lung(aliyun):
    slices = ct_slices(3, seed=TWO_NODULE_SERIES)
    nodules = aliyun.analyse({f"{i}.dcm": s for i, s in enumerate(slices)}, study_type=1, key="ct")
    aliyun.nodules = nodules.json["data"]["imageDataList"]
    assert len(aliyun.nodules) == 2, "the input was chosen for a draw of two nodules"
    return aliyun


def feedback_body(items, study="1.2.3", study_type=1):
    return {
        "studyInstanceUid": study,
        "studyType": study_type,
        "data": [{"indexId": i, "credibility": c} for i, c in items],
    }


def test_feedback_shows_in_the_result(lung):
    first, second = lung.nodules[0]["indexId"], lung.nodules[1]["indexId"]
    assert_envelope(lung.feedback(feedback_body([(first, "Y"), (second, "UN")])), 200, "000000", "OK", data=True)
    after = lung.result(study_type=1).json["data"]["imageDataList"]
    assert [n["credibility"] for n in after[:2]] == ["Y", "UN"]
    assert all(n["credibility"] is None for n in after[2:])
    lung.feedback(feedback_body([(first, "N")]))
    assert lung.result(study_type=1).json["data"]["imageDataList"][0]["credibility"] == "N"
    assert [n["indexId"] for n in after] == [n["indexId"] for n in lung.nodules]


@pytest.mark.parametrize(
    "study_type, files, listname",
    [(2, {"a.dcm": dx_file(0, 1)}, "xRayDataList"), (3, {"a.dcm": fundus_file()}, "ocularDataList")],
)
def test_feedback_on_xray_and_fundus_is_accepted_and_items_keep_the_documented_keys(
    aliyun, study_type, files, listname
):
    """The document's feedback takes studyType 1-3, but its xRayDataList and ocularDataList have no credibility: a
    strict deserializer (Jackson, pydantic extra=forbid) must read the result before and after feedback alike."""
    [item] = aliyun.analyse(files, study_type=study_type, key="x").json["data"][listname]
    assert "credibility" not in item
    assert aliyun.feedback(feedback_body([(item["indexId"], "Y")], study_type=study_type)).json["data"] is True
    assert aliyun.result(study_type=study_type).json["data"][listname] == [item]
    unknown = feedback_body([("not-an-index", "Y")], study_type=study_type)
    assert_envelope(aliyun.feedback(unknown), 400, "100004", "参数错误: data[0].indexId", data=False)


@pytest.mark.parametrize(
    "change, field",
    [
        ({"studyInstanceUid": ""}, "studyInstanceUid"),
        ({"studyType": 4}, "studyType"),
        ({"studyType": "1"}, "studyType"),
        ({"data": []}, "data"),
        ({"data": "Y"}, "data"),
        ({"data": [{"indexId": "x", "credibility": "yes"}]}, "data.0.credibility"),
        ({"data": [{"credibility": "Y"}]}, "data.0.indexId"),
    ],
)
def test_body_is_validated(lung, change, field):
    body = {**feedback_body([(lung.nodules[0]["indexId"], "Y")]), **change}
    assert_envelope(lung.feedback(body), 400, "100004", f"参数错误: {field}", data=False)


def test_unknown_index_id_changes_nothing(lung):
    body = feedback_body([(lung.nodules[0]["indexId"], "Y"), ("not-an-index", "N")])
    assert_envelope(lung.feedback(body), 400, "100004", "参数错误: data[1].indexId", data=False)
    assert lung.result(study_type=1).json["data"]["imageDataList"][0]["credibility"] is None


def test_unknown_study_not_ready_and_auth(aliyun):
    assert_envelope(aliyun.feedback(feedback_body([("x", "Y")])), 404, "100008", data=False)
    aliyun.put_object("ct/1.dcm", ct_slices(1)[0])
    aliyun.execute(study_type=1, key="ct")
    assert_envelope(aliyun.feedback(feedback_body([("x", "Y")])), 200, "100007", data=False)
    assert_envelope(
        aliyun.feedback(feedback_body([("x", "Y")]), headers={"tokenId": "demo"}), 401, "100003", data=False
    )
