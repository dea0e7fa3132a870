"""/viewer/: the installed build's files, index.html for the app's own routes, the generated app-config.js, and a
page saying how to install it when it is not there. The server's own path: no vendor's, no bucket's, not journaled."""

import json
import shutil
import subprocess

import pytest
from werkzeug.exceptions import NotFound

from mockservers import viewer
from mockservers.aliyun.oss.store import is_reserved
from tests.viewer.conftest import BUNDLE, INDEX

NOT_FOUND = {"error": NotFound.description, "status": 404}


def config_of(script: str) -> dict:
    """The JSON object the script assigns to window.config."""
    start = script.index("window.config = ") + len("window.config = ")
    return json.loads(script[start : script.index(";\n", start)])


def test_the_index_page_and_the_build_files(make_client, build):
    client = make_client(viewer_dir=str(build))
    page = client.get("/viewer/")
    assert page.status_code == 200 and page.mimetype == "text/html" and page.text == INDEX
    assert page.headers["Cache-Control"] == "no-cache, max-age=0"
    bundle = client.get("/viewer/app.bundle.0f6159c5.js")
    assert bundle.status_code == 200 and bundle.mimetype == "text/javascript" and bundle.text == BUNDLE
    icon = client.get("/viewer/assets/favicon.ico")
    assert icon.status_code == 200 and icon.data == b"\x00\x00\x01\x00icon"
    bare = client.get("/viewer")
    assert bare.status_code == 308 and bare.headers["Location"].endswith("/viewer/")


@pytest.mark.parametrize(
    "path",
    [
        "/viewer/viewer/all-vendors?StudyInstanceUIDs=1.2.3",
        "/viewer/?datasources=all-vendors",  # the study list reads it itself
        "/viewer/viewer?StudyInstanceUIDs=1.2.3&datasources=elsewhere",  # no such data source: OHIF's default
        "/viewer/datasources",
        "/viewer/a/b/c",
    ],
)
def test_the_apps_own_routes_answer_its_index_page(make_client, build, path):
    page = make_client(viewer_dir=str(build)).get(path)
    assert page.status_code == 200 and page.mimetype == "text/html" and page.text == INDEX


@pytest.mark.parametrize(
    ("path", "moved"),
    [
        (
            "/viewer/viewer?StudyInstanceUIDs=1.2.3&datasources=all-vendors",
            "/viewer/viewer/all-vendors?StudyInstanceUIDs=1.2.3",
        ),
        (
            "/viewer/viewer?DataSources=msdicom&StudyInstanceUIDs=1.2&token=t",
            "/viewer/viewer/msdicom?StudyInstanceUIDs=1.2&token=t",
        ),
    ],
)
def test_a_modes_route_with_datasources_goes_on_to_that_sources_route(make_client, build, path, moved):
    """OHIF reads ?datasources= on its study list only: a mode opens a study in another source at /MODE/SOURCE."""
    answer = make_client(viewer_dir=str(build)).get(path)
    assert answer.status_code == 302 and answer.headers["Location"] == moved


@pytest.mark.parametrize("path", ["/viewer/missing.js", "/viewer/assets/missing.png", "/viewer/..%2Fsecret.txt"])
def test_a_file_the_build_does_not_have_is_a_404(make_client, build, path):
    (build.parent / "secret.txt").write_text("outside the build")
    answer = make_client(viewer_dir=str(build)).get(path)
    assert answer.status_code == 404 and answer.json == NOT_FOUND


def test_app_config_points_ohif_at_msdicom_and_at_every_vendors_view(client):
    answer = client.get("/viewer/app-config.js")
    assert answer.status_code == 200 and answer.mimetype == "text/javascript"
    assert answer.headers["Cache-Control"] == "no-cache"
    config = config_of(answer.get_data(as_text=True))
    assert config["routerBasename"] == "/viewer" and config["defaultDataSourceName"] == "msdicom"
    assert config["investigationalUseDialog"] == {"option": "never"}
    sources = {s["sourceName"]: s for s in config["dataSources"]}
    assert list(sources) == ["msdicom", "all-vendors"]
    for name, root in (("msdicom", "/msdicom/v2"), ("all-vendors", "/__admin/dicomweb")):
        source = sources[name]
        assert source["namespace"] == "@ohif/extension-default.dataSourcesModule.dicomweb"
        conf = source["configuration"]
        assert (conf["qidoRoot"], conf["wadoRoot"], conf["wadoUriRoot"]) == (root, root, root)
        assert conf["imageRendering"] == "wadors" and conf["supportsWildcard"] is False
    assert sources["msdicom"]["configuration"]["supportsFuzzyMatching"] is True


def test_without_msdicom_the_view_over_every_vendor_is_the_only_source(make_client, build):
    config = config_of(make_client(viewer_dir=str(build), vendors=["sigma"]).get("/viewer/app-config.js").text)
    assert [s["sourceName"] for s in config["dataSources"]] == ["all-vendors"]
    assert config["defaultDataSourceName"] == "all-vendors"


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed (it runs the script as a browser)")
def test_the_script_runs_and_makes_the_roots_urls_of_the_pages_origin(make_client, build):
    script = make_client(viewer_dir=str(build)).get("/viewer/app-config.js").text
    program = (
        "globalThis.window = {location: {origin: 'http://127.0.0.1:8080'}};\n"
        + script
        + "\nconsole.log(JSON.stringify(window.config.dataSources.map((s) => s.configuration.qidoRoot)));"
    )
    out = subprocess.run(["node", "-e", program], capture_output=True, text=True, check=True, timeout=60).stdout
    assert json.loads(out) == ["http://127.0.0.1:8080/msdicom/v2", "http://127.0.0.1:8080/__admin/dicomweb"]


@pytest.mark.parametrize("path", ["/viewer/", "/viewer/viewer?StudyInstanceUIDs=1.2.3", "/viewer/app.bundle.js"])
def test_without_the_build_a_page_says_how_to_add_it(make_client, tmp_path, path):
    folder = tmp_path / "not-installed"
    answer = make_client(viewer_dir=str(folder)).get(path)
    assert answer.status_code == 404 and answer.mimetype == "text/html"
    assert "<code>make viewer</code>" in answer.text and f"<code>{folder}</code>" in answer.text
    assert make_client(viewer_dir=str(folder)).get("/viewer/app-config.js").status_code == 200


def test_a_build_without_its_marker_is_not_served(make_client, build):
    (build / viewer.MARKER).unlink()  # install.py writes it last: an interrupted install
    answer = make_client(viewer_dir=str(build)).get("/viewer/")
    assert answer.status_code == 404 and "make viewer" in answer.text


@pytest.mark.parametrize("vendors", [[], ["msdicom"], ["aliyun"]])
def test_viewer_paths_are_the_servers_not_a_vendors(make_client, build, vendors):
    """Neither a lone vendor served at '/' nor the OSS store (a bucket named 'viewer') takes them."""
    client = make_client(viewer_dir=str(build), vendors=vendors)
    assert client.get("/viewer/").text == INDEX
    assert client.get("/viewer/viewer?StudyInstanceUIDs=1.2.3").text == INDEX
    assert client.get("/__admin/requests").json["requests"] == []


def test_no_bucket_is_named_viewer():
    assert is_reserved("viewer") and not is_reserved("viewers")


def test_the_serve_banner_says_where_the_viewer_is_or_how_to_add_it(build, tmp_path):
    class Settings:
        viewer_dir = str(build)

    assert viewer.where(Settings, "http://127.0.0.1:8080") == ("http://127.0.0.1:8080/viewer/ (OHIF Viewer 3.13.2)")
    Settings.viewer_dir = str(tmp_path / "none")
    assert viewer.where(Settings, "http://127.0.0.1:8080") == (
        f"not installed: `make viewer` adds the OHIF Viewer at http://127.0.0.1:8080/viewer/ (into {tmp_path / 'none'})"
    )


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed (it runs the script as a browser)")
def test_the_script_names_each_finding_of_a_report_over_its_region(make_client, build):
    """OHIF's text over a region is its measurements alone ("AI score: 0.87 1"): the script's customization puts
    the finding's name (the report's tracking identifier) first, the scores after it without their unit."""
    script = make_client(viewer_dir=str(build)).get("/viewer/app-config.js").text
    measurements = [
        {"TrackingIdentifier": "肺结节 nodule (solid)", "labels": [{"label": "AI score", "value": "0.87 1"}]},
        {"TrackingIdentifier": "KL3级", "labels": []},
        {"TrackingIdentifier": "Cornerstone3DTools@^0.1.0:Length", "labels": [{"label": "Length", "value": "31 mm"}]},
        {"labels": [{"label": "Long Axis", "value": "12.00 mm"}]},
    ]
    program = (
        "globalThis.window = {location: {origin: 'http://127.0.0.1:8080'}};\n"
        + script
        + "\nconst name = window.config.customizationService.onBeforeSRAddMeasurement.$set;"
        + f"\nconst named = {json.dumps(measurements, ensure_ascii=False)}.map((m) => name({{measurement: m}}));"
        + "\nconsole.log(JSON.stringify(named.map((m) => m.labels)));"
    )
    out = subprocess.run(["node", "-e", program], capture_output=True, text=True, check=True, timeout=60).stdout
    assert json.loads(out) == [
        [{"label": "肺结节 nodule (solid)", "value": "0.87"}],
        [{"label": "KL3级", "value": ""}],
        [{"label": "Length", "value": "31 mm"}],
        [{"label": "Long Axis", "value": "12.00 mm"}],
    ]
