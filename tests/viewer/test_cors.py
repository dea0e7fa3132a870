"""`cors_origins` (`serve --cors`): pages of the listed origins may call the DICOMweb routes, preflight included;
nothing changes without it, nor on other routes or for other origins."""

import pytest

from mockservers.settings import load_settings
from mockservers.viewer.cors import Cors

ORIGIN = "http://localhost:3000"
PREFLIGHT = {
    "Origin": ORIGIN,
    "Access-Control-Request-Method": "GET",
    "Access-Control-Request-Headers": "accept, authorization",
}
CORS_NAMES = {
    "Access-Control-Allow-Origin",
    "Access-Control-Allow-Credentials",
    "Access-Control-Allow-Methods",
    "Access-Control-Allow-Headers",
    "Access-Control-Max-Age",
    "Access-Control-Expose-Headers",
}


def cors_headers(response) -> dict:
    return {name: value for name, value in response.headers.items() if name in CORS_NAMES}


@pytest.mark.parametrize("path", ["/msdicom/v2/studies", "/sphere/qidors/studies", "/__admin/dicomweb/studies"])
def test_a_preflight_from_a_listed_origin_is_answered(make_client, path):
    client = make_client(cors_origins=[ORIGIN])
    answer = client.options(path, headers=PREFLIGHT)
    assert answer.status_code == 204 and answer.data == b""
    assert cors_headers(answer) == {
        "Access-Control-Allow-Origin": ORIGIN,
        "Access-Control-Allow-Credentials": "true",
        "Access-Control-Allow-Methods": "GET, HEAD, POST, PUT, DELETE",
        "Access-Control-Allow-Headers": "Accept, Authorization, Content-Type, X-Mock-Namespace",
        "Access-Control-Max-Age": "600",
    }
    assert answer.headers["Vary"] == "Origin"
    assert client.get("/__admin/requests").json["requests"] == [], "a browser's preflight is not the client's call"


def test_an_answer_to_a_listed_origin_may_be_read_by_its_page(make_client):
    client = make_client(cors_origins=[ORIGIN])
    answer = client.get("/msdicom/v2/studies", headers={"Origin": ORIGIN, "Accept": "application/dicom+json"})
    assert answer.status_code == 204
    assert cors_headers(answer) == {
        "Access-Control-Allow-Origin": ORIGIN,
        "Access-Control-Allow-Credentials": "true",
        "Access-Control-Expose-Headers": "Content-Location, ETag, Location, Warning, X-Mock-Explain",
    }
    assert answer.headers["Vary"] == "Origin"
    refused = client.get("/msdicom/v2/studies?Nonsense=1", headers={"Origin": ORIGIN})
    assert refused.status_code == 400 and refused.headers["Access-Control-Allow-Origin"] == ORIGIN


def test_a_star_lets_any_page_read_without_credentials(make_client):
    client = make_client(cors_origins=["*"])
    answer = client.get("/msdicom/v2/studies", headers={"Origin": "http://elsewhere.example"})
    assert answer.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in answer.headers
    preflight = client.options("/msdicom/v2/studies", headers={**PREFLIGHT, "Origin": "http://elsewhere.example"})
    assert preflight.status_code == 204 and preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in preflight.headers


def test_with_the_admin_token_a_preflight_is_answered_and_a_refusal_readable(make_client):
    client = make_client(cors_origins=[ORIGIN], admin_token="secret-token")
    assert client.options("/__admin/dicomweb/studies", headers=PREFLIGHT).status_code == 204
    refused = client.get("/__admin/dicomweb/studies", headers={"Origin": ORIGIN})
    assert refused.status_code == 401 and refused.headers["Access-Control-Allow-Origin"] == ORIGIN


@pytest.mark.parametrize(
    "settings, origin, path",
    [
        ({}, ORIGIN, "/msdicom/v2/studies"),  # none configured: as before
        ({"cors_origins": [ORIGIN]}, "http://localhost:3001", "/msdicom/v2/studies"),  # another origin
        ({"cors_origins": [ORIGIN]}, ORIGIN, "/sigma/login"),  # not a DICOMweb route
        ({"cors_origins": [ORIGIN]}, ORIGIN, "/__admin/requests"),  # the rest of the control plane
    ],
)
def test_no_cors_headers_elsewhere(make_client, settings, origin, path):
    client = make_client(**settings)
    answer = client.get(path, headers={"Origin": origin})
    assert cors_headers(answer) == {}
    preflight = client.options(path, headers={**PREFLIGHT, "Origin": origin})
    assert preflight.status_code != 204 or "Access-Control-Allow-Origin" not in preflight.headers
    assert cors_headers(preflight) == {}


def test_the_setting_from_the_command_line_and_the_environment():
    cli = load_settings({"cors_origins": ["http://a.example,http://b.example", "http://c.example:8042"]}, env={})
    assert cli.cors_origins == ["http://a.example", "http://b.example", "http://c.example:8042"]
    env = load_settings(env={"MOCKSERVERS_CORS_ORIGINS": "http://a.example http://b.example"})
    assert env.cors_origins == ["http://a.example", "http://b.example"]
    assert load_settings(env={}).cors_origins == []


def test_origins_are_matched_as_browsers_send_them(caplog):
    cors = Cors(["HTTP://LocalHost:3000/", "not an origin"], vendors=[])
    assert cors.origins == {"http://localhost:3000", "not an origin"}
    assert "'not an origin' is not an origin" in caplog.text
