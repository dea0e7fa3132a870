import pytest

from tests.plugin.served import served


@pytest.fixture(scope="module")
def served_url():
    """The base URL of a `mockservers serve` subprocess shared by the module's tests."""
    with served() as url:
        yield url
