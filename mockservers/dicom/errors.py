"""The one error the DICOMweb machinery raises; each face's dialect renders it in its own shape."""

from __future__ import annotations

from mockservers.core.errors import VendorError


class DicomWebError(VendorError):
    """A status and a reason; the reason is its explanation too unless one is given."""

    def __init__(self, status: int, message: str, explain: str | None = None):
        super().__init__(message, status=status, explain=explain or message)


def bad_request(message: str) -> DicomWebError:
    return DicomWebError(400, message)


def not_found(message: str) -> DicomWebError:
    return DicomWebError(404, message)


def not_acceptable(message: str = "The request headers are not acceptable") -> DicomWebError:
    return DicomWebError(406, message)


def unsupported_media_type(message: str) -> DicomWebError:
    return DicomWebError(415, message)


STUDY_NOT_FOUND = "The specified study cannot be found."
SERIES_NOT_FOUND = "The specified series cannot be found."
INSTANCE_NOT_FOUND = "The specified instance cannot be found."
FRAME_NOT_FOUND = "The specified frame cannot be found."
BULKDATA_NOT_FOUND = "The specified bulk data cannot be found."
