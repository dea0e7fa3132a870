"""Each vendor's findings in the DICOMweb view as a DICOM SR measurement report (TID 1500, highdicom): a series of
the source study, each box a closed POLYLINE on the image it lies on, the label the finding type (Chinese too), the
score a measurement; the same bytes from the same seed and inputs."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import highdicom as hd
import pydicom
import pytest

from mockservers.app import create_app
from mockservers.dicom.synthetic import dx_file
from tests.admin.conftest import cad4tb_upload, dicomweb, header, sigma_findings, value
from tests.aliyun.conftest import Aliyun, ct_slices
from tests.machinery import test_settings

SR_CLASS = "1.2.840.10008.5.1.4.1.1.88.33"  # Comprehensive SR


def reports_of(view, study: str) -> list[pydicom.Dataset]:
    """The SR instances of a study, as retrieved from the view."""
    found = []
    for series in view.search_for_series(study, search_filters={"Modality": "SR"}):
        uid = value(series, "0020000E")
        sops = [value(i, "00080018") for i in view.search_for_instances(study, uid)]
        found += [view.retrieve_instance(study, uid, sop) for sop in sops]
    return found


def groups(report: pydicom.Dataset) -> list:
    sr = hd.sr.srread(io.BytesIO(_bytes(report)))
    return sr.content.get_planar_roi_measurement_groups()


def _bytes(ds: pydicom.Dataset) -> bytes:
    out = io.BytesIO()
    ds.save_as(out, enforce_file_format=True)
    return out.getvalue()


def corners(box) -> list[float]:
    x1, y1, x2, y2 = (float(v) for v in box)
    return [x1, y1, x2, y1, x2, y2, x1, y2, x1, y1]


def score_of(group) -> float | None:
    measurements = group.get_measurements()
    return measurements[0].value if measurements else None


@pytest.fixture
def sigma_study(client):
    """A sigma study whose job found something, with its findings as the dashboard has them."""
    uploaded = sigma_findings(client)
    studies = client.get("/__admin/studies", query_string={"vendor": "sigma"}).json["studies"]
    with_findings = [s for s in studies if s["findings"]]
    assert with_findings, "seed 0 finds something on one of the four images"
    series = with_findings[0]["id"]
    (image,) = [ds for ds in uploaded if ds.SeriesInstanceUID == series]
    return image, with_findings[0]["findings"]


def test_sigma_findings_are_a_tid_1500_report(client, sigma_study):
    image, findings = sigma_study
    view = dicomweb(client, "/__admin/dicomweb")
    (series,) = view.search_for_series(image.StudyInstanceUID, search_filters={"Modality": "SR"})
    assert value(series, "0008103E") == "sigma: findings (sigma-dr-mock-1.0)"
    (report,) = reports_of(view, image.StudyInstanceUID)
    assert report.SOPClassUID == SR_CLASS and report.Modality == "SR"
    assert report.StudyInstanceUID == image.StudyInstanceUID and report.PatientID == image.PatientID
    assert report.SpecificCharacterSet == "ISO_IR 192"
    assert report.ContentTemplateSequence[0].TemplateIdentifier == "1500"
    found = groups(report)
    assert len(found) == len(findings)
    chinese = {"nodule": "结节", "mass": "肿块", "consolidation": "实变", "pneumothorax": "气胸", "fracture": "骨折"}
    chinese |= {"pleural_effusion": "胸腔积液", "cardiomegaly": "心影增大", "tuberculosis": "肺结核"}
    for group, finding in zip(found, findings, strict=True):
        region = group.roi
        assert region.GraphicType == "POLYLINE"
        assert [float(v) for v in region.GraphicData] == pytest.approx(corners(finding["box"]))
        assert region.ContentSequence[0].ReferencedSOPSequence[0].ReferencedSOPInstanceUID == image.SOPInstanceUID
        label = f"{chinese[finding['label']]} ({finding['label']})"
        assert group.finding_type.meaning == label
        assert str(group.tracking_identifier) == label
        assert score_of(group) == pytest.approx(finding["score"])


def test_a_report_is_dated_by_its_result(client, sigma_study):
    image, _ = sigma_study
    (report,) = reports_of(dicomweb(client, "/__admin/dicomweb"), image.StudyInstanceUID)
    jobs = [j for j in client.get("/__admin/jobs").json["jobs"] if image.SeriesInstanceUID in j["detail"]]
    moment = datetime.fromtimestamp(jobs[0]["updated_at"], UTC)
    assert (report.ContentDate, report.ContentTime) == (moment.strftime("%Y%m%d"), moment.strftime("%H%M%S"))
    assert (report.InstanceCreationDate, report.InstanceCreationTime) == (report.ContentDate, report.ContentTime)


def _sigma_report_bytes() -> bytes:
    app = create_app(test_settings(), start_background=False)
    client = app.test_client()
    uploaded = sigma_findings(client)
    view = client.get("/__admin/dicomweb/series", query_string={"Modality": "SR"}).json
    assert view, "a report"
    study, series = value(view[0], "0020000D"), value(view[0], "0020000E")
    (instance,) = client.get(f"/__admin/dicomweb/studies/{study}/series/{series}/instances").json
    answer = client.get(
        f"/__admin/dicomweb/studies/{study}/series/{series}/instances/{value(instance, '00080018')}",
        headers={"Accept": 'multipart/related; type="application/dicom"'},
    )
    assert answer.status_code == 200 and uploaded
    return answer.get_data()


def test_reports_are_the_same_bytes_from_the_same_inputs():
    assert _sigma_report_bytes() == _sigma_report_bytes()


def test_aliyun_knee_grades_in_chinese(mock_app):
    aliyun = Aliyun(mock_app)
    knee = dx_file(0, 2)
    result = aliyun.analyse({"knee.dcm": knee}, study_type=4, key="knee").json["data"]["boxes"]
    assert result
    view = dicomweb(mock_app.test_client(), "/__admin/dicomweb")
    image = header(knee)
    (report,) = reports_of(view, image.StudyInstanceUID)
    found = groups(report)
    assert [g.finding_type.meaning for g in found] == [box["class"] for box in result]
    assert all(g.finding_type.meaning.endswith("级") for g in found)
    for group, box in zip(found, result, strict=True):
        assert [float(v) for v in group.roi.GraphicData] == pytest.approx(corners(box["coordinates"]))
        assert score_of(group) is None
    sources = {g.roi.ContentSequence[0].ReferencedSOPSequence[0].ReferencedSOPInstanceUID for g in found}
    assert sources == {image.SOPInstanceUID}


def test_aliyun_nodules_lie_on_their_slice(mock_app):
    aliyun = Aliyun(mock_app)
    slices = ct_slices(4, seed=1)  # pictures on which seed 0 finds two nodules
    nodules = aliyun.analyse({f"{i}.dcm": s for i, s in enumerate(slices)}, study_type=1, key="ct").json["data"]
    nodules = nodules["imageDataList"]
    assert nodules, "seed 0 finds nodules in this study"
    by_z = {round(float(header(s).ImagePositionPatient[2]), 2): header(s) for s in slices}
    (report,) = reports_of(dicomweb(mock_app.test_client(), "/__admin/dicomweb"), header(slices[0]).StudyInstanceUID)
    found = groups(report)
    assert len(found) == len(nodules)
    for group, nodule in zip(found, nodules, strict=True):
        image = by_z[nodule["z"]]
        referenced = group.roi.ContentSequence[0].ReferencedSOPSequence[0].ReferencedSOPInstanceUID
        assert referenced == image.SOPInstanceUID
        x1, y1, x2, y2 = (float(v) for v in group.roi.GraphicData[:2] + group.roi.GraphicData[4:6])
        sx, sy = (float(v) for v in image.PixelSpacing)
        assert image.ImagePositionPatient[0] + (x1 + x2) / 2 * sx == pytest.approx(nodule["x"], abs=0.01)
        assert image.ImagePositionPatient[1] + (y1 + y2) / 2 * sy == pytest.approx(nodule["y"], abs=0.01)
        assert (x2 - x1) * sx == pytest.approx(nodule["diameter"])
        assert group.finding_type.meaning == f"肺结节 nodule ({nodule['category']})"
        assert score_of(group) == pytest.approx(nodule["confidence"])


def test_cad4tb_heat_map_spots(client):
    data = dx_file(seed=5, index=9, rows=128, columns=128)
    cad4tb_upload(client, data)
    image = header(data)
    (report,) = reports_of(dicomweb(client, "/__admin/dicomweb"), image.StudyInstanceUID)
    assert report.SeriesDescription == "cad4tb: findings (CAD4TB)"
    found = groups(report)
    assert 1 <= len(found) <= 3
    for group in found:
        assert group.finding_type.meaning == "CAD4TB Heatmap hot spot"
        assert group.roi.ContentSequence[0].ReferencedSOPSequence[0].ReferencedSOPInstanceUID == image.SOPInstanceUID
        assert all(0 <= float(v) <= 128 for v in group.roi.GraphicData)
        assert 0.4 <= score_of(group) <= 1.0


def test_a_series_still_processing_has_no_report(client):
    from tests.cad4tb.conftest import Cad4tb

    data = dx_file(seed=5, index=8, rows=64, columns=64)
    Cad4tb(client).uploaded(data)
    assert reports_of(dicomweb(client, "/__admin/dicomweb"), header(data).StudyInstanceUID) == []


def test_a_finding_of_the_whole_image_references_it_without_a_region():
    from mockservers.dicom.reports import Finding, measurement_report

    image = header(dx_file(seed=1, index=0, rows=64, columns=64))
    data = measurement_report(0, "grade", "aliyun", "grading", 0.0, [(image, Finding("KL3级", 0.7, None))])
    sr = hd.sr.srread(io.BytesIO(data))
    assert sr.content.get_planar_roi_measurement_groups() == []
    (group,) = sr.content.get_image_measurement_groups()
    assert group.finding_type.meaning == "KL3级" and score_of(group) == pytest.approx(0.7)
    assert group.source_images[0].referenced_sop_instance_uid == image.SOPInstanceUID
    assert (sr.ContentDate, sr.ContentTime) == ("19700101", "000000")


def test_a_report_lists_its_images_in_an_image_library(client, sigma_study):
    """TID 1600 Image Library in the report: OHIF before 3.9 reads the report's images from it, and fails to load a
    report without one."""
    image, _ = sigma_study
    (report,) = reports_of(dicomweb(client, "/__admin/dicomweb"), image.StudyInstanceUID)
    (library,) = [i for i in report.ContentSequence if i.ConceptNameCodeSequence[0].CodeValue == "111028"]
    (group,) = library.ContentSequence
    assert group.ConceptNameCodeSequence[0].CodeValue == "126200"  # Image Library Group
    images = [i for i in group.ContentSequence if i.ValueType == "IMAGE"]
    assert [i.ReferencedSOPSequence[0].ReferencedSOPInstanceUID for i in images] == [image.SOPInstanceUID]
    assert images[0].ReferencedSOPSequence[0].ReferencedSOPClassUID == image.SOPClassUID
