"""Fault rules that would break the server (hang it, leave a callback pending forever, overflow a column) are refused
with a JSON 400 naming the field, and nothing is stored."""

import pytest

DELAY = '\'delay_ms\' must be milliseconds from 0 to 60000: a number, {"min": a, "max": b} or {"mean": m, "stddev": s}'
CALLBACK_DELAY = (
    '\'callback.delay_ms\' must be milliseconds from 0 to 86400000: a number, {"min": a, "max": b} '
    'or {"mean": m, "stddev": s}'
)
TIMES = "'times' must be a whole number from 0 to 2147483647"
AFTER = "'after' must be a whole number from 0 to 2147483647"
PROBABILITY = "'probability' must be a number from 0 to 1"


@pytest.mark.parametrize(
    "rule, error",
    [
        ({"action": {"delay_ms": 10**12}}, DELAY),
        ({"action": {"delay_ms": 60_001}}, DELAY),
        ({"action": {"delay_ms": 1e400}}, DELAY),
        ({"action": {"delay_ms": -1}}, DELAY),
        ({"action": {"delay_ms": "10"}}, DELAY),
        ({"action": {"delay_ms": True}}, DELAY),
        ({"action": {"delay_ms": {"min": 0, "max": 10**12}}}, DELAY),
        ({"action": {"delay_ms": {"mean": 10**12, "stddev": 1}}}, DELAY),
        ({"action": {"delay_ms": {"mean": 10, "stddev": 10**12}}}, DELAY),
        ({"action": {"callback": {"delay_ms": "soon"}}}, CALLBACK_DELAY),
        ({"action": {"callback": {"delay_ms": None}}}, CALLBACK_DELAY),
        ({"action": {"callback": {"delay_ms": [5]}}}, CALLBACK_DELAY),
        ({"action": {"callback": {"delay_ms": 86_400_001}}}, CALLBACK_DELAY),
        ({"action": {"callback": "delay_ms"}}, CALLBACK_DELAY),
        ({"action": {"callback": {"fail": "yes"}}}, "'callback.fail' must be true or false"),
        ({"action": {"callback": {"duplicate": 2}}}, "'callback.duplicate' must be true or false"),
        ({"times": True, "action": {"status": 503}}, TIMES),
        ({"times": 2**31, "action": {"status": 503}}, TIMES),
        ({"times": 99999999999999999999, "action": {"status": 503}}, TIMES),
        ({"times": 1.5, "action": {"status": 503}}, TIMES),
        ({"after": -1, "action": {"status": 503}}, AFTER),
        ({"after": 2**63, "action": {"status": 503}}, AFTER),
        ({"after": "3", "action": {"status": 503}}, AFTER),
        ({"probability": True, "action": {"status": 503}}, PROBABILITY),
        ({"probability": "0.5", "action": {"status": 503}}, PROBABILITY),
        ({"probability": 1.01, "action": {"status": 503}}, PROBABILITY),
        ({"probability": 1e400, "action": {"status": 503}}, PROBABILITY),
        (
            {"path": "/sigma/" + "*a" * 1100, "action": {"status": 503}},
            "'path' must be a glob of at most 2048 characters",
        ),
        ({"status": 503, "action": {"status": True}}, "'status' must be an HTTP status code"),
        ({"action": {"status": 503, "message": ["x"]}}, "'message' must be a string"),
        ({"vendor": ["sigma"], "action": {"status": 503}}, "'vendor' must be a string"),
        (
            {"vendor": "sigma", "action": {"error": ["InvalidParameter"]}},
            "'error' must be a code of the vendor's error catalog",
        ),
    ],
)
def test_a_rule_that_would_break_the_server_is_refused(client, rule, error):
    import json

    response = client.post(
        "/__admin/faults", data=json.dumps(rule).replace("Infinity", "1e400"), content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json == {"error": error}
    assert client.get("/__admin/faults").json["faults"] == []


def test_a_lone_surrogate_in_a_rule_is_refused(client):
    response = client.post(
        "/__admin/faults", data='{"path": "/sigma/\\ud800", "action": {"status": 503}}', content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json == {"error": "body: a string holds a lone surrogate (\\ud800-\\udfff unpaired)"}
    assert client.get("/__admin/faults").json["faults"] == []


@pytest.mark.parametrize(
    "rule",
    [
        {"action": {"delay_ms": 60_000}, "times": 0},
        {"action": {"delay_ms": {"min": 0, "max": 60_000}}, "times": 0},
        {"action": {"callback": {"delay_ms": 86_400_000}}},
        {"action": {"callback": {"fail": True, "duplicate": False}}},
        {"action": {"status": 503}, "times": 2**31 - 1, "after": 2**31 - 1, "probability": 1},
    ],
)
def test_rules_at_the_bounds_are_taken(client, rule):
    response = client.post("/__admin/faults", json=rule)
    assert response.status_code == 201, response.json


def test_a_drawn_delay_never_passes_the_bound():
    import random

    from mockservers.core.faults import MAX_DELAY_MS, delay_seconds

    draws = [delay_seconds({"mean": 59_000, "stddev": 50_000}, random.Random(n), MAX_DELAY_MS) for n in range(200)]
    assert max(draws) == 60.0 and min(draws) == 0.0
