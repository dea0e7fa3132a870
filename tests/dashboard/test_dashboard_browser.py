"""The dashboard in a real browser: Playwright driving Debian's Chromium."""

import io

import numpy as np
import pytest
from PIL import Image

from mockservers.dashboard.thumbnails import PALETTE
from mockservers.dicom.synthetic import dx_file
from mockservers.sigma.client import SigmaClient
from tests.browser import NEEDS_CHROMIUM

pytestmark = [pytest.mark.no_postgres_pass, NEEDS_CHROMIUM]


@pytest.fixture
def page(browser, mock_server):
    context = browser.new_context(viewport={"width": 1280, "height": 1600})
    page = context.new_page()
    page.goto(mock_server.url() + (f"/?token={mock_server.token}" if mock_server.token else "/"))
    yield page
    context.close()


def tab(page, name):
    page.get_by_role("tab", name=name, exact=True).click()


def test_page_loads_with_the_vendors(page):
    tab(page, "Vendors")
    page.wait_for_selector("#vendors tbody tr")
    keys = page.locator("#vendors tbody tr td:first-child").all_inner_texts()
    assert "sigma" in keys
    assert page.title() == "mockservers"


def test_a_request_appears_in_the_journal(page, mock_server):
    SigmaClient(mock_server.url("sigma")).login()
    tab(page, "Journal")
    row = page.locator("#journal tbody tr", has_text="/sigma/login")
    row.first.wait_for(timeout=15000)
    assert "200" in row.first.inner_text()


def test_a_job_changes_state_after_a_clock_advance(page, mock_server):
    client = SigmaClient(mock_server.url("sigma"))
    client.login()
    ids = client.upload_dicom(dx_file(index=50))
    job_id = client.new_job(ids["study_id"], ids["series_id"], ids["patient_id"], ids["filename"])
    tab(page, "Jobs")
    row = page.locator("#jobs tbody tr", has_text=job_id)
    row.wait_for(timeout=15000)
    assert "waiting" in row.inner_text()
    page.fill("#advance-seconds", "60")
    page.click("#advance")
    page.locator("#jobs tbody tr", has_text=job_id).locator("text=success").wait_for(timeout=15000)


def test_a_thumbnail_shows_the_boxes(page, mock_server):
    client = SigmaClient(mock_server.url("sigma"))
    client.login()
    ids = client.upload_dicom(dx_file(index=3, rows=256, columns=256))  # an image sigma finds something on
    client.new_job(ids["study_id"], ids["series_id"], ids["patient_id"], ids["filename"])
    mock_server.admin.advance(60)
    image = page.locator(".study img").first
    image.wait_for(timeout=15000)
    page.wait_for_function(
        "() => { const i = document.querySelector('.study img'); return i && i.complete && i.naturalWidth > 0; }",
        timeout=15000,
    )
    shot = np.asarray(Image.open(io.BytesIO(image.screenshot())).convert("RGB")).reshape(-1, 3).astype(int)
    first_colour = np.array([int(PALETTE[0][i : i + 2], 16) for i in (1, 3, 5)])
    close = np.abs(shot - first_colour).sum(axis=1) < 60
    assert close.sum() > 20, "the first finding's box is drawn in the browser's picture"


def fill_fault_form(page, **fields):
    tab(page, "Faults")
    for name, value in fields.items():
        field = page.locator(f"#fault-form [name={name}]")
        if field.evaluate("(e) => e.tagName") == "SELECT":
            field.select_option(value, timeout=15000)
        else:
            field.fill(value)
    page.click("#fault-add")


def test_a_fault_rule_is_added_and_removed(page, mock_server):
    fill_fault_form(page, vendor="sigma", path="/sigma/login", action="status", value="503")
    page.locator("#faults tbody tr", has_text="/sigma/login").wait_for(timeout=15000)
    assert mock_server.admin.faults()[0]["action"] == {"status": 503}
    page.click(".fault-remove")
    page.locator("#faults tbody tr").first.wait_for(state="detached", timeout=15000)
    assert mock_server.admin.faults() == []


TOKEN = "browser-admin-token"


@pytest.fixture(scope="module")
def guarded_server():
    from mockservers.pytest_plugin import LiveServer
    from tests.machinery import test_settings

    server = LiveServer(test_settings(admin_token=TOKEN))
    yield server
    server.stop()


def test_with_an_admin_token_the_page_is_opened_with_it_and_sends_it(browser, guarded_server):
    guarded_server.admin.reset()
    client = SigmaClient(guarded_server.url("sigma"))
    client.login()
    ids = client.upload_dicom(dx_file(index=2, rows=256, columns=256))
    client.new_job(ids["study_id"], ids["series_id"], ids["patient_id"], ids["filename"])
    guarded_server.admin.advance(60)
    context = browser.new_context(viewport={"width": 1280, "height": 1600})
    try:
        page = context.new_page()
        refused = page.goto(guarded_server.url() + "/")
        assert refused.status == 401 and "Bearer" in refused.json()["error"]
        page.goto(guarded_server.url() + f"/?token={TOKEN}")
        page.wait_for_function(
            "() => { const i = document.querySelector('.study img'); return i && i.complete && i.naturalWidth > 0; }",
            timeout=15000,
        )
        tab(page, "Journal")
        page.locator("#journal tbody tr", has_text="/sigma/login").first.wait_for(timeout=15000)
        fill_fault_form(page, vendor="sigma", action="status", value="503")
        page.locator("#faults tbody tr", has_text="503").wait_for(timeout=15000)
        assert guarded_server.admin.faults()[0]["action"] == {"status": 503}
        page.reload()  # the address keeps the token and the tab
        page.locator("#faults tbody tr", has_text="503").wait_for(timeout=15000)
    finally:
        context.close()
