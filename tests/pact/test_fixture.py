"""The plugin's verify_pacts fixture: a failing pact fails the test with pact's report."""

from __future__ import annotations

import pytest

from mockservers.pact.verify import namespace_for
from tests.pact.consumers import unknown_state, write, wrong_sigma

pytestmark = pytest.mark.no_postgres_pass  # the plugin's live server, on memory state


def test_a_mismatch_fails_the_test_with_pacts_report(tmp_path, verify_pacts):
    write("sigma", tmp_path, wrong_sigma, name="wrong-client")
    with pytest.raises(AssertionError) as failed:
        verify_pacts(tmp_path)
    message = str(failed.value)
    assert message.startswith("pact verification failed:\n")
    assert "$.message -> Expected 'User login successfully.' (String) to be equal to 'Logged in.' (String)" in message


def test_an_unknown_state_fails_the_test_listing_the_known_ones(tmp_path, verify_pacts):
    write("sigma", tmp_path, unknown_state, name="moon-client")
    with pytest.raises(AssertionError) as failed:
        verify_pacts(tmp_path, vendor="sigma")
    assert "unknown provider state 'the moon is full' (sigma); known states: scenario {name};" in str(failed.value)


def test_the_runs_namespace_is_named_after_the_pacts(tmp_path):
    first = write("sigma", tmp_path / "a", wrong_sigma, name="wrong-client")
    again = write("sigma", tmp_path / "b", wrong_sigma, name="wrong-client")
    other = write("sigma", tmp_path / "c", unknown_state, name="moon-client")
    assert namespace_for([first]) == namespace_for([again]) != namespace_for([other])
    assert namespace_for([first]).startswith("pact-") and len(namespace_for([first])) == 21
