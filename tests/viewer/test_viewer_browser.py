"""The OHIF Viewer at /viewer/ in a real browser (Playwright driving Debian's Chromium), on msdicom's DICOMweb: the
study list through QIDO, a DX study opened from the dashboard's link and drawn through WADO, nothing fetched from
anywhere but the mock. Screenshots go to tests/artifacts/viewer/ (git-ignored): study-list.png (OHIF's list of the
seeded studies), dashboard.png (the dashboard, its "open in the viewer" links), dx-study.png (the DX study drawn).

Needs the viewer installed (`make viewer`, which `make test` runs first) in var/viewer, or MOCKSERVERS_VIEWER_DIR."""

import os
from pathlib import Path

import pytest
import requests

from mockservers.dicom.synthetic import dx_dataset, dx_file, image_dataset, to_part10
from mockservers.sigma.client import SigmaClient
from mockservers.viewer import version_in
from tests.browser import NEEDS_CHROMIUM
from tests.viewer.conftest import watched_context

ROOT = Path(__file__).resolve().parents[2]
FOLDER = Path(os.environ.get("MOCKSERVERS_VIEWER_DIR") or ROOT / "var" / "viewer")
ARTIFACTS = ROOT / "tests" / "artifacts" / "viewer"
WAIT_MS = 60_000  # the first load compiles 17 MB of JavaScript on a shared 2-core machine

NEEDS_VIEWER = pytest.mark.skipif(
    version_in(FOLDER) is None, reason=f"the OHIF Viewer is not installed in {FOLDER} (`make viewer` installs it)"
)
pytestmark = [pytest.mark.no_postgres_pass, NEEDS_CHROMIUM, NEEDS_VIEWER]

# The canvas OHIF draws an image on holds a picture: mostly lit, with contrast (not a blank or black viewport).
DRAWN = """() => {
  const canvas = document.querySelector("canvas.cornerstone-canvas");
  const context = canvas && canvas.width && canvas.height && canvas.getContext("2d");
  if (!context) return false;
  const {data} = context.getImageData(0, 0, canvas.width, canvas.height);
  let lit = 0, low = 255, high = 0;
  for (let i = 0; i < data.length; i += 4) {
    if (data[i] > 30) { lit++; low = Math.min(low, data[i]); high = Math.max(high, data[i]); }
  }
  return lit > data.length / 4 * 0.2 && high - low > 60;
}"""

STUDIES = {  # PatientID: (modality, description)
    "VIEWER-DX-1": ("DX", "Viewer chest PA"),
    "VIEWER-DX-2": ("DX", "Viewer chest follow-up"),
    "VIEWER-CT-1": ("CT", "Viewer chest CT"),
}


@pytest.fixture(scope="module")
def server():
    from mockservers.pytest_plugin import LiveServer
    from tests.machinery import test_settings

    live = LiveServer(test_settings(viewer_dir=str(FOLDER)))
    yield live
    live.stop()


@pytest.fixture(scope="module")
def studies(server):
    """The three studies, stored through msdicom's STOW-RS: {PatientID: StudyInstanceUID}."""
    uids = {}
    for index, (patient_id, (modality, description)) in enumerate(STUDIES.items()):
        names = dict(PatientID=patient_id, PatientName=f"Viewer^{patient_id[7:]}", StudyDescription=description)
        if modality == "DX":
            datasets = [dx_dataset(0, 100 + index, rows=512, columns=512, **names)]
        else:
            first = image_dataset(0, 100 + index, modality, rows=128, columns=128, **names)
            datasets = [
                first,
                image_dataset(0, 101 + index, modality, rows=128, columns=128, study=first, series=first),
            ]
        for ds in datasets:
            stored = requests.post(
                server.url("msdicom") + "/v2/studies",
                data=to_part10(ds),
                headers={"Content-Type": "application/dicom", "Accept": "application/dicom+json"},
                timeout=30,
            )
            assert stored.status_code == 200, stored.text
        uids[patient_id] = str(datasets[0].StudyInstanceUID)
    return uids


@pytest.fixture
def context(browser, server):
    """A browser context that records every request leaving for anywhere but the mock."""
    context = watched_context(browser, server)
    yield context
    context.close()


def test_the_study_list_shows_msdicoms_studies(context, server, studies):
    page = context.new_page()
    page.goto(server.url() + "/viewer/")
    for _, description in STUDIES.values():
        page.get_by_text(description, exact=True).wait_for(timeout=WAIT_MS)
    assert page.get_by_text("Viewer, DX-1", exact=True).is_visible()
    page.screenshot(path=ARTIFACTS / "study-list.png")
    searches = [r for r in server.admin.requests(vendor="msdicom") if r["path"] == "/msdicom/v2/studies"]
    assert searches and {r["status"] for r in searches} == {200}, "the list is msdicom's QIDO-RS answer"
    assert context.elsewhere == [], "the viewer works offline: nothing but the mock is asked"


def test_a_dx_study_opened_from_the_dashboard_is_drawn(context, server, studies):
    sigma = SigmaClient(server.url("sigma"))
    sigma.login()
    sigma_study = sigma.upload_dicom(dx_file(0, 200, rows=256, columns=256, PatientID="VIEWER-SIGMA"))["study_id"]
    dashboard = context.new_page()
    dashboard.goto(server.url() + "/")
    link = dashboard.locator(".study", has_text="VIEWER-DX-1").locator("a.viewer-link")
    link.wait_for(timeout=WAIT_MS)
    sigma_link = dashboard.locator(".study", has_text="VIEWER-SIGMA").locator("a.viewer-link")
    sigma_link.wait_for(timeout=WAIT_MS)
    dashboard.screenshot(path=ARTIFACTS / "dashboard.png")
    assert link.get_attribute("href") == (
        f"/viewer/viewer?StudyInstanceUIDs={studies['VIEWER-DX-1']}&datasources=msdicom"
    )
    assert sigma_link.get_attribute("href") == (
        f"/viewer/viewer?StudyInstanceUIDs={sigma_study}&datasources=all-vendors"
    ), "another vendor's study: on the read-only view over every vendor's DICOM"
    with context.expect_page() as opened:
        link.click()
    viewer = opened.value
    viewer.wait_for_function(DRAWN, timeout=WAIT_MS)
    viewer.screenshot(path=ARTIFACTS / "dx-study.png")
    assert viewer.get_by_text("Viewer chest PA").first.is_visible()
    assert context.elsewhere == []
