"""Sphere DicomWeb as the core sees it."""

from __future__ import annotations

from mockservers.dicom.vendor import DicomWebVendor
from mockservers.sphere.errors import DIALECT
from mockservers.sphere.face import make_face


class SphereVendor(DicomWebVendor):
    key = "sphere"
    title = "Sphere DicomWeb"
    document = "sphere-dicomweb.rst"
    real_hosts = ("http://127.0.0.1:8000",)
    base_paths = ("/sphere/qidors", "/sphere/wadors", "/sphere/stowrs")
    errors = DIALECT

    def demo_face(self, ctx):
        return make_face("/sphere/wadors", ctx.config)

    def default_config(self):
        # settings.yml of the document (api.allowed_hosts, api.dicomweb.jwt_validate), DECOMPRESS_PIXELS, and the
        # mock's own switches: the JWT key, and DELETE (which the document does not offer).
        return {
            "api": {
                "allowed_hosts": ["*"],
                "dicomweb": {
                    "jwt_validate": False,
                    "jwt_secret": "mock-sphere-jwt-secret-not-for-production",
                    "jwt_algorithms": ["HS256"],
                },
            },
            "DECOMPRESS_PIXELS": False,
            "mock": {"allow_delete": False, "bulk_data_uris": False},
        }
