"""DICOM UID syntax (PS3.5 9.1): digits and dots, components without leading zeros, at most 64 characters."""

from __future__ import annotations

import re

from mockservers.dicom.errors import bad_request

_UID = re.compile(r"^(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))*$")


def is_valid_uid(value: str | None) -> bool:
    if not value:
        return False
    return len(value) <= 64 and bool(_UID.match(value))


PATH_UIDS = ("study", "series", "instance")  # the path values that are UIDs (dicom/routes.py)


def without_trailing_spaces(values: dict[str, str]) -> dict[str, str]:
    """The path's UIDs with their trailing spaces dropped (spaces only: a tab or a leading space stays, and fails)."""
    return {k: v.rstrip(" ") if k in PATH_UIDS else v for k, v in values.items()}


def check_path_uid(value: str, keyword: str) -> str:
    if not is_valid_uid(value):
        raise bad_request(
            f"DICOM100: {keyword} '{value}' is not a valid DICOM UID: it must be at most 64 "
            "characters of digits and dots, each component without a leading zero."
        )
    return value
