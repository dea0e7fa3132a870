"""CAD4TB API v1 as the core sees it."""

from __future__ import annotations

from mockservers.cad4tb.backend import PERMISSIONS, Cad4tbBackend
from mockservers.cad4tb.errors import DIALECT
from mockservers.core.vendor import VendorSpec

TB_FORM_FIELDS = [
    {"name": "tb_suspected", "label": "TB suspected", "type": "boolean", "required": True},
    {
        "name": "conclusion",
        "label": "Conclusion",
        "type": "choice",
        "required": True,
        "choices": ["normal", "abnormal, TB suspected", "abnormal, other"],
    },
    {"name": "referred", "label": "Referred for sputum test", "type": "boolean"},
    {"name": "comment", "label": "Comment", "type": "text"},
]
RETINA_FORM_FIELDS = [
    {"name": "dr_grade", "label": "DR grade", "type": "integer", "required": True},
    {"name": "comment", "label": "Comment", "type": "text"},
]


class Cad4tbVendor(VendorSpec):
    key = "cad4tb"
    title = "CAD4TB API v1"
    document = "cad4tb-api-v1.txt"
    collapse_slashes = True  # one client builds .../api/v1//series/results/
    credential_names = ("X-PASSWORD",)
    errors = DIALECT

    def blueprint(self):
        from mockservers.cad4tb.routes import api

        return api.blueprint

    def endpoints(self):
        from mockservers.cad4tb.routes import api

        return [api]

    def demo(self, unit, studies, progress):
        from mockservers.cad4tb.demo import seed

        seed(unit, studies, progress)

    def jobs(self, ctx):
        from mockservers.cad4tb.dashboard import jobs

        return jobs(ctx)

    def studies(self, ctx):
        from mockservers.cad4tb.dashboard import studies

        return studies(ctx)

    def handlers(self):
        return {"series_done": lambda ctx, p: Cad4tbBackend(ctx).finish_series(p["series"], p["ready_at"])}

    def default_config(self):
        return {
            "users": {
                "some-username": {
                    "password": "some-password",
                    "email": "some-username@example.org",
                    "permissions": list(PERMISSIONS),
                    "projects": {"some-project": ["some-archive"]},
                },
                "no-permissions": {
                    "password": "no-permissions",
                    "email": "no-permissions@example.org",
                    "permissions": [],
                    "projects": {"some-project": ["some-archive"]},
                },
            },
            "processing_seconds": 3,  # a series goes from processing to done this long after its last upload
            "store_dicom": True,  # False: DICOM files are not kept, /dicom/get/ answers no_dicom_available
            "results": {
                "cad4tb": {
                    "CAD4TB 5": {"algorithm": "CAD4TB", "kind": "float"},
                    "CAD4TB 6": {"algorithm": "CAD4TB", "kind": "float"},
                    "CAD4TB 7": {"algorithm": "CAD4TB", "kind": "float"},
                    "Image quality": {
                        "algorithm": "CAD4TB",
                        "kind": "string",
                        "choices": ["good", "acceptable", "poor"],
                    },
                    "Heatmap": {"algorithm": "CAD4TB", "kind": "image"},
                },
                "retina": {
                    "DR": {"algorithm": "RetCAD", "kind": "float"},
                    "AMD": {"algorithm": "RetCAD", "kind": "float"},
                    "Glaucoma": {"algorithm": "RetCAD", "kind": "float"},
                    "DR grade": {"algorithm": "RetCAD", "kind": "integer", "range": [0, 4]},
                    "Heatmap": {"algorithm": "RetCAD", "kind": "image"},
                },
            },
            "forms": [
                {"id": 1, "name": "TB report", "project": None, "fields": TB_FORM_FIELDS},
                {"id": 2, "name": "Retina report", "project": None, "fields": RETINA_FORM_FIELDS},
            ],
        }
