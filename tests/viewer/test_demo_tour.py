"""The demo tour in a real browser (Playwright driving Debian's Chromium): a server seeded with the demo scenario as
`make run` seeds it, its dashboard, and from there a sigma study and a CT study opened in the OHIF Viewer on the
read-only view over every vendor's DICOM, each with its findings' DICOM SR report listed beside the images and drawn
over them (OHIF's cornerstone-dicom-sr extension reads the TID 1500 regions). The CT study's findings are aliyun's,
labelled in Chinese: the label must be written in glyphs, not empty boxes.

Screenshots go to tests/artifacts/viewer/ (git-ignored): tour-dashboard.png (the dashboard with its "open in the
viewer" links), tour-sigma-study.png and tour-ct-study.png (each study as opened, the report listed but not shown),
tour-sigma-report.png and tour-ct-report.png (the report loaded: the findings' regions and labels over the image),
tour-journal-row.png (a journal row of the tour opened: request and response) and tour-fault.png (a fault rule
added with the dashboard's form, and the request it answered).

Needs the viewer installed (`make viewer`) in var/viewer, or MOCKSERVERS_VIEWER_DIR."""

import io
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pytest
import requests
from PIL import Image

from tests.browser import NEEDS_CHROMIUM
from tests.demo_state import seeded_state
from tests.viewer.conftest import watched_context
from tests.viewer.test_viewer_browser import ARTIFACTS, FOLDER, NEEDS_VIEWER, WAIT_MS

pytestmark = [pytest.mark.no_postgres_pass, NEEDS_CHROMIUM, NEEDS_VIEWER]

# The demo's seed, as `make run` seeds it (its fifth aliyun study is a lung CT the detector finds nodules in)
SEED = 0
STUDIES = 5

# The canvas OHIF draws an image on holds a picture with contrast (a CT slice is mostly dark air around the body)
DRAWN = """() => {
  const canvas = document.querySelector("canvas.cornerstone-canvas");
  const context = canvas && canvas.width && canvas.height && canvas.getContext("2d");
  if (!context) return false;
  const {data} = context.getImageData(0, 0, canvas.width, canvas.height);
  let lit = 0, high = 0;
  for (let i = 0; i < data.length; i += 4) if (data[i] > 30) { lit++; high = Math.max(high, data[i]); }
  return lit > data.length / 4 * 0.05 && high > 120;
}"""

# What OHIF draws a loaded SR's regions with: cornerstone's SVG layer over the image, one group per finding
OVERLAY = """() => [...document.querySelectorAll("svg.svg-layer")].map((svg) => ({
  shapes: svg.querySelectorAll("polyline, path, line, ellipse, circle").length,
  texts: [...svg.querySelectorAll("text")].map((t) => t.textContent).filter(Boolean),
}))"""

# Whether the browser has glyphs for these characters in the font OHIF writes labels with: an empty box (a missing
# glyph) is the same picture for every character, a real glyph is a picture of its own.
GLYPHS = """(chars) => {
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = 48;
  const context = canvas.getContext("2d");
  context.font = "32px Helvetica Neue, Helvetica, Arial, sans-serif";
  const picture = (ch) => {
    context.clearRect(0, 0, 48, 48);
    context.fillText(ch, 4, 38);
    return context.getImageData(0, 0, 48, 48).data.join();
  };
  const missing = picture(String.fromCodePoint(0x10fffd));  // a private-use code point no font has
  const pictures = chars.map(picture);
  return pictures.every((p) => p !== missing) && new Set(pictures).size === chars.length;
}"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from mockservers.pytest_plugin import LiveServer
    from tests.machinery import test_settings

    state = seeded_state(tmp_path_factory.mktemp("tour"), "demo", SEED, STUDIES)
    live = LiveServer(test_settings(state=state, seed=SEED, viewer_dir=str(FOLDER)))
    live.admin.advance(60)  # the analyses the demo leaves running finish
    yield live
    live.stop()


@pytest.fixture(scope="module")
def demo(server):
    """{vendor: [the dashboard's studies of that vendor with findings]}."""
    studies = server.session.get(server.url() + "/__admin/studies", timeout=60).json()["studies"]
    found: dict[str, list[dict]] = {}
    for study in studies:
        found.setdefault(study["vendor"], []).append(study)
    return found


@pytest.fixture(scope="module")
def reports(server):
    """{StudyInstanceUID: [(SeriesDescription, the number of SR instances)]} of every report series in the view."""
    view = server.url() + "/__admin/dicomweb/studies"
    out: dict[str, list[tuple[str, int]]] = {}
    for study in server.session.get(view, timeout=60).json():
        uid = study["0020000D"]["Value"][0]
        for series in server.session.get(f"{view}/{uid}/series", timeout=60).json():
            if series["00080060"]["Value"] == ["SR"]:
                out.setdefault(uid, []).append((series["0008103E"]["Value"][0], series["00201209"]["Value"][0]))
    return out


@pytest.fixture(scope="module")
def context(browser, server):
    """One browser context for the tour, recording every request leaving for anywhere but the mock."""
    context = watched_context(browser, server)
    yield context
    context.close()


@pytest.fixture(scope="module")
def dashboard(context, server):
    page = context.new_page()
    page.goto(server.url() + "/")
    page.locator("a.viewer-link").first.wait_for(timeout=WAIT_MS)
    # the thumbnails in sight are drawn (each is rendered on the server from the study's pixels)
    page.wait_for_function(
        "() => [...document.images].filter((i) => i.getBoundingClientRect().top < innerHeight)"
        ".every((i) => i.complete && i.naturalWidth > 0)",
        timeout=WAIT_MS,
    )
    page.screenshot(path=ARTIFACTS / "tour-dashboard.png", full_page=False)
    return page


def _uid_of(href: str) -> str:
    return parse_qs(urlsplit(href).query)["StudyInstanceUIDs"][0]


def _turn(dashboard, button: str) -> bool:
    """Turns the studies' page with the "previous" or "next" button; False if there is no page that way."""
    pager = dashboard.locator("[data-test=studies-page]")
    if dashboard.locator(f"#studies-{button}").is_disabled():
        return False
    before = pager.inner_text()
    dashboard.locator(f"#studies-{button}").click()
    dashboard.wait_for_function(
        "(before) => document.querySelector('[data-test=studies-page]').textContent !== before", arg=before
    )
    return True


def _link_to(dashboard, uids: set[str]):
    """The dashboard's first "open in the viewer" link to one of `uids`, paging through the studies from the first."""
    dashboard.get_by_role("tab", name="Studies", exact=True).click()
    while _turn(dashboard, "previous"):
        pass
    while True:
        for link in dashboard.locator("a.viewer-link").all():
            if _uid_of(link.get_attribute("href") or "") in uids:
                return link
        if not _turn(dashboard, "next"):
            raise AssertionError(f"the dashboard links none of {sorted(uids)} to the viewer")


def _overlay_pixels(picture: bytes) -> int:
    """How many pixels are of the colours OHIF draws an SR's regions in (yellow, green): the demo images are grey."""
    rgb = np.asarray(Image.open(io.BytesIO(picture)).convert("RGB"), dtype=int)
    green, blue = rgb[..., 1], rgb[..., 2]
    return int(((green > 150) & (blue < 100) & (green - blue > 100)).sum())


def _open_and_load_the_report(dashboard, context, server, uid: str, vendor: str, name: str):
    """Follows the dashboard's link to study `uid` (in a page of its own, as the link opens it: the dashboard redraws
    its links as it refreshes), checks the report is listed, loads it; returns the page."""
    viewer = context.new_page()
    viewer.goto(server.url() + _link_to(dashboard, {uid}).get_attribute("href"))
    viewer.wait_for_function(DRAWN, timeout=WAIT_MS)
    assert urlsplit(viewer.url).path == "/viewer/viewer/all-vendors", "OHIF's route of the all-vendors data source"
    listed = viewer.locator("[data-cy^=study-browser-thumbnail]", has_text=f"{vendor}: findings")
    listed.first.wait_for(timeout=WAIT_MS)
    assert "SR" in listed.first.inner_text()
    viewport = viewer.locator(".cornerstone-viewport-element").first
    before = viewport.screenshot()
    viewer.screenshot(path=ARTIFACTS / f"tour-{name}-study.png")
    assert not any(layer["shapes"] for layer in viewer.evaluate(OVERLAY)), "nothing drawn before the report is loaded"
    listed.first.dblclick()
    viewer.wait_for_function(f"() => ({OVERLAY})().some((layer) => layer.shapes > 0)", timeout=WAIT_MS)
    viewer.wait_for_function(DRAWN, timeout=WAIT_MS)
    declined = viewer.get_by_role("button", name="No", exact=True)
    if declined.is_visible():  # OHIF asks whether to track the report's measurements: it stays a report
        declined.click()
    viewer.wait_for_function(f"() => ({OVERLAY})().some((layer) => layer.texts.length > 0)", timeout=WAIT_MS)
    after = viewport.screenshot()
    viewer.screenshot(path=ARTIFACTS / f"tour-{name}-report.png")
    assert _overlay_pixels(after) > _overlay_pixels(before) + 200, "the regions are drawn over the image"
    return viewer


def test_a_sigma_study_opens_on_every_vendors_view_with_its_findings_drawn(dashboard, context, server, demo, reports):
    with_reports = {s["study_uid"]: s for s in demo["sigma"] if s["findings"] and s["study_uid"] in reports}
    assert with_reports, "the demo's sigma studies with findings have their reports in the view"
    link = _link_to(dashboard, set(with_reports))
    study = with_reports[_uid_of(link.get_attribute("href"))]
    assert reports[study["study_uid"]] == [("sigma: findings (sigma-dr-mock-1.0)", 1)]
    viewer = _open_and_load_the_report(dashboard, context, server, study["study_uid"], "sigma", "sigma")
    texts = [t for layer in viewer.evaluate(OVERLAY) for t in layer["texts"]]
    boxed = [f for f in study["findings"] if f.get("box")]
    assert boxed and len(texts) == len(boxed), (texts, boxed)
    for finding in boxed:  # the report names a finding as sigma does, in Chinese with the English term
        assert any(f"({finding['label']}): {finding['score']:.2f}" in t for t in texts), (finding, texts)
    assert viewer.evaluate(GLYPHS, sorted({ch for t in texts for ch in t if ord(ch) > 0x2E80})), "Chinese glyphs"
    assert context.elsewhere == []


def test_a_ct_study_opens_with_its_nodules_drawn_and_labelled_in_chinese(dashboard, context, server, demo, reports):
    ct = [s for s in demo["aliyun"] if "肺结节CT" in s["description"] and s["study_uid"] in reports]
    assert ct, f"aliyun's lung-nodule CT study finds nodules under seed {SEED}, and the view reports them"
    study = ct[0]
    assert reports[study["study_uid"]] == [("aliyun: findings (aliyun studyType 1 肺结节CT)", 1)]
    viewer = _open_and_load_the_report(dashboard, context, server, study["study_uid"], "aliyun", "ct")
    assert viewer.get_by_text("CT", exact=True).first.is_visible()
    texts = [t for layer in viewer.evaluate(OVERLAY) for t in layer["texts"]]
    assert texts and all(t.startswith("肺结节 nodule (") for t in texts), texts
    assert viewer.evaluate(GLYPHS, ["肺", "结", "节"]), "the Chinese label is written in glyphs, not empty boxes"
    assert context.elsewhere == []


def test_the_tour_goes_on_to_the_journal_and_a_fault_built_with_the_form(dashboard, server):
    qido = server.url("msdicom") + "/v2/studies?limit=1"
    assert requests.get(qido, headers={"Accept": "application/dicom+json"}, timeout=30).status_code == 200
    dashboard.get_by_role("tab", name="Journal", exact=True).click()
    journal = dashboard.get_by_role("tabpanel", name="Journal", exact=True)
    row = journal.locator("[data-test=journal-row]", has_text="/msdicom/v2/studies?limit=1").first
    row.wait_for(timeout=WAIT_MS)
    row.click()
    detail = journal.locator("[data-test=journal-detail]").first
    detail.wait_for(timeout=WAIT_MS)
    assert f"GET {server.url()}/msdicom/v2/studies?limit=1" in detail.inner_text()
    assert "Content-Type: application/dicom+json" in detail.inner_text(), "the response's headers"
    assert detail.locator("[data-test=curl-text]").inner_text().startswith(f"curl '{qido}'")
    dashboard.screenshot(path=ARTIFACTS / "tour-journal-row.png")

    dashboard.get_by_role("tab", name="Faults", exact=True).click()
    form = dashboard.locator("form#fault-form")
    form.locator("[name=vendor] option[value=msdicom]").wait_for(state="attached", timeout=WAIT_MS)
    form.locator("[name=vendor]").select_option("msdicom")
    form.locator("[name=path] option[value='/msdicom/v*/studies']").wait_for(state="attached", timeout=WAIT_MS)
    form.locator("[name=path]").select_option("/msdicom/v*/studies")
    form.locator("[name=method]").select_option("GET")
    form.locator("[name=action]").select_option("status")
    form.locator("[name=value]").fill("503")
    form.locator("[name=times]").fill("1")
    form.get_by_role("button", name="add the rule").click()
    dashboard.locator("[data-test=fault-row]", has_text="/msdicom/v*/studies").wait_for(timeout=WAIT_MS)
    try:
        assert requests.get(qido, timeout=30).status_code == 503
        assert requests.get(qido, timeout=30).status_code == 200  # once
        dashboard.screenshot(path=ARTIFACTS / "tour-fault.png")
    finally:
        server.admin.clear_faults()
