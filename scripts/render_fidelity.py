"""Writes docs/fidelity.md from the vendors' declared operations (tests fail when it is out of date)."""

import _bootstrap  # noqa: F401

import pathlib

from mockservers.core.fidelity import render
from mockservers.vendors import load_vendors

target = pathlib.Path(__file__).resolve().parents[1] / "docs" / "fidelity.md"
target.write_text(render(load_vendors()), encoding="utf-8")
print(f"wrote {target}")
