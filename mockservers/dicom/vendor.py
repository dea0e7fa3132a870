"""What the two DICOMweb faces share as vendors: each face's package holds errors (its dialect, which the face's
VendorSpec names), routes (its share of dicom/routes.py's table), face."""

from __future__ import annotations

import importlib
from collections.abc import Callable

from sqlalchemy import select

from mockservers.core.runtime import Context
from mockservers.core.vendor import VendorSpec
from mockservers.dicom import (
    dashboard,
    models,  # noqa: F401  (registers the archive tables)
)
from mockservers.dicom.face import Face
from mockservers.dicom.faults import FAULT_ACTIONS
from mockservers.dicom.models import DicomInstance


class DicomWebVendor(VendorSpec):
    """Subclasses set key, title, document, real_hosts, errors (the face's dialect) and demo_face(ctx) (the face
    demo data is stored through)."""

    demo_face: Callable[[Context], Face]

    def _module(self, name: str):
        return importlib.import_module(f"mockservers.{self.key}.{name}")

    def endpoints(self):
        return [self._module("routes").api]

    def blueprint(self):
        return self._module("routes").api.blueprint

    def fault_actions(self):
        return FAULT_ACTIONS

    def studies(self, ctx):
        return dashboard.studies(ctx, self.key)

    def dicom_files(self, ctx):
        stored = select(DicomInstance.blob).where(DicomInstance.face == self.key).order_by(DicomInstance.seq)
        return ctx.db.scalars(stored)

    def demo(self, unit, studies, progress):
        dashboard.demo(unit, studies, progress, self.demo_face)
