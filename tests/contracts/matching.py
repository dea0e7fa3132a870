"""Compares an answer with a contract's documented body: literal values exactly, <placeholders> by type."""

from __future__ import annotations

import re
from typing import Any

PLACEHOLDERS = {
    "<any>": lambda v: True,
    "<str>": lambda v: isinstance(v, str),
    "<int>": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "<float>": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "<bool>": lambda v: isinstance(v, bool),
    "<list>": lambda v: isinstance(v, list),
    "<dict>": lambda v: isinstance(v, dict),
    "<hex>": lambda v: isinstance(v, str) and re.fullmatch(r"[0-9a-f]+", v) is not None,
    "<job_id>": lambda v: isinstance(v, str) and re.fullmatch(r"job-[0-9a-f-]{36}", v) is not None,
    "<task_id>": lambda v: isinstance(v, str) and re.fullmatch(r"task-[0-9a-f-]{36}", v) is not None,
    "<upload_id>": lambda v: isinstance(v, str) and re.fullmatch(r"[0-9a-f]{32}_\d+", v) is not None,
}


def substitute(value: Any, variables: dict[str, str]) -> Any:
    if isinstance(value, str):
        for name, replacement in variables.items():
            value = value.replace("{" + name + "}", str(replacement))
        return value
    if isinstance(value, dict):
        return {k: substitute(v, variables) for k, v in value.items()}
    if isinstance(value, list):
        return [substitute(v, variables) for v in value]
    return value


def mismatches(expected: Any, actual: Any, where: str = "body") -> list[str]:
    if isinstance(expected, str) and expected in PLACEHOLDERS:
        return [] if PLACEHOLDERS[expected](actual) else [f"{where}: {actual!r} is not {expected}"]
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{where}: expected an object, got {actual!r}"]
        problems = []
        if set(expected) != set(actual):
            problems.append(
                f"{where}: keys differ: missing {sorted(set(expected) - set(actual))}, "
                f"extra {sorted(set(actual) - set(expected))}"
            )
        for key in expected:
            if key in actual:
                problems += mismatches(expected[key], actual[key], f"{where}.{key}")
        return problems
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            return [f"{where}: expected {len(expected)} items, got {actual!r}"]
        return [
            p for i, (e, a) in enumerate(zip(expected, actual, strict=False)) for p in mismatches(e, a, f"{where}[{i}]")
        ]
    if type(expected) is float and isinstance(actual, (int, float)):
        return [] if float(actual) == expected else [f"{where}: {actual!r} != {expected!r}"]
    return [] if expected == actual and type(expected) is type(actual) else [f"{where}: {actual!r} != {expected!r}"]
