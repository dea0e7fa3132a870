"""DICOMweb with the real dicomweb-client, unmodified, against both faces of a running mock (`make run`):
store, search, retrieve (instances, metadata, frames, rendered) and delete on msdicom; the same on sphere with
its URL prefixes (qidors, wadors, stowrs), where DELETE is not offered."""

import _bootstrap  # noqa: F401  (must come first: picks the project's virtualenv)

import argparse
import logging
import os
from pathlib import Path

import pydicom
import requests
from dicomweb_client.api import DICOMwebClient

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "dicom"
ANY_TRANSFER_SYNTAX = (("application/dicom", "*"),)
logging.getLogger("dicomweb_client").setLevel(logging.CRITICAL)  # the demo prints the refusals itself


def files(*names: str) -> list[pydicom.Dataset]:
    return [pydicom.dcmread(FIXTURES / name) for name in names]


def store(client: DICOMwebClient, datasets: list[pydicom.Dataset]) -> None:
    try:
        answer = client.store_instances(datasets)
        print(f"   stored {len(answer.get('ReferencedSOPSequence', []))} instance(s)")
    except requests.HTTPError as exc:  # 409: already there from an earlier run (state survives restarts)
        reasons = [item["00081197"]["Value"][0] for item in exc.response.json().get("00081198", {}).get("Value", [])]
        print(f"   {exc.response.status_code}: nothing new stored (FailureReason {reasons})")


def msdicom_demo(base: str) -> None:
    client = DICOMwebClient(f"{base}/msdicom/v2")
    shapes = files("msdicom/blue-circle.dcm", "msdicom/red-triangle.dcm", "msdicom/green-square.dcm")
    study = shapes[0].StudyInstanceUID
    red = shapes[1]
    print(f"msdicom at {base}/msdicom/v2")
    print("1. STOW-RS: the document's three files, and a multi-frame MR in RLE Lossless")
    store(client, shapes)
    mr = files("patients/p2-mr-multiframe-rle.dcm")[0]
    store(client, [mr])
    print("2. QIDO-RS")
    for found in client.search_for_studies(fields=["NumberOfStudyRelatedInstances", "ModalitiesInStudy"]):
        print(
            f"   study {found['0020000D']['Value'][0]}: {found['00100010']['Value'][0]['Alphabetic']}, "
            f"{found['00201208']['Value'][0]} instance(s), {found.get('00080061', {}).get('Value')}"
        )
    fuzzy = client.search_for_studies(fuzzymatching=True, search_filters={"PatientName": "shap"})
    print(f"   fuzzy PatientName 'shap': {len(fuzzy)} study")
    print(
        f"   series of the study: {len(client.search_for_series(study))}; "
        f"instances: {len(client.search_for_instances(study))}"
    )
    print("3. WADO-RS")
    retrieved = client.retrieve_study(study, media_types=ANY_TRANSFER_SYNTAX)
    print(f"   study: {[d.SeriesDescription for d in retrieved]} (transfer-syntax=*: the files as stored)")
    try:
        client.retrieve_study(study)
    except requests.HTTPError as exc:
        print(f"   study with the client's default Accept: {exc.response.status_code} {exc.response.text!r}")
    instance = client.retrieve_instance(red.StudyInstanceUID, red.SeriesInstanceUID, red.SOPInstanceUID)
    print(f"   instance: {instance.SOPInstanceUID} {instance.Rows}x{instance.Columns}")
    meta = client.retrieve_series_metadata(red.StudyInstanceUID, red.SeriesInstanceUID)
    pixels = meta[0].get("7FE00010", {})
    print(
        f"   series metadata: {len(meta)} dataset(s), pixel data "
        f"{'as BulkDataURI ' + pixels['BulkDataURI'] if 'BulkDataURI' in pixels else 'left out'}"
    )
    frames = client.retrieve_instance_frames(
        mr.StudyInstanceUID, mr.SeriesInstanceUID, mr.SOPInstanceUID, [1, 5], media_types=("application/octet-stream",)
    )
    print(f"   frames 1 and 5 of the MR, decompressed: {[len(f) for f in frames]} bytes")
    jpeg = client.retrieve_instance_rendered(
        red.StudyInstanceUID, red.SeriesInstanceUID, red.SOPInstanceUID, media_types=("image/jpeg",)
    )
    print(f"   rendered red-triangle: {len(jpeg)} bytes of JPEG")
    print("4. DELETE (non-standard): the instance, then the whole study")
    client.delete_instance(red.StudyInstanceUID, red.SeriesInstanceUID, red.SOPInstanceUID)
    try:
        client.delete_instance(red.StudyInstanceUID, red.SeriesInstanceUID, red.SOPInstanceUID)
    except requests.HTTPError as exc:
        print(f"   deleting it again: {exc.response.status_code}")
    client.delete_study(study)
    client.delete_study(mr.StudyInstanceUID)
    print(f"   studies left: {len(client.search_for_studies())}")


def sphere_demo(base: str) -> None:
    client = DICOMwebClient(
        f"{base}/sphere",
        qido_url_prefix="qidors",
        wado_url_prefix="wadors",
        stow_url_prefix="stowrs",
        delete_url_prefix="wadors",
    )
    print(f"\nsphere at {base}/sphere (qidors, wadors, stowrs)")
    rt, ct = files("sphere/rt-image.dcm", "sphere/ct-16302.dcm")
    print("1. STOW-RS at /stowrs/studies")
    store(client, [rt, ct])
    print("2. QIDO-RS, by keyword and by tag")
    by_keyword = client.search_for_studies(search_filters={"StudyInstanceUID": rt.StudyInstanceUID})
    by_tag = client.search_for_studies(search_filters={"0020000D": rt.StudyInstanceUID})
    print(
        f"   StudyInstanceUID: {len(by_keyword)}, 0020000D: {len(by_tag)}; "
        f"series: {by_keyword[0]['00201206']['Value']}, instances: {by_keyword[0]['00201208']['Value']}"
    )
    print(f"   instances of the CT study: {len(client.search_for_instances(ct.StudyInstanceUID))}")
    print("3. WADO-RS")
    print(f"   study (the client's default Accept): {len(client.retrieve_study(rt.StudyInstanceUID))} instance(s)")
    meta = client.retrieve_instance_metadata(rt.StudyInstanceUID, rt.SeriesInstanceUID, rt.SOPInstanceUID)
    print(f"   instance metadata: RT Image Label {meta['30020002']['Value']}")
    frame = client.retrieve_instance_frames(rt.StudyInstanceUID, rt.SeriesInstanceUID, rt.SOPInstanceUID, [7])
    print(f"   'frame 7' (the number is ignored): {len(frame[0])} bytes, the whole PixelData")
    try:
        client.delete_study(rt.StudyInstanceUID)
    except requests.HTTPError as exc:
        print(f"4. DELETE is not in the document: {exc.response.status_code} {exc.response.text.strip()}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--base-url", default=os.environ.get("MOCKSERVERS_URL", "http://127.0.0.1:8080"), help="where `make run` serves"
    )
    args = parser.parse_args()
    try:
        msdicom_demo(args.base_url.rstrip("/"))
        sphere_demo(args.base_url.rstrip("/"))
    except requests.ConnectionError:
        print(f"Nothing answers at {args.base_url}: start the mock with `make run` first.")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
