"""DeleteTests.cs (the C# fixture's client is Latest: /v2), driven through dicomweb-client, the natural client
for store, retrieve and delete; retrieving as stored (transfer-syntax *) as the C# client's default does."""

from __future__ import annotations

import pytest
from requests import HTTPError

from tests.msdicom.conformance.samples import part10, random_instance, read

AS_STORED = (("application/dicom", "*"),)


def create(dwc, uid, study, series, sop):
    """DeleteTests.CreateFileAsync: Samples.CreateRandomDicomFile with the given UIDs, stored."""
    dwc.store_instances([read(part10(random_instance(uid, study, series, sop)))])


def status_of(call, *args, **kwargs) -> int:
    try:
        call(*args, **kwargs)
    except HTTPError as error:
        return error.response.status_code
    return 200


def assert_all_removed(dwc, study, series, sop):
    """VerifyAllRemoval: the instance, its series and its study are 404."""
    assert status_of(dwc.retrieve_instance, study, series, sop, media_types=AS_STORED) == 404
    assert status_of(dwc.retrieve_series, study, series, media_types=AS_STORED) == 404
    assert status_of(dwc.retrieve_study, study, media_types=AS_STORED) == 404


def remaining_in_series(dwc, study, series) -> int:
    return len(dwc.retrieve_series(study, series, media_types=AS_STORED))


def remaining_in_study(dwc, study) -> int:
    return len(dwc.retrieve_study(study, media_types=AS_STORED))


def delete_with_dicomweb_client(dwc, level: str, study, series, sop):
    {
        "study": lambda: dwc.delete_study(study),
        "series": lambda: dwc.delete_series(study, series),
        "instance": lambda: dwc.delete_instance(study, series, sop),
    }[level]()


def level_path(level: str, study, series, sop) -> str:
    return {
        "study": f"/studies/{study}",
        "series": f"/studies/{study}/series/{series}",
        "instance": f"/studies/{study}/series/{series}/instances/{sop}",
    }[level]


def deleting_one_instance_removes_every_level(dwc, v2, uid, level: str):
    """The bodies of GivenAnExisting{Instance,Series,Study}_WhenDeleting..._NoContentAndAllLevelsShouldBeRemoved:
    the 204 is seen on a raw DELETE, as dicomweb-client does not show it."""
    study, series, sop = uid(), uid(), uid()
    create(dwc, uid, study, series, sop)
    assert v2.delete(level_path(level, study, series, sop)).status_code == 204
    assert_all_removed(dwc, study, series, sop)


def deleting_twice_is_not_found(dwc, uid, level: str):
    """The bodies of GivenAnExisting{Instance,Series,Study}_WhenDeleting...SecondTime_TheServerShouldReturnNotFound."""
    study, series, sop = uid(), uid(), uid()
    create(dwc, uid, study, series, sop)
    delete_with_dicomweb_client(dwc, level, study, series, sop)
    assert_all_removed(dwc, study, series, sop)
    assert status_of(delete_with_dicomweb_client, dwc, level, study, series, sop) == 404


def delete_the_instance_of_one_of_two_series(dwc, uid):
    """The body both GivenMultipleSeriesInStudy_WhenDeleting{Instance,Series} tests share in C#: one instance in
    each of two series, the first deleted; its series goes, the other stays."""
    study, series1, series2, sop1, sop2 = uid(), uid(), uid(), uid(), uid()
    create(dwc, uid, study, series1, sop1)
    create(dwc, uid, study, series2, sop2)
    dwc.delete_instance(study, series1, sop1)
    assert status_of(dwc.retrieve_instance, study, series1, sop1, media_types=AS_STORED) == 404
    assert status_of(dwc.retrieve_series, study, series1, media_types=AS_STORED) == 404
    assert remaining_in_series(dwc, study, series2) == 1
    assert remaining_in_study(dwc, study) == 1


def test_given_existing_instance_when_deleting_instance_then_no_content_and_all_levels_removed(dwc, v2, uid):
    """GivenAnExistingInstance_WhenDeletingInstance_TheServerShouldReturnNoContentAndAllLevelsShouldBeRemoved."""
    deleting_one_instance_removes_every_level(dwc, v2, uid, "instance")


def test_given_existing_instance_when_deleting_instance_second_time_then_not_found(dwc, uid):
    """GivenAnExistingInstance_WhenDeletingInstanceSecondTime_TheServerShouldReturnNotFound."""
    deleting_twice_is_not_found(dwc, uid, "instance")


def test_given_two_instances_in_series_when_deleting_instance_then_only_target_deleted(dwc, uid):
    """GivenMultipleSeries_WhenDeletingInstance_TheServerShouldReturnNoContentAndOnlyTargetInstanceIsDeleted."""
    study, series, sop1, sop2 = uid(), uid(), uid(), uid()
    create(dwc, uid, study, series, sop1)
    create(dwc, uid, study, series, sop2)
    dwc.delete_instance(study, series, sop1)
    assert status_of(dwc.retrieve_instance, study, series, sop1, media_types=AS_STORED) == 404
    assert remaining_in_series(dwc, study, series) == 1


def test_given_two_series_when_deleting_instance_then_only_target_series_deleted(dwc, uid):
    """GivenMultipleSeriesInStudy_WhenDeletingInstance_TheServerShouldReturnNoContentAndOnlyTargetSeriesIsDeleted."""
    delete_the_instance_of_one_of_two_series(dwc, uid)


def test_given_multiple_instances_in_series_when_deleting_instance_then_only_target_deleted(dwc, uid):
    """GivenMultipleInstancesInSeries_WhenDeletingInstance_TheServerShouldReturnNoContentAndOnlyTargetInstanceIsDeleted."""
    study, series1, series2, sop1, sop2, sop3 = (uid() for _ in range(6))
    create(dwc, uid, study, series1, sop1)
    create(dwc, uid, study, series1, sop3)
    create(dwc, uid, study, series2, sop2)
    dwc.delete_instance(study, series1, sop1)
    assert status_of(dwc.retrieve_instance, study, series1, sop1, media_types=AS_STORED) == 404
    assert remaining_in_series(dwc, study, series1) == 1
    assert remaining_in_series(dwc, study, series2) == 1
    assert remaining_in_study(dwc, study) == 2


def test_given_existing_series_when_deleting_series_then_no_content_and_all_levels_removed(dwc, v2, uid):
    """GivenAnExistingSeries_WhenDeletingSeries_TheServerShouldReturnNoContentAndAllLevelsShouldBeRemoved."""
    deleting_one_instance_removes_every_level(dwc, v2, uid, "series")


def test_given_existing_series_when_deleting_series_second_time_then_not_found(dwc, uid):
    """GivenAnExistingSeries_WhenDeletingSeriesSecondTime_TheServerShouldReturnNotFound."""
    deleting_twice_is_not_found(dwc, uid, "series")


def test_given_multiple_instances_in_series_when_deleting_series_then_all_levels_removed(dwc, uid):
    """GivenAnMultipleInstancesInExistingSeries_WhenDeletingSeries_TheServerShouldReturnNoContentAndAllLevelsShouldBeRemoved."""
    study, series, sop1, sop2 = uid(), uid(), uid(), uid()
    create(dwc, uid, study, series, sop1)
    create(dwc, uid, study, series, sop2)
    dwc.delete_series(study, series)
    assert_all_removed(dwc, study, series, sop1)
    assert_all_removed(dwc, study, series, sop2)


def test_given_two_series_when_deleting_series_then_only_target_series_deleted(dwc, uid):
    """GivenMultipleSeriesInStudy_WhenDeletingSeries_TheServerShouldReturnNoContentAndOnlyTargetSeriesIsDeleted
    (the C# test deletes the instance, not the series, as here)."""
    delete_the_instance_of_one_of_two_series(dwc, uid)


def test_given_existing_study_when_deleting_study_then_no_content_and_all_levels_removed(dwc, v2, uid):
    """GivenExistingStudy_WhenDeletingStudy_TheServerShouldReturnNoContentAndAllLevelsShouldBeRemoved."""
    deleting_one_instance_removes_every_level(dwc, v2, uid, "study")


def test_given_existing_study_when_deleting_study_second_time_then_not_found(dwc, uid):
    """GivenAnExistingStudy_WhenDeletingStudySecondTime_TheServerShouldReturnNotFound."""
    deleting_twice_is_not_found(dwc, uid, "study")


def test_given_study_with_several_items_per_level_when_deleting_study_then_all_levels_removed(dwc, uid):
    """GivenExistingStudyWithMultipleItemsInEachLevel_WhenDeletingStudy_TheServerShouldReturnNoContentAndAllLevelsShouldBeRemoved."""
    study, series1, series2, sop1, sop2, sop3 = (uid() for _ in range(6))
    create(dwc, uid, study, series1, sop1)
    create(dwc, uid, study, series2, sop2)
    create(dwc, uid, study, series2, sop3)
    dwc.delete_study(study)
    for series, sop in ((series1, sop1), (series2, sop2), (series2, sop3)):
        assert_all_removed(dwc, study, series, sop)


@pytest.mark.parametrize("study", ["notAStudyInstanceUid"])
def test_given_bad_study_uid_when_deleting_then_bad_request(v2, study):
    """GivenABadStudyInstanceUid_WhenDeleting_TheServerShouldReturnBackRequest, row "notAStudyInstanceUid"."""
    assert v2.delete(f"/studies/{study}").status_code == 400


@pytest.mark.parametrize(
    "study,series",
    [
        ("notAStudyInstanceUid", "notASeriesInstanceUid"),
        ("2.25.106797093114774953545959916858814568441", "notASeriesInstanceUid"),
    ],
)
def test_given_bad_series_uid_when_deleting_then_bad_request(v2, study, series):
    """GivenABadSeriesInstanceUid_WhenDeleting_TheServerShouldReturnBackRequest, its two rows."""
    assert v2.delete(f"/studies/{study}/series/{series}").status_code == 400


@pytest.mark.parametrize(
    "study,series,sop",
    [
        ("notAStudyInstanceUid", "notASeriesInstanceUid", "notASopInstanceUid"),
        (
            "2.25.106797093114774953545959916858814568441",
            "2.25.106797093114774953545959916858814568442",
            "notASopInstanceUid",
        ),
    ],
)
def test_given_bad_sop_uid_when_deleting_then_bad_request(v2, study, series, sop):
    """GivenABadSopInstanceUid_WhenDeleting_TheServerShouldReturnBackRequest, its two rows."""
    assert v2.delete(f"/studies/{study}/series/{series}/instances/{sop}").status_code == 400
