"""Medical Imaging Server for DICOM as the core sees it."""

from __future__ import annotations

from mockservers.dicom.vendor import DicomWebVendor
from mockservers.msdicom.errors import DIALECT
from mockservers.msdicom.face import make_face


class MsDicomVendor(DicomWebVendor):
    key = "msdicom"
    title = "Medical Imaging Server for DICOM"
    document = "ms-dicom-server-python.md"
    real_hosts = ("https://dicom-server.azurewebsites.net",)
    base_paths = ("/msdicom/v1", "/msdicom/v2")
    errors = DIALECT

    def demo_face(self, ctx):
        return make_face("2", "/msdicom/v2")
