"""The dashboard as its users meet it, in a real browser (Playwright driving Debian's Chromium), on the demo data
`make run` seeds: the tabs, the studies page by page, a journal row opened to its request and response and replayed
with its curl command, a fault rule built with the form and answering the next request, a rule the server refuses.

Screenshots go to tests/artifacts/dashboard/ (git-ignored): studies.png, studies-page-2.png, journal.png,
journal-row.png, jobs.png, callbacks.png, faults.png, fault-applied.png, fault-refused.png, vendors.png."""

import re
import socket
import subprocess
from pathlib import Path

import pytest
import requests

from mockservers.core.journal import mask
from mockservers.dicom.synthetic import dx_file
from mockservers.sigma.client import SigmaClient
from tests.browser import NEEDS_CHROMIUM
from tests.demo_state import seeded_state

pytestmark = [pytest.mark.no_postgres_pass, NEEDS_CHROMIUM]

ARTIFACTS = Path(__file__).resolve().parents[2] / "tests" / "artifacts" / "dashboard"
TABS = ("Studies", "Journal", "Jobs", "Callbacks", "Faults")
STUDIES_PER_VENDOR = 3  # five vendors: 15 studies, two pages of 12
WAIT_MS = 15_000
SECRET = "a-bearer-token-only-the-caller-knows"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """A live server on a demo-seeded state, as `make run` serves it (`mockservers seed --scenario demo`)."""
    from mockservers.pytest_plugin import LiveServer
    from tests.machinery import test_settings

    state = seeded_state(tmp_path_factory.mktemp("tour"), "demo", 0, STUDIES_PER_VENDOR)
    server = LiveServer(test_settings(state=state))
    yield server
    server.stop()


@pytest.fixture
def page(browser, demo):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=demo.url())
    page = context.new_page()
    page.goto(demo.url() + "/")
    yield page
    context.close()
    demo.admin.clear_faults()


def tab(page, name):
    page.get_by_role("tab", name=name, exact=True).click()
    panel = page.get_by_role("tabpanel", name=name, exact=True)
    panel.wait_for(timeout=WAIT_MS)
    return panel


def shot(page, name):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


def thumbnails_shown(page, count: int) -> None:
    page.wait_for_function(
        f"() => document.querySelectorAll('.study img').length === {count} && "
        "[...document.querySelectorAll('.study img')].every((i) => i.complete && i.naturalWidth > 0)",
        timeout=WAIT_MS,
    )


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_each_tab_shows_its_panel_alone(page, demo):
    sigma = SigmaClient(demo.url("sigma"))
    sigma.login()
    ids = sigma.upload_dicom(dx_file(index=60, rows=256, columns=256))
    sigma.new_job(
        ids["study_id"],
        ids["series_id"],
        ids["patient_id"],
        ids["filename"],
        notify_url=f"http://127.0.0.1:{closed_port()}/hook",  # nobody listens: the attempt fails
    )
    demo.admin.advance(60)
    tabs = page.get_by_role("tablist").get_by_role("tab")
    assert tabs.all_inner_texts()[: len(TABS)] == list(TABS)
    assert page.get_by_role("tab", name="Studies").get_attribute("aria-selected") == "true"
    for name in TABS:
        panel = tab(page, name)
        assert page.get_by_role("tab", name=name, exact=True).get_attribute("aria-selected") == "true"
        assert page.locator("[role=tabpanel]:visible").count() == 1 and panel.is_visible()
    tab(page, "Jobs").locator("tbody tr", has_text=ids["series_id"]).first.wait_for(timeout=WAIT_MS)
    shot(page, "jobs.png")
    tab(page, "Callbacks").locator("tbody tr", has_text="/hook").wait_for(timeout=WAIT_MS)
    shot(page, "callbacks.png")
    tab(page, "Vendors").locator("tbody tr", has_text="sigma").wait_for(timeout=WAIT_MS)
    shot(page, "vendors.png")
    page.reload()  # the address keeps the tab shown
    assert page.get_by_role("tab", name="Vendors").get_attribute("aria-selected") == "true"


def test_the_arrow_keys_move_between_tabs(page):
    page.get_by_role("tab", name="Studies").focus()
    page.keyboard.press("ArrowRight")
    assert page.get_by_role("tab", name="Journal").get_attribute("aria-selected") == "true"
    assert page.get_by_role("tabpanel", name="Journal").is_visible()
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")  # from the first to the last
    assert page.get_by_role("tab", name="Vendors").get_attribute("aria-selected") == "true"
    assert page.evaluate("document.activeElement.textContent") == "Vendors"


def test_studies_are_paged(page, demo):
    total = requests.get(demo.url() + "/__admin/studies").json()["total"]
    assert 12 < total <= 24  # the demo's 15, and any another test stored
    panel = tab(page, "Studies")
    pager = panel.locator("[data-test=studies-page]")
    thumbnails_shown(page, 12)
    assert pager.inner_text() == f"page 1 of 2 ({total} studies)"
    assert panel.get_by_role("button", name="previous").is_disabled()
    first_page = panel.locator(".study figcaption").all_inner_texts()
    shot(page, "studies.png")
    panel.get_by_role("button", name="next").click()
    thumbnails_shown(page, total - 12)
    assert pager.inner_text() == f"page 2 of 2 ({total} studies)"
    assert panel.get_by_role("button", name="next").is_disabled()
    assert not set(panel.locator(".study figcaption").all_inner_texts()) & set(first_page)
    shot(page, "studies-page-2.png")
    panel.get_by_role("button", name="previous").click()
    page.wait_for_function("() => document.querySelectorAll('.study').length === 12", timeout=WAIT_MS)


def test_a_journal_row_opens_with_credentials_masked_and_its_curl_replays_it(page, demo):
    sigma = SigmaClient(demo.url("sigma"))
    sigma.login()  # its password goes in the query string
    qido = demo.url("msdicom") + "/v2/studies?limit=2"
    sent = requests.get(qido, headers={"Authorization": f"Bearer {SECRET}", "Accept": "application/dicom+json"})
    assert sent.status_code == 200
    panel = tab(page, "Journal")
    row = panel.locator("[data-test=journal-row]", has_text="/msdicom/v2/studies")
    row.first.wait_for(timeout=WAIT_MS)
    shot(page, "journal.png")
    row.first.click()
    detail = panel.locator("[data-test=journal-detail]")
    detail.wait_for(timeout=WAIT_MS)
    text = detail.inner_text()
    assert f"GET {demo.url()}/msdicom/v2/studies?limit=2" in text
    assert f"Authorization: Bearer {mask(SECRET)}" in text and SECRET not in text
    assert re.search(r"^<\d+ bytes application/dicom\+json>$", text, re.MULTILINE)  # the journal keeps no DICOM
    curl = detail.locator("[data-test=curl-text]").inner_text()
    assert curl.startswith(f"curl '{demo.url()}/msdicom/v2/studies?limit=2' ")
    assert f"-H 'Authorization: Bearer {mask(SECRET)}'" in curl and SECRET not in curl
    detail.locator("[data-test=copy-curl]").click()
    assert page.evaluate("navigator.clipboard.readText()") == curl
    assert replay(curl) == "200" == row.first.locator("td").nth(4).inner_text()
    shot(page, "journal-row.png")

    refused = requests.post(qido, data="not a DICOM file", headers={"Content-Type": "text/plain"})
    assert refused.status_code >= 400
    posted = row.filter(has_text="POST")
    posted.first.click()
    curl = panel.locator("[data-test=journal-detail]", has_text="not a DICOM file").locator("[data-test=curl-text]")
    assert "-X POST" in curl.inner_text() and "--data-binary 'not a DICOM file'" in curl.inner_text()
    assert replay(curl.inner_text()) == str(refused.status_code)

    login = panel.locator("[data-test=journal-row]", has_text="/sigma/login")
    login.first.click()
    detail = panel.locator("[data-test=journal-detail]", has_text="/sigma/login")
    assert "password=***(8)" in detail.inner_text() and "MTIzNDU2" not in detail.inner_text()
    assert re.search(r'"token": "[^"]{3}\*\*\*\(24\)"', detail.inner_text())  # the response's too
    assert "password=***(8)" in detail.locator("[data-test=curl-text]").inner_text()
    login.first.click()  # closes it again
    assert panel.locator("[data-test=journal-detail]", has_text="/sigma/login").count() == 0
    assert login.first.get_attribute("aria-expanded") == "false"


def replay(curl: str) -> str:
    """The status the server answers the command with, run by a shell as a user would paste it."""
    command = curl + " -s -o /dev/null -w '%{http_code}'"
    return subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=30, check=True).stdout


def choose(form, **fields):
    for name, value in fields.items():
        field = form.locator(f"[name={name}]")
        if field.evaluate("(e) => e.tagName") == "SELECT":
            field.select_option(value, timeout=WAIT_MS)
        else:
            field.fill(value)


def test_a_fault_built_with_the_form_answers_the_next_matching_request(page, demo):
    panel = tab(page, "Faults")
    form = panel.locator("form#fault-form")
    form.locator("[name=path] option[value='/sigma/login']").wait_for(state="attached", timeout=WAIT_MS)
    vendors = form.locator("[name=vendor] option").all_inner_texts()
    assert set(vendors) == {"sigma", "aliyun", "cad4tb", "sphere", "msdicom"}
    choose(form, vendor="sphere")
    form.locator("[name=action] option[value=stow_fail]").wait_for(state="attached", timeout=WAIT_MS)
    choose(form, vendor="msdicom", path="/msdicom/v*/studies", method="GET", action="status", value="503", times="1")
    assert "status takes an HTTP status code" in form.inner_text()
    form.get_by_role("button", name="add the rule").click()
    row = panel.locator("[data-test=fault-row]", has_text="/msdicom/v*/studies")
    row.wait_for(timeout=WAIT_MS)
    [rule] = demo.admin.faults()
    assert (rule["vendor"], rule["method"], rule["path"], rule["action"], rule["times"]) == (
        "msdicom",
        "GET",
        "/msdicom/v*/studies",
        {"status": 503},
        1,
    )
    shot(page, "faults.png")
    qido = demo.url("msdicom") + "/v2/studies"
    assert requests.get(qido).status_code == 503
    assert requests.get(qido).status_code == 200  # times: 1
    tab(page, "Journal").locator("[data-test=journal-row]", has_text=f"#{rule['id']}").wait_for(timeout=WAIT_MS)
    shot(page, "fault-applied.png")
    tab(page, "Faults")
    row.get_by_role("button", name=f"remove rule {rule['id']}").click()
    row.wait_for(state="detached", timeout=WAIT_MS)
    assert demo.admin.faults() == []


def test_an_error_from_the_vendors_catalog(page, demo):
    form = tab(page, "Faults").locator("form#fault-form")
    choose(form, vendor="sigma", path="/sigma/login", action="error", value="InternalServerError")
    assert form.locator("#fault-codes option[value=InternalServerError]").count() == 1
    form.get_by_role("button", name="add the rule").click()
    page.locator("[data-test=fault-row]", has_text="InternalServerError").wait_for(timeout=WAIT_MS)
    answer = requests.get(demo.url("sigma") + "/login", params={"account_name": "sigma"})
    assert answer.status_code == 500


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"vendor": "sigma", "action": "status", "value": "999"}, "'status' must be an HTTP status code"),
        ({"vendor": "sigma", "action": "error", "value": "Nope"}, "'Nope' is not in the sigma error catalog"),
        (
            {"vendor": "sphere", "action": "stow_fail", "value": "0"},
            "'stow_fail': 'parts' must be a whole number of parts, at least 1",
        ),
    ],
)
def test_a_refused_rule_shows_the_servers_message(page, demo, fields, message):
    form = tab(page, "Faults").locator("form#fault-form")
    choose(form, **fields)
    form.get_by_role("button", name="add the rule").click()
    alert = form.get_by_role("alert")
    page.wait_for_function("() => document.getElementById('fault-error').textContent !== ''", timeout=WAIT_MS)
    assert alert.inner_text() == message
    assert demo.admin.faults() == []
    if fields["action"] == "status":
        shot(page, "fault-refused.png")
