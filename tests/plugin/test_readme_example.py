"""The README's example in "In your tests" runs as it is: in-process, and against a shared server with
--mock-server-url, where it works in a namespace of its own."""

from __future__ import annotations

import pathlib
import re

import pytest
import requests

pytestmark = pytest.mark.no_postgres_pass  # the inner runs pick their own state

ROOT = pathlib.Path(__file__).resolve().parents[2]
SECTION = "## In your tests (pytest plugin)"


def readme_example() -> str:
    """The one python block of the README's "In your tests" section, as written."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert SECTION in text, f"README.md has no section {SECTION!r}"
    section = text.split(SECTION, 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"^```python\n(.*?)^```$", section, re.S | re.M)
    assert len(blocks) == 1, f"expected one python block in {SECTION!r}, found {len(blocks)}"
    return blocks[0]


def test_the_example_runs_in_process(pytester):
    pytester.makepyfile(test_readme_example=readme_example())
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


def test_the_example_runs_against_a_shared_server_in_a_namespace_of_its_own(pytester, served_url):
    pytester.makepyfile(test_readme_example=readme_example())
    result = pytester.runpytest("-p", "no:cacheprovider", "--mock-server-url", served_url)
    result.assert_outcomes(passed=1)
    default = requests.get(served_url + "/__admin/requests", params={"vendor": "sigma"}, timeout=10).json()
    assert default["requests"] == [], "the example's calls went to the default namespace"
    held = requests.get(served_url + "/__admin/namespaces", timeout=10).json()["namespaces"]
    assert held == ["default"], "the test's namespace was deleted after it"
