"""The DICOMweb dialect's own fault action: a STOW whose first N storable parts fail (PS3.18's partial success)."""

from __future__ import annotations

from typing import Any

from mockservers.dicom.archive import PROCESSING_FAILURE

STOW_FAIL = "stow_fail"


def check_stow_fail(value: Any) -> str | None:
    """`N` (parts to fail, FailureReason 272) or {"parts": N, "reason": FailureReason}."""
    if isinstance(value, dict):
        if set(value) - {"parts", "reason"} or "parts" not in value:
            return 'must be a number of parts or {"parts": N, "reason": FailureReason}'
        reason = value.get("reason", PROCESSING_FAILURE)
        if not (isinstance(reason, int) and not isinstance(reason, bool) and 0 < reason <= 0xFFFF):
            return "'reason' must be a FailureReason (an unsigned short, e.g. 272 or 43264)"
        value = value["parts"]
    if not (isinstance(value, int) and not isinstance(value, bool) and value >= 1):
        return "'parts' must be a whole number of parts, at least 1"
    return None


def stow_fail(fault: dict | None) -> tuple[int, int]:
    """(parts to fail, FailureReason) from the request's fault action; (0, 0) without one."""
    value = (fault or {}).get(STOW_FAIL)
    if value is None:
        return 0, 0
    if isinstance(value, dict):
        return value["parts"], value.get("reason", PROCESSING_FAILURE)
    return value, PROCESSING_FAILURE


FAULT_ACTIONS = {STOW_FAIL: check_stow_fail}
