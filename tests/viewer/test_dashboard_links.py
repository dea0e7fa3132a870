"""What the dashboard links to the viewer by: every stored study with DICOM carries its StudyInstanceUID."""

import re

import pytest

from mockservers.app import create_app
from tests.demo_state import seeded_state
from tests.machinery import test_settings

UID = re.compile(r"^[0-9]+(\.[0-9]+)+$")


@pytest.mark.no_postgres_pass  # it picks its own state
def test_every_vendors_demo_studies_carry_their_study_uid(tmp_path):
    app = create_app(test_settings(state=seeded_state(tmp_path, "demo", 0, 2)), start_background=False)
    try:
        studies = app.test_client().get("/__admin/studies").json["studies"]
    finally:
        app.extensions["mockservers.namespaces"].close()
    with_dicom = [s for s in studies if s["thumbnail"]]
    assert {s["vendor"] for s in with_dicom} == {"sigma", "aliyun", "cad4tb", "msdicom", "sphere"}
    assert all(UID.match(s["study_uid"]) for s in with_dicom), [s for s in with_dicom if not s["study_uid"]]
    for s in studies:
        if s["vendor"] in ("msdicom", "sphere", "cad4tb"):
            assert s["study_uid"] == s["id"], "these vendors' studies are named by their StudyInstanceUID"
