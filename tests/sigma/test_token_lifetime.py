"""Sigma-Token expires `sigma_token_lifetime_seconds` (one day by default) after the Login that returned it, on the
clock; the client then gets InvalidToken and logs in again. Access-key signatures do not expire."""

from email.utils import formatdate

import pytest

from mockservers.settings import load_settings
from tests.sigma.conftest import assert_error
from tests.sigma.test_auth import signature

DAY = 86400
LIST = "/sigma/accounts/sigma/jobs/list/?unique_id=1.2.3"


def listing(sigma, token=None):
    return sigma.c.get(LIST, headers={"Sigma-Token": token or sigma.token})


def test_a_token_works_for_a_day_then_is_the_expired_token_error(sigma):
    sigma.advance(DAY - 1)
    assert listing(sigma).status_code == 200
    sigma.advance(1)
    response = listing(sigma)
    assert_error(
        response,
        401,
        "InvalidToken",
        "Invalid token, the token is invalid or expired, please login again!",
        "无效的token，token非法或已过期，请重新登录!",
    )
    assert response.headers["X-Mock-Explain"] == "Sigma-Token: expired, 86400 s after the Login that returned it"


def test_login_after_expiry_issues_a_new_token(sigma):
    old = sigma.token
    sigma.advance(DAY)
    assert sigma.login(force_new="False").status_code == 200
    assert sigma.token != old
    assert listing(sigma).status_code == 200
    assert_error(listing(sigma, old), 401, "InvalidToken")


def test_login_with_a_live_token_returns_it_for_another_lifetime(sigma):
    first = sigma.token
    sigma.advance(DAY - 100)
    assert sigma.login(force_new="False").status_code == 200 and sigma.token == first
    sigma.advance(DAY - 1)
    assert listing(sigma).status_code == 200
    sigma.advance(1)
    assert_error(listing(sigma), 401, "InvalidToken")


def test_logout_with_an_expired_token_is_the_token_error(sigma):
    sigma.advance(DAY)
    assert_error(sigma.c.delete("/sigma/logout", headers=sigma.headers), 401, "InvalidToken")


def test_the_lifetime_is_a_setting(sigma_with):
    sigma = sigma_with(sigma_token_lifetime_seconds=60)
    sigma.advance(59)
    assert listing(sigma).status_code == 200
    sigma.advance(1)
    assert_error(listing(sigma), 401, "InvalidToken")
    assert listing(sigma).headers["X-Mock-Explain"] == "Sigma-Token: expired, 60 s after the Login that returned it"


def test_a_lifetime_of_zero_never_expires(sigma_with):
    sigma = sigma_with(sigma_token_lifetime_seconds=0)
    sigma.advance(10 * 365 * DAY)
    assert listing(sigma).status_code == 200


def test_access_key_signatures_do_not_expire(sigma):
    info = sigma.login().json["data"]["user_info"]
    sigma.advance(30 * DAY)
    headers = {"Date": formatdate(usegmt=True)}
    sig = signature(info["secret_key"], "GET", "/sigma/accounts/sigma/jobs/list/", "unique_id=1.2.3", headers)
    response = sigma.c.get(LIST, headers={**headers, "Authorization": f"12Sigma {info['access_key']}:{sig}"})
    assert response.status_code == 200, response.json


@pytest.mark.parametrize(
    "env, lifetime, on_failure",
    [
        ({}, 86400.0, False),
        (
            {"MOCKSERVERS_SIGMA_TOKEN_LIFETIME_SECONDS": "600", "MOCKSERVERS_SIGMA_NOTIFY_ON_FAILURE": "true"},
            600.0,
            True,
        ),
    ],
)
def test_the_settings_and_their_variables(env, lifetime, on_failure):
    settings = load_settings(env=env)
    assert settings.sigma_token_lifetime_seconds == lifetime
    assert settings.sigma_notify_on_failure is on_failure
