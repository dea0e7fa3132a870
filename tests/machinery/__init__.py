"""This project's own test machinery, beside the plugin integrators get: the PostgreSQL pass (`--mock-state`,
state.py, settings.py, pgtest.py) and the live pass (`--mock-live`, live.py). tests/conftest.py wires them in."""

from tests.machinery.settings import test_settings

__all__ = ["test_settings"]
