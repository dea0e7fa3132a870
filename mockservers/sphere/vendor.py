"""Sphere DicomWeb as the core sees it."""
from __future__ import annotations

from mockservers.core.vendor import VendorSpec
from mockservers.dicom import dashboard
from mockservers.dicom import models  # noqa: F401  (registers the archive tables)
from mockservers.dicom.faults import FAULT_ACTIONS
from mockservers.sphere import errors
from mockservers.sphere.face import make_face


class SphereVendor(VendorSpec):
    key = "sphere"
    title = "Sphere DicomWeb"
    document = "sphere-dicomweb.rst"
    real_hosts = ("http://127.0.0.1:8000",)

    def blueprint(self):
        from mockservers.sphere.routes import blueprint
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
        from mockservers.sphere.operations import operations
        return operations()

    def error_sources(self):
        from mockservers.sphere.operations import ERROR_SOURCES
        return ERROR_SOURCES

    def studies(self, ctx):
        return dashboard.studies(ctx, self.key)

    def demo(self, unit, studies, progress):
        dashboard.demo(unit, studies, progress, lambda ctx: make_face("/sphere/wadors", ctx.config))

    def default_config(self):
        # settings.yml of the document (api.allowed_hosts, api.dicomweb.jwt_validate), DECOMPRESS_PIXELS, and the
        # mock's own switches: the JWT key, and DELETE (which the document does not offer).
        return {
            "api": {
                "allowed_hosts": ["*"],
                "dicomweb": {"jwt_validate": False, "jwt_secret": "mock-sphere-jwt-secret-not-for-production",
                             "jwt_algorithms": ["HS256"]},
            },
            "DECOMPRESS_PIXELS": False,
            "mock": {"allow_delete": False, "bulk_data_uris": False},
        }
