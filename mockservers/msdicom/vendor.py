"""Medical Imaging Server for DICOM as the core sees it."""
from __future__ import annotations

from mockservers.core.vendor import VendorSpec
from mockservers.dicom import dashboard
from mockservers.dicom import models  # noqa: F401  (registers the archive tables)
from mockservers.dicom.faults import FAULT_ACTIONS
from mockservers.msdicom import errors
from mockservers.msdicom.face import make_face


class MsDicomVendor(VendorSpec):
    key = "msdicom"
    title = "Medical Imaging Server for DICOM"
    document = "ms-dicom-server-python.md"
    real_hosts = ("https://dicom-server.azurewebsites.net",)

    def blueprint(self):
        from mockservers.msdicom.routes import blueprint
        return blueprint

    def render_error(self, error):
        return errors.render(error)

    def error_for_code(self, code, message=None):
        if code not in errors.CATALOG:
            raise KeyError(code)
        return errors.error(code, message)

    def http_error(self, status, description=""):
        return errors.for_http_status(status, description)

    def fault_actions(self):
        return FAULT_ACTIONS

    def operations(self):
        from mockservers.msdicom.operations import operations
        return operations()

    def error_sources(self):
        from mockservers.msdicom.operations import ERROR_SOURCES
        return ERROR_SOURCES

    def studies(self, ctx):
        return dashboard.studies(ctx, self.key)

    def demo(self, unit, studies, progress):
        dashboard.demo(unit, studies, progress, lambda ctx: make_face("2", "/msdicom/v2"))
