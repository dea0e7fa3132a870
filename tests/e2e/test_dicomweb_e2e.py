"""The real dicomweb-client, unmodified, against both DICOMweb faces on a live mock server: every call it offers."""

from __future__ import annotations

import io

import pydicom
import pytest
import requests
from dicomweb_client.api import DICOMwebClient
from PIL import Image

from mockservers.pytest_plugin import LiveServer
from tests.dicom.files import dataset, study_files, uids
from tests.machinery import test_settings

ANY = (("application/dicom", "*"),)


def datasets(files):
    return [dataset(files[k]) for k in ("ct1", "ct2", "mr", "other")]


@pytest.fixture
def files():
    return study_files(seed=3)


@pytest.fixture(params=["1", "2"])
def msdicom(mock_server, request):
    return DICOMwebClient(mock_server.url("msdicom") + f"/v{request.param}")


@pytest.fixture
def sphere(mock_server):
    return DICOMwebClient(
        mock_server.url("sphere"),
        qido_url_prefix="qidors",
        wado_url_prefix="wadors",
        stow_url_prefix="stowrs",
        delete_url_prefix="wadors",
    )


def test_msdicom_store_search_retrieve_delete(msdicom, files):
    study, series, sop = uids(files["ct1"])
    mr_study, mr_series, mr_sop = uids(files["mr"])
    answer = msdicom.store_instances(datasets(files))
    assert len(answer.ReferencedSOPSequence) == 4 and "FailedSOPSequence" not in answer
    with pytest.raises(requests.HTTPError) as duplicate:
        msdicom.store_instances([dataset(files["ct1"])], study_instance_uid=study)
    assert duplicate.value.response.status_code == 409
    assert duplicate.value.response.json()["00081198"]["Value"][0]["00081197"]["Value"] == [45070]

    assert len(msdicom.search_for_studies()) == 2
    assert [
        s["0020000D"]["Value"][0] for s in msdicom.search_for_studies(search_filters={"ModalitiesInStudy": "MR"})
    ] == [study]
    assert len(msdicom.search_for_studies(fuzzymatching=True, search_filters={"PatientName": "jos"})) == 1
    assert len(msdicom.search_for_studies(limit=1, offset=1)) == 1
    assert len(msdicom.search_for_studies(get_remaining=True, limit=1)) == 2
    with_counts = msdicom.search_for_studies(
        search_filters={"StudyInstanceUID": study}, fields=["NumberOfStudyRelatedInstances"]
    )
    assert with_counts[0]["00201208"]["Value"] == [3]
    assert len(msdicom.search_for_series()) == 3
    assert len(msdicom.search_for_series(study, search_filters={"Modality": "CT"})) == 1
    assert len(msdicom.search_for_instances()) == 4
    assert len(msdicom.search_for_instances(study)) == 3
    assert len(msdicom.search_for_instances(study, series)) == 2
    assert msdicom.search_for_studies(search_filters={"PatientID": "nobody"}) == []

    assert {d.SOPInstanceUID for d in msdicom.retrieve_study(study, media_types=ANY)} == {
        sop,
        uids(files["ct2"])[2],
        mr_sop,
    }
    assert len(list(msdicom.iter_study(study, media_types=ANY))) == 3
    assert len(msdicom.retrieve_series(study, series, media_types=ANY)) == 2
    assert len(list(msdicom.iter_series(study, series, media_types=ANY))) == 2
    with pytest.raises(requests.HTTPError) as refused:  # the notes' trap: the client's default asks to transcode
        msdicom.retrieve_study(study)
    assert refused.value.response.status_code == 406
    instance = msdicom.retrieve_instance(mr_study, mr_series, mr_sop)
    assert instance.file_meta.TransferSyntaxUID == "1.2.840.10008.1.2.5" and instance.NumberOfFrames == 3
    assert len(msdicom.retrieve_study_metadata(study)) == 3
    assert len(msdicom.retrieve_series_metadata(study, series)) == 2
    meta = msdicom.retrieve_instance_metadata(study, series, sop)
    assert "7FE00010" not in meta  # the server's metadata leaves out every binary attribute
    assert pydicom.Dataset.from_json(meta).SOPInstanceUID == sop
    assert msdicom.retrieve_instance_frames(study, series, sop, [1], media_types=("application/octet-stream",)) == [
        dataset(files["ct1"]).PixelData
    ]

    pixels = dataset(files["mr"]).pixel_array
    frames = msdicom.retrieve_instance_frames(
        mr_study, mr_series, mr_sop, [1, 3], media_types=("application/octet-stream",)
    )
    assert frames == [pixels[0].tobytes(), pixels[2].tobytes()]
    assert (
        len(
            list(
                msdicom.iter_instance_frames(
                    mr_study, mr_series, mr_sop, [2], media_types=("application/octet-stream",)
                )
            )
        )
        == 1
    )
    native = msdicom.retrieve_instance_frames(mr_study, mr_series, mr_sop, [2])  # "*/*": frames as stored
    assert native == [list(pydicom.encaps.generate_frames(dataset(files["mr"]).PixelData, number_of_frames=3))[1]]
    with pytest.raises(requests.HTTPError) as missing:
        msdicom.retrieve_instance_frames(mr_study, mr_series, mr_sop, [4])
    assert missing.value.response.status_code == 404
    frame_url = f"{msdicom.base_url}/studies/{mr_study}/series/{mr_series}/instances/{mr_sop}/frames/3"
    assert msdicom.retrieve_bulkdata(frame_url, media_types=("application/octet-stream",)) == [pixels[2].tobytes()]
    assert list(msdicom.iter_bulkdata(frame_url, media_types=("application/octet-stream",))) == [pixels[2].tobytes()]
    with pytest.raises(requests.HTTPError) as no_series_rendering:
        msdicom.retrieve_series_rendered(study, series, media_types=("image/jpeg",))
    assert no_series_rendering.value.response.status_code == 404
    png = msdicom.retrieve_instance_rendered(study, series, sop, media_types=("image/png",))
    assert Image.open(io.BytesIO(png)).format == "PNG"
    jpeg = msdicom.retrieve_instance_frames_rendered(mr_study, mr_series, mr_sop, [2], media_types=("image/jpeg",))
    assert Image.open(io.BytesIO(jpeg)).format == "JPEG"

    msdicom.delete_instance(study, series, sop)
    with pytest.raises(requests.HTTPError) as gone:
        msdicom.delete_instance(study, series, sop)
    assert gone.value.response.status_code == 404
    msdicom.delete_series(mr_study, mr_series)
    assert len(msdicom.search_for_instances(study)) == 1
    msdicom.delete_study(study)
    assert msdicom.search_for_studies(search_filters={"StudyInstanceUID": study}) == []


def test_sphere_store_search_retrieve(sphere, files, mock_server):
    study, series, sop = uids(files["ct1"])
    mr_study, mr_series, mr_sop = uids(files["mr"])
    assert len(sphere.store_instances(datasets(files)).ReferencedSOPSequence) == 4

    assert len(sphere.search_for_studies()) == 2
    assert len(sphere.search_for_studies(search_filters={"00100020": dataset(files["other"]).PatientID})) == 1
    assert len(sphere.search_for_studies(search_filters={"InstitutionName": "*Hospital"}, limit=1)) == 1
    assert len(sphere.search_for_series(search_filters={"Modality": "MR"})) == 1
    assert len(sphere.search_for_series(study)) == 2
    assert len(sphere.search_for_instances(study, series)) == 2
    assert len(sphere.search_for_instances(fields=["NumberOfFrames"], search_filters={"SOPInstanceUID": mr_sop})) == 1
    assert sphere.search_for_instances(search_filters={"PatientID": "nobody"}) == []

    assert len(sphere.retrieve_study(study)) == 3  # the client's default Accept works here: files as stored
    assert len(list(sphere.iter_study(study))) == 3
    assert len(sphere.retrieve_series(study, series)) == 2
    assert len(list(sphere.iter_series(study, series))) == 2
    assert sphere.retrieve_instance(mr_study, mr_series, mr_sop).SOPInstanceUID == mr_sop
    assert len(sphere.retrieve_study_metadata(study)) == 3
    assert len(sphere.retrieve_series_metadata(study, series)) == 2
    assert sphere.retrieve_instance_metadata(study, series, sop)["00080018"]["Value"] == [sop]
    frames = sphere.retrieve_instance_frames(mr_study, mr_series, mr_sop, [2])
    assert frames == [dataset(files["mr"]).PixelData]  # the frame number is ignored
    assert list(sphere.iter_instance_frames(mr_study, mr_series, mr_sop, [3])) == frames

    with pytest.raises(requests.HTTPError) as refused:
        sphere.delete_study(study)
    assert refused.value.response.status_code == 405


def test_sphere_delete_when_the_mock_allows_it(files):
    server = LiveServer(test_settings(vendor_config={"sphere": {"mock": {"allow_delete": True}}}))
    try:
        client = DICOMwebClient(
            server.url("sphere"),
            qido_url_prefix="qidors",
            wado_url_prefix="wadors",
            stow_url_prefix="stowrs",
            delete_url_prefix="wadors",
        )
        study, series, sop = uids(files["ct1"])
        client.store_instances(datasets(files), study_instance_uid=None)
        client.delete_instance(study, series, sop)
        client.delete_series(*uids(files["mr"])[:2])
        assert len(client.search_for_instances(study)) == 1
        client.delete_study(study)
        assert client.search_for_studies(search_filters={"StudyInstanceUID": study}) == []
    finally:
        server.stop()


def test_a_body_over_the_clients_chunk_size_goes_chunked_and_is_stored(msdicom):
    """dicomweb-client streams bodies over 1 MB with Transfer-Encoding: chunked."""
    from mockservers.dicom.synthetic import image_dataset, to_part10

    big = dataset(to_part10(image_dataset(4, 0, "CT", frames=2, rows=512, columns=512)))
    answer = msdicom.store_instances([big])
    assert len(answer.ReferencedSOPSequence) == 1
    back = msdicom.retrieve_instance(big.StudyInstanceUID, big.SeriesInstanceUID, big.SOPInstanceUID)
    assert back.PixelData == big.PixelData
