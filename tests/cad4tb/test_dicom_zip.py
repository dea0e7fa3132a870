import io
import zipfile

import pydicom

from mockservers.dicom.synthetic import dx_file
from tests.cad4tb.conftest import Cad4tb, assert_error, keys, make_app


def test_dicom_get_is_a_zip_of_every_instance_of_the_series(api):
    shared = {"PatientID": "P1", "StudyInstanceUID": "1.2.3", "SeriesInstanceUID": "1.2.3.4"}
    files = [dx_file(0, i, **shared) for i in range(3)]
    for i, data in enumerate(files):
        ids = api.uploaded(data, filename=f"image {i}.dcm")
    api.uploaded(dx_file(0, 9, PatientID="P1", StudyInstanceUID="1.2.3"))  # another series: not in the zip
    response = api.get("dicom/get", **keys(ids))
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert response.headers["Content-Disposition"] == 'attachment; filename="1.2.3.4.zip"'
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    assert archive.testzip() is None
    assert archive.namelist() == ["image_0.dcm", "image_1.dcm", "image_2.dcm"]
    assert [archive.read(n) for n in archive.namelist()] == files
    ds = pydicom.dcmread(io.BytesIO(archive.read("image_1.dcm")))
    assert ds.SeriesInstanceUID == "1.2.3.4"


def test_no_dicom_available_when_the_files_are_not_kept():
    app = make_app(store_dicom=False)
    api = Cad4tb(app.test_client())
    ids = api.uploaded(dx_file(0, 0))
    assert_error(
        api.get("dicom/get", **keys(ids)),
        404,
        "object_not_found",
        "no_dicom_available",
        "No DICOM available for this series",
    )
    assert api.get("series/get", **keys(ids)).status_code == 200
    app.extensions["mockservers"].close()


def test_a_lost_file_is_no_dicom_available_not_a_500(api, app):
    ids = api.uploaded(dx_file(0, 0))
    app.extensions["mockservers"].blobs.wipe()
    assert_error(api.get("dicom/get", **keys(ids)), 404, "object_not_found", "no_dicom_available")
