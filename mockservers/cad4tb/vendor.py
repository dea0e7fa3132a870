"""CAD4TB API v1 as the core sees it."""

from __future__ import annotations

from mockservers.cad4tb.backend import PERMISSIONS, Cad4tbBackend
from mockservers.cad4tb.errors import DIALECT
from mockservers.cad4tb.schemas import DOC
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
    base_paths = ("/cad4tb/api/v1/",)
    collapse_slashes = True  # one client builds .../api/v1//series/results/
    append_slash = True  # a Django service: CommonMiddleware redirects .../patient/get to .../patient/get/
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

    def dicom_files(self, ctx):
        from mockservers.cad4tb.dashboard import dicom_files

        return dicom_files(ctx)

    def findings(self, ctx):
        from mockservers.cad4tb.dashboard import findings

        return findings(ctx)

    def behaviour_sources(self):
        return {
            "JSON answers: json.dumps as Django's JsonResponse sends it (', ' and ': ', the view's key order, ASCII, "
            "no trailing newline), errors included": DOC + "2.1.3.1. Python requests package (the printed answers)",
            "a call without its trailing slash: 301 to the slash URL, query string kept, for every method": (
                "inferred: a Django service with CommonMiddleware's APPEND_SLASH outside DEBUG (only a 404 of a path "
                "that names a call with the slash is redirected; nothing is checked before it)"
            ),
            "Heatmap: hot spots on the image's anatomy (the lung fields; a retina's macula or optic disc)": (
                "inferred: a heat map is drawn over the image it came from (core/anatomy.py finds the regions)"
            ),
        }

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
