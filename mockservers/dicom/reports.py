"""AI findings as the imaging world carries them: a DICOM SR measurement report (TID 1500) written with highdicom,
each finding a planar region (its box as a closed POLYLINE on the source image) with its label as the finding type
and its score as a measurement. Deterministic: the UIDs come from the seed and the inputs, the dates from the
result's time."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from datetime import UTC, datetime

import highdicom as hd
import numpy as np
from pydicom.dataset import Dataset
from pydicom.sr.codedict import codes

SCHEME = "99MOCKSRV"  # a private coding scheme (PS3.16 8.2: designators starting "99" are local)
SCORE = hd.sr.CodedConcept("score", SCHEME, "AI score")
NO_UNITS = hd.sr.CodedConcept("1", "UCUM", "no units")
PROCEDURE = hd.sr.CodedConcept("363679005", "SCT", "Imaging")
SERIES_NUMBER = 9000  # the reports' series number: after every acquired series
MANUFACTURER = "mockservers"
CROSS_SECTIONAL = ("CT", "MR", "PT")  # highdicom describes these images by their plane in an Image Library


@dataclass(frozen=True)
class Finding:
    """One finding on one image: `box` [x1, y1, x2, y2] in the image's pixel columns and rows."""

    label: str
    score: float | None
    box: list[float] | None


def uid(seed: int, *parts) -> str:
    """A UID under 2.25 (a 128-bit number, PS3.5 B.2) from the seed and the parts alone."""
    digest = hashlib.sha256("\x1f".join(str(p) for p in (seed, *parts)).encode()).digest()
    return f"2.25.{int.from_bytes(digest[:16], 'big')}"


def _concept(label: str) -> hd.sr.CodedConcept:
    """The label as a code of the private scheme: itself when it is short ASCII, else a digest of it."""
    value = label if label.isascii() and 0 < len(label) <= 16 else "M" + hashlib.sha1(label.encode()).hexdigest()[:15]
    return hd.sr.CodedConcept(value, SCHEME, label[:64])


def _region(box: list[float], source: Dataset) -> hd.sr.ImageRegion:
    x1, y1, x2, y2 = (float(v) for v in box)
    corners = np.array([[x1, y1], [x2, y1], [x2, y2], [x1, y2], [x1, y1]], dtype=float)
    image = hd.sr.SourceImageForRegion(source.SOPClassUID, source.SOPInstanceUID)
    return hd.sr.ImageRegion(graphic_type="POLYLINE", graphic_data=corners, source_image=image)


def _group(seed: int, key: str, n: int, finding: Finding, source: Dataset, algorithm: hd.sr.AlgorithmIdentification):
    tracking = hd.sr.TrackingIdentifier(uid=uid(seed, "finding", key, n), identifier=finding.label[:64])
    scores = [] if finding.score is None else [hd.sr.Measurement(SCORE, float(finding.score), NO_UNITS)]
    if finding.box is None:
        return hd.sr.MeasurementsAndQualitativeEvaluations(
            tracking_identifier=tracking,
            finding_type=_concept(finding.label),
            algorithm_id=algorithm,
            measurements=scores or None,
            source_images=[hd.sr.SourceImageForMeasurementGroup(source.SOPClassUID, source.SOPInstanceUID)],
        )
    return hd.sr.PlanarROIMeasurementsAndQualitativeEvaluations(
        tracking_identifier=tracking,
        referenced_region=_region(finding.box, source),
        finding_type=_concept(finding.label),
        algorithm_id=algorithm,
        measurements=scores or None,
    )


def measurement_report(
    seed: int,
    key: str,
    vendor: str,
    algorithm: str,
    when: float,
    findings: list[tuple[Dataset, Finding]],
    instance_number: int = 1,
) -> bytes:
    """A Comprehensive SR (TID 1500) of `findings`, each (its source image's header, the finding), all of one study.
    `key` names the result (with the seed, it makes the UIDs); `when` (epoch seconds) is its content date and time.
    The series is the vendor's reports series of the study; SeriesDescription names the vendor."""
    sources = list({ds.SOPInstanceUID: ds for ds, _ in findings}.values())
    study = sources[0].StudyInstanceUID
    device = uid(seed, "device", vendor)
    observer = hd.sr.ObserverContext(
        observer_type=codes.DCM.Device,
        observer_identifying_attributes=hd.sr.DeviceObserverIdentifyingAttributes(
            uid=device, name=vendor, manufacturer_name=vendor, model_name=algorithm[:64] or vendor
        ),
    )
    identified = hd.sr.AlgorithmIdentification(name=(algorithm or vendor)[:64], version="1")
    groups = [
        _group(seed, key, n, finding, source, identified) for n, (source, finding) in enumerate(findings, start=1)
    ]
    report = hd.sr.MeasurementReport(
        observation_context=hd.sr.ObservationContext(observer_device_context=observer),
        procedure_reported=PROCEDURE,
        imaging_measurements=groups,
        referenced_images=_described(sources),
    )
    sr = hd.sr.ComprehensiveSR(
        evidence=sources,
        content=report[0],
        series_instance_uid=uid(seed, "reports", vendor, study),
        series_number=SERIES_NUMBER,
        sop_instance_uid=uid(seed, "report", vendor, key, study),
        instance_number=instance_number,
        manufacturer=MANUFACTURER,
        is_complete=True,
        series_description=f"{vendor}: findings ({algorithm})"[:64] if algorithm else f"{vendor}: findings",
    )
    _dated(sr, when)
    sr.SpecificCharacterSet = "ISO_IR 192"  # labels in Chinese too: UTF-8
    out = io.BytesIO()
    sr.save_as(out, enforce_file_format=True)
    return out.getvalue()


def _described(sources: list[Dataset]) -> list[Dataset] | None:
    """The images of the TID 1600 Image Library (OHIF before 3.9 loads no report without one): those highdicom can
    describe, a CT, MR or PET image with its plane (a client's file may lack it)."""
    planar = ("ImageOrientationPatient", "ImagePositionPatient", "PixelSpacing")
    described = [ds for ds in sources if ds.get("Modality") not in CROSS_SECTIONAL or all(k in ds for k in planar)]
    return described or None


def _dated(sr: Dataset, when: float) -> None:
    """Every date and time highdicom takes from the wall clock, set to the result's time instead."""
    moment = datetime.fromtimestamp(when, UTC)
    date, time = moment.strftime("%Y%m%d"), moment.strftime("%H%M%S")
    sr.ContentDate = sr.InstanceCreationDate = sr.SeriesDate = date
    sr.ContentTime = sr.InstanceCreationTime = sr.SeriesTime = time
    for item in sr.get("ContributingEquipmentSequence", []):
        item.ContributionDateTime = date + time
