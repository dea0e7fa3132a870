"""Where callbacks may go: only hosts and networks in callback_allow, never the control plane, never a redirect."""

import socket

import pytest
import requests
from pytest_httpserver import HTTPServer
from requests.adapters import BaseAdapter

from mockservers.core import callback_targets
from mockservers.core.callback_targets import TargetError, TargetPolicy
from mockservers.core.callbacks import list_callbacks
from mockservers.core.runtime import Runtime
from mockservers.settings import Settings, load_settings
from tests.machinery import test_settings

DEFAULT_ALLOW = ["127.0.0.0/8", "::1/128", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7", "localhost"]


def refusal(policy: TargetPolicy, url: str) -> str | None:
    try:
        policy.check(url)
    except TargetError as exc:
        assert exc.final
        return str(exc)
    return None


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/hook",
        "http://127.9.9.9/hook",
        "http://10.1.2.3/hook",
        "http://172.16.0.1/hook",
        "http://172.31.255.254/hook",
        "http://192.168.1.1/hook",
        "http://[::1]:9000/hook",
        "http://[fc00::1]/hook",
        "http://[fd12::1]/hook",
        "http://localhost:5000/hook",
        "http://LOCALHOST./hook",
        "https://[::ffff:127.0.0.1]/h",
    ],
)
def test_default_allows_loopback_and_private_networks(url):
    assert refusal(TargetPolicy(Settings().callback_allow), url) is None


@pytest.mark.parametrize(
    "url, address",
    [
        ("http://203.0.113.5/hook", "203.0.113.5"),
        ("http://8.8.8.8/hook", "8.8.8.8"),
        ("http://172.32.0.1/hook", "172.32.0.1"),
        ("http://169.254.169.254/latest/meta-data", "169.254.169.254"),
        ("http://0.0.0.0:8080/hook", "0.0.0.0"),
        ("http://[2001:db8::1]/hook", "2001:db8::1"),
        ("http://[::ffff:203.0.113.5]/hook", "::ffff:203.0.113.5"),
    ],
)
def test_default_refuses_every_other_address(url, address):
    assert (
        refusal(TargetPolicy(Settings().callback_allow), url)
        == f"refused: {address} is not in callback_allow (set MOCKSERVERS_CALLBACK_ALLOW to allow it)"
    )


@pytest.mark.parametrize(
    "path",
    [
        "/__admin/reset",
        "/__admin",
        "/__admin/",
        "/%5F%5Fadmin/reset",
        "/%255F%255Fadmin/reset",
        "//__admin/reset",
        "/sigma/../__admin/reset",
        "/proxy/__admin/reset",
        "/__ADMIN/reset",
        "/__admin;x/reset",
    ],
)
def test_the_control_plane_is_refused_on_any_host(path):
    policy = TargetPolicy(["0.0.0.0/0", "::/0"])
    for host in ("127.0.0.1:8080", "10.0.0.7", "receiver.test"):
        assert (
            refusal(policy, f"http://{host}{path}?x=1")
            == "refused: /__admin is the mock's control plane, never a callback target"
        )


def test_a_path_that_only_looks_like_the_control_plane_is_allowed():
    policy = TargetPolicy(["127.0.0.0/8"])
    assert refusal(policy, "http://127.0.0.1/__administrator/hook") is None
    assert refusal(policy, "http://127.0.0.1/hooks?next=/__admin/reset") is None


def test_every_address_a_name_resolves_to_is_checked(monkeypatch):
    answers = {"receiver.test": ["127.0.0.1", "203.0.113.9"], "inside.test": ["10.0.0.5", "::1"]}

    def getaddrinfo(host, port, *args, **kwargs):
        return [
            (socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port))
            for a in answers[host]
        ]

    monkeypatch.setattr(callback_targets.socket, "getaddrinfo", getaddrinfo)
    policy = TargetPolicy(DEFAULT_ALLOW)
    assert (
        refusal(policy, "http://receiver.test/hook")
        == "refused: receiver.test resolves to 203.0.113.9, which is not in callback_allow "
        "(set MOCKSERVERS_CALLBACK_ALLOW to allow it)"
    )
    assert refusal(policy, "http://inside.test:81/hook") is None


def test_a_name_that_does_not_resolve_is_a_failed_attempt_not_a_refusal(monkeypatch):
    def getaddrinfo(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(callback_targets.socket, "getaddrinfo", getaddrinfo)
    with pytest.raises(TargetError) as err:
        TargetPolicy(DEFAULT_ALLOW).check("http://nowhere.test/hook")
    assert not err.value.final and str(err.value) == "cannot resolve nowhere.test: Name or service not known"


def test_a_listed_host_name_is_allowed_without_resolving(monkeypatch):
    def getaddrinfo(*args, **kwargs):
        raise AssertionError("a listed name needs no resolution")

    monkeypatch.setattr(callback_targets.socket, "getaddrinfo", getaddrinfo)
    assert refusal(TargetPolicy(["receiver.test"]), "https://Receiver.Test:8443/hook") is None


@pytest.mark.parametrize(
    "url, why",
    [
        ("ftp://127.0.0.1/x", "refused: only http and https callbacks are sent"),
        ("http://127.0.0.1:99999/x", "refused: 'http://127.0.0.1:99999/x' is not a valid URL"),
        ("http:///x", "refused: 'http:///x' names no host"),
    ],
)
def test_urls_that_cannot_be_sent_are_refused(url, why):
    assert refusal(TargetPolicy(DEFAULT_ALLOW), url) == why


@pytest.mark.parametrize("entry", ["10.0.0.0/33", "10.0.0.1/8x", "", "bad host", 5])
def test_a_bad_allow_entry_is_an_error_at_start(entry):
    with pytest.raises(ValueError) as err:
        TargetPolicy(["127.0.0.0/8", entry])
    assert str(err.value) == f"callback_allow: {entry!r} is neither a host name nor an IP network"


def test_setting_defaults_env_and_file(tmp_path):
    assert Settings().callback_allow == DEFAULT_ALLOW
    s = load_settings({}, env={"MOCKSERVERS_CALLBACK_ALLOW": "10.0.0.0/8, receiver.test 203.0.113.0/24"})
    assert s.callback_allow == ["10.0.0.0/8", "receiver.test", "203.0.113.0/24"]
    config = tmp_path / "c.yaml"
    config.write_text("callback_allow: [192.168.0.0/16, hooks.test]\n")
    assert load_settings({"config": str(config)}, env={}).callback_allow == ["192.168.0.0/16", "hooks.test"]


# ---- through the outbox ---------------------------------------------------------------------------------


class Recorder(BaseAdapter):
    """Answers 200 for any host without a socket, and remembers what it was asked to send."""

    def __init__(self):
        super().__init__()
        self.sent = []

    def send(self, request, **kwargs):
        self.sent.append(request)
        response = requests.Response()
        response.status_code, response._content, response.url, response.request = 200, b"ok", request.url, request
        return response

    def close(self):
        pass


def outbox(**settings):
    rt = Runtime(test_settings(**settings), vendors=[])
    recorder = Recorder()
    rt.dispatcher.http.mount("http://203.0.113.5", recorder)
    return rt, recorder


def enqueue(rt, url, body=None):
    with rt.store.transaction() as db:
        return rt.context(db, "t").callback(url, body or {}).id


def callbacks(rt):
    with rt.store.transaction() as db:
        return list_callbacks(db)


def test_a_public_address_is_refused_by_default_and_never_contacted():
    rt, recorder = outbox(callback_timeout=0.2)
    try:
        enqueue(rt, "http://203.0.113.5/hook")
        rt.advance(0)
        rt.advance(100000)
        [cb] = callbacks(rt)
        assert cb["state"] == "refused" and recorder.sent == []
        [attempt] = cb["attempts"]
        assert (
            attempt["status"] is None
            and attempt["state"] == "done"
            and attempt["error"]
            == "refused: 203.0.113.5 is not in callback_allow (set MOCKSERVERS_CALLBACK_ALLOW to allow it)"
        )
        redelivered = rt.dispatcher.redeliver(cb["id"])
        assert redelivered["state"] == "refused" and len(redelivered["attempts"]) == 2 and recorder.sent == []
    finally:
        rt.close()


def test_a_public_address_is_sent_to_when_allowed():
    rt, recorder = outbox(callback_allow=["127.0.0.0/8", "203.0.113.0/24"])
    try:
        enqueue(rt, "http://203.0.113.5/hook", {"a": 1})
        rt.advance(0)
        [cb] = callbacks(rt)
        assert cb["state"] == "delivered" and [r.url for r in recorder.sent] == ["http://203.0.113.5/hook"]
    finally:
        rt.close()


def test_the_control_plane_of_this_very_server_is_refused(httpserver):
    rt, _ = outbox()
    try:
        enqueue(rt, httpserver.url_for("/__admin/reset"))
        rt.advance(0)
        [cb] = callbacks(rt)
        assert cb["state"] == "refused" and len(httpserver.log) == 0
        assert cb["attempts"][0]["error"] == "refused: /__admin is the mock's control plane, never a callback target"
    finally:
        rt.close()


def test_sent_straight_to_the_receiver_keeping_no_cookies(httpserver, monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", "http://10.255.255.1:9")
    monkeypatch.setenv("NO_PROXY", "")
    httpserver.expect_request("/hook").respond_with_data("busy", status=503, headers={"Set-Cookie": "s=1; Path=/"})
    rt, _ = outbox()
    try:
        enqueue(rt, httpserver.url_for("/hook"))
        rt.advance(1)
        [cb] = callbacks(rt)
    finally:
        rt.close()
    assert [a["status"] for a in cb["attempts"]] == [503, 503]
    assert [request.headers.get("Cookie") for request, _ in httpserver.log] == [None, None]


def test_a_redirect_is_never_followed(httpserver):
    elsewhere = HTTPServer(host="127.0.0.1", port=0)
    elsewhere.start()
    try:
        elsewhere.expect_request("/stolen").respond_with_data("secret")
        httpserver.expect_request("/hook").respond_with_data(
            "", status=302, headers={"Location": elsewhere.url_for("/stolen")}
        )
        rt, _ = outbox()
        try:
            enqueue(rt, httpserver.url_for("/hook"))
            rt.advance(0)
            [cb] = callbacks(rt)
        finally:
            rt.close()
        assert len(elsewhere.log) == 0 and len(httpserver.log) == 1
        assert cb["state"] == "pending"
        assert [(a["status"], a["error"]) for a in cb["attempts"]] == [(302, "HTTP 302")]
    finally:
        elsewhere.clear()
        elsewhere.stop()


def test_outside_the_vendors_only_the_control_plane_takes_writes(mock_app):
    """Why refusing /__admin is enough to keep callbacks off this server's own controls: every route outside the
    vendors' blueprints that takes more than a read is under /__admin."""
    vendors = mock_app.extensions["mockservers"].vendors.values()
    vendor_blueprints = {v.blueprint().name for v in vendors} | {
        v.root_blueprint().name for v in vendors if v.root_blueprint() is not None
    }
    writes = [
        rule
        for rule in mock_app.url_map.iter_rules()
        if set(rule.methods) - {"GET", "HEAD", "OPTIONS"} and rule.endpoint.split(".", 1)[0] not in vendor_blueprints
    ]
    assert writes and all(rule.rule.startswith("/__admin/") for rule in writes), [r.rule for r in writes]
