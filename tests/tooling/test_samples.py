"""mockservers.samples: the fixtures the package carries, found from a checkout (the installed wheel: test_wheel.py)."""

from pathlib import Path

import pydicom
import pytest

from mockservers import samples
from mockservers.app import create_app
from mockservers.settings import Settings
from tests.machinery import test_settings

ROOT = Path(__file__).resolve().parents[2]
SHAPES_STUDY = "1.2.826.0.1.3680043.8.498.13230779778012324449356534479549187420"


def test_in_a_checkout_the_fixtures_are_the_repository_folder():
    assert samples.fixtures_dir() == ROOT / "fixtures"


def test_every_sample_is_named_once_and_reads_as_dicom():
    files = sorted((ROOT / "fixtures" / "dicom").glob("*/*.dcm"))
    assert samples.names() == sorted(p.name for p in files)
    assert len(set(samples.names())) == len(files), "path(name) needs each name once"
    dx = pydicom.dcmread(samples.path("p3-dx.dcm"))
    assert dx.Modality == "DX"
    assert isinstance(samples.path("p3-dx.dcm"), str)  # the thin clients take a str path


def test_an_unknown_sample_names_the_ones_there_are():
    with pytest.raises(FileNotFoundError) as err:
        samples.path("chest.dcm")
    assert str(err.value).startswith("no sample DICOM file 'chest.dcm'; the samples are: blue-circle.dcm, ")
    with pytest.raises(FileNotFoundError):
        samples.path("*.dcm")  # a name, not a pattern


def test_scenarios_dir_is_the_configured_one_where_it_exists(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    assert samples.scenarios_dir(Settings.scenarios_dir) == "fixtures/scenarios"
    assert samples.scenarios_dir(str(tmp_path / "absent")) == str(tmp_path / "absent"), "a chosen folder stays"


def test_scenarios_dir_falls_back_to_the_packaged_one_elsewhere(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert samples.scenarios_dir(Settings.scenarios_dir) == str(ROOT / "fixtures" / "scenarios")
    (tmp_path / "fixtures" / "scenarios").mkdir(parents=True)
    assert samples.scenarios_dir(Settings.scenarios_dir) == "fixtures/scenarios", "the working directory's wins"


def test_a_server_started_elsewhere_loads_a_packaged_scenario(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    client = create_app(test_settings(), start_background=False).test_client()
    loaded = client.post("/__admin/scenarios/msdicom-shapes")
    assert loaded.status_code == 200, loaded.json
    assert loaded.json == {"status": "ok", "scenario": "msdicom-shapes", "rows": loaded.json["rows"], "blobs": 3}
    found = client.get("/msdicom/v2/studies", query_string={"PatientID": "SHAPES-1"})
    assert [study["0020000D"]["Value"] for study in found.json] == [[SHAPES_STUDY]]
    retrieved = client.get(
        f"/msdicom/v2/studies/{SHAPES_STUDY}",
        headers={"Accept": 'multipart/related; type="application/dicom"; transfer-syntax=*'},
    )
    assert retrieved.status_code == 200
    missing = client.post("/__admin/scenarios/nothing-here")
    assert missing.status_code == 404
    assert missing.json["error"] == f"no scenario 'nothing-here' in {ROOT / 'fixtures' / 'scenarios'}"
