"""/__admin/dicomweb: a read-only DICOMweb view (QIDO-RS, WADO-RS) of every DICOM file any vendor holds in the
namespace, each vendor's findings beside them as DICOM SR (dicom/reports.py). A viewer (OHIF) takes it as a data
source of its own, while msdicom's and sphere's faces stay as the real servers are.

Each vendor lists its files and its finished analyses (VendorSpec.dicom_files, VendorSpec.findings). The view
indexes them with the DICOMweb machinery's own archive (dicom/archive.py) in an in-memory database, one per
namespace, brought up to date by each request: the files and results new since the last one are added, and it is
built afresh when one of them has gone. dicom/routes.py's handlers then answer with this view's Face. A series'
SeriesDescription names its vendor ("sigma: Chest PA"; the files are served as stored); an instance held by two
vendors is shown once, under the first in the registry's order."""

from __future__ import annotations

import dataclasses
import json
import logging
import re
import shutil
import tempfile
import threading
import weakref
from typing import cast

from flask import Blueprint, current_app, jsonify
from pydicom.dataset import Dataset
from sqlalchemy import create_engine, delete, select
from sqlalchemy.orm import Session
from sqlalchemy.pool import StaticPool

from mockservers.core.blobs import BlobStore, key_of
from mockservers.core.http import request_state, runtime_of
from mockservers.core.runtime import Context, Runtime
from mockservers.core.store import Base
from mockservers.core.vendor import Findings
from mockservers.dicom import dicomjson, web
from mockservers.dicom.archive import Archive, examine
from mockservers.dicom.attributes import BY_KEYWORD, LEVELS, text
from mockservers.dicom.face import Face
from mockservers.dicom.models import DicomInstance, DicomSeries, DicomStudy
from mockservers.dicom.part10 import inflate_limit
from mockservers.dicom.routes import TABLE

log = logging.getLogger(__name__)
PREFIX = "/__admin/dicomweb"
KEY = "dicomweb"  # the archive partition of the view's own database
READ_ONLY = "/__admin/dicomweb is read-only: store instances through msdicom or sphere, or upload them to a vendor"
WRITES = ["POST", "PUT", "PATCH", "DELETE"]

# Every attribute the index holds answers at its level (and those of any level), and filters there and below
DEFAULTS = {lvl: tuple(kw for kw, a in BY_KEYWORD.items() if a.level in (lvl, "any")) for lvl in LEVELS}
QUERYABLE = {
    lvl: tuple(kw for kw, a in BY_KEYWORD.items() if a.kind != "computed" and a.level in LEVELS[: n + 1])
    for n, lvl in enumerate(LEVELS)
}
FACE = Face(
    key=KEY,
    base_url=PREFIX,
    queryable=QUERYABLE,
    defaults=DEFAULTS,
    searchable_invalid_fails=False,  # a vendor took the file: show it, unsearchable by the bad value
    default_transfer_syntax=None,  # files and frames as stored
    multi_instance_transcoding=True,
    rendered=True,
    bulk_data_uris=False,
    binary_in_metadata=False,
)


def series_description(vendor: str, description: str | None) -> str:
    """The vendor first, within the 64 characters of a LO."""
    return f"{vendor}: {description}"[:64] if description else vendor


class _Files:
    """The blobs the view's archive sees: the namespace's files (what vendors hold), and its reports, kept in a
    folder of the view's own. Nothing is counted or released: the view holds no file of the namespace."""

    def __init__(self, runtime: Runtime, reports_folder: str):
        self.stored = runtime.blobs
        self.reports = BlobStore(reports_folder)

    def put(self, data: bytes, key: str | None = None, staged: str | None = None) -> str:
        """The archive's call (CountedBlobs.put's); `staged` is always None here: only a STOW's parts are staged."""
        key = key or key_of(data)
        return key if self.stored.exists(key) else self.reports.put(data, key)

    def _holder(self, key: str) -> BlobStore:
        return self.reports if self.reports.exists(key) else self.stored

    def get(self, key: str) -> bytes:
        return self._holder(key).get(key)

    def path(self, key: str) -> str:
        return self._holder(key).path(key)

    def exists(self, key: str) -> bool:
        return self.reports.exists(key) or self.stored.exists(key)

    def release(self, *keys: str) -> None:
        pass


class _IndexContext:
    """What the archive and the DICOMweb handlers use of a Context, over the view's own database."""

    def __init__(self, runtime: Runtime, db: Session, blobs: _Files):
        # weakly: the views are kept by runtime (a namespace deleted takes its view with it)
        self.runtime, self.db, self.blobs = weakref.proxy(runtime), db, blobs
        self.now = 0.0
        self._sequence = 0

    def counter(self, name: str, step: int = 1) -> int:
        self._sequence += step
        return self._sequence


class View:
    """One namespace's view: the in-memory index, the reports, and what they were built from. One request at a
    time uses it (`lock`): its database is one connection."""

    def __init__(self, runtime: Runtime):
        self.lock = threading.Lock()
        engine = create_engine("sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False})
        Base.metadata.create_all(
            engine, tables=[Base.metadata.tables[m.__tablename__] for m in (DicomStudy, DicomSeries, DicomInstance)]
        )
        folder = tempfile.mkdtemp(prefix="mockservers-dicomweb-")
        weakref.finalize(self, shutil.rmtree, folder, True)
        self.context = _IndexContext(runtime, Session(engine), _Files(runtime, folder))
        self.files: set[tuple[str, str]] = set()  # (vendor, blob) indexed, or tried and left out
        self.results: set[tuple[str, str]] = set()  # (vendor, Findings.key) reported
        self.not_dicom: set[str] = set()  # blobs that are no DICOM file (content-addressed: for good)
        self.built: dict[tuple, list[bytes]] = {}  # (vendor, key, number) -> its reports, kept across rebuilds
        self.refreshed = False

    def refresh(self, runtime: Runtime) -> None:
        """Index what is new in the namespace; start again when something has gone."""
        db = runtime.store.open(write=False)
        try:
            files, results = [], []
            for vendor in runtime.vendors.values():
                ctx = runtime.context(db, vendor.key)
                files += [(vendor.key, blob) for blob in vendor.dicom_files(ctx)]
                results += [(vendor.key, n, found) for n, found in enumerate(vendor.findings(ctx), start=1)]
            keys = {(key, found.key) for key, _, found in results}
            if not self.files <= set(files) or not self.results <= keys:
                self._clear()
            self._index(runtime, [ref for ref in files if ref not in self.files])
            for key, number, found in results:
                if (key, found.key) not in self.results:
                    self._report(runtime, key, number, found)
            self.built = {k: v for k, v in self.built.items() if k[:2] in keys}
        finally:
            runtime.store.close(db, commit=False)
        self.context.db.commit()
        self.refreshed = True

    def _clear(self) -> None:
        db = self.context.db
        for model in (DicomInstance, DicomSeries, DicomStudy):
            db.execute(delete(model))
        self.context.blobs.reports.wipe()  # written again from `built`, those still reported
        self.files, self.results = set(), set()

    def _index(self, runtime: Runtime, new: list[tuple[str, str]]) -> None:
        archive, seen = Archive(cast(Context, self.context), FACE, planned=len(new)), set[str]()
        for vendor, blob in new:
            self.files.add((vendor, blob))
            if blob in self.not_dicom:
                continue
            try:
                data = runtime.blobs.get(blob)
            except (KeyError, FileNotFoundError):  # removed by a request that committed after this snapshot
                continue
            examined = examine(data, inflate_limit(runtime.settings))
            if examined.ds is None or examined.meta is None:
                self.not_dicom.add(blob)
                continue
            named = series_description(vendor, text(examined.ds, "SeriesDescription"))
            examined.ds.SeriesDescription = named
            attributes = json.loads(examined.meta)
            attributes["0008103E"] = {"vr": "LO", "Value": [named]}
            archive.store(dataclasses.replace(examined, meta=dicomjson.dumps(attributes)), None, seen)
        archive.write_pending()

    def _report(self, runtime: Runtime, vendor: str, number: int, found: Findings) -> None:
        """The result's SR, one per study its findings lie in."""
        self.results.add((vendor, found.key))
        built = self.built.get((vendor, found.key, number))
        if built is None:
            built = self.built[(vendor, found.key, number)] = self._build(runtime, vendor, number, found)
        archive = Archive(cast(Context, self.context), FACE, planned=len(built))
        for data in built:
            archive.store(data, None, set())
        archive.write_pending()

    def _build(self, runtime: Runtime, vendor: str, number: int, found: Findings) -> list[bytes]:
        from mockservers.dicom import reports  # highdicom takes half a second to import: only once a report is due

        by_study: dict[str, list[tuple[Dataset, reports.Finding]]] = {}
        headers: dict[str, tuple[Dataset, int, int] | None] = {}
        try:
            items = found.load()
        except Exception:  # a result the vendor cannot read back: no report, never a failed request
            log.exception("the findings %s of %s", found.key, vendor)
            return []
        for item in items:
            if item["image"] not in headers:
                headers[item["image"]] = self._header(item["image"])
            header = headers[item["image"]]
            if header is None:  # not an image of the view
                continue
            ds, rows, columns = header
            box = item.get("box")
            if box is not None:  # within the image, as a region must be
                box = [min(max(float(v), 0.0), float(columns if i % 2 == 0 else rows)) for i, v in enumerate(box)]
            finding = reports.Finding(str(item["label"]), item.get("score"), box)
            by_study.setdefault(ds.StudyInstanceUID, []).append((ds, finding))
        built = []
        for study in sorted(by_study):
            try:
                built.append(
                    reports.measurement_report(
                        runtime.settings.seed, found.key, vendor, found.algorithm, found.time, by_study[study], number
                    )
                )
            except Exception:  # findings highdicom refuses (e.g. a degenerate box): that report is left out
                log.exception("the report of %s %s on study %s", vendor, found.key, study)
        return built

    def _header(self, sop: str) -> tuple[Dataset, int, int] | None:
        row = self.context.db.scalars(
            select(DicomInstance).where(DicomInstance.face == KEY, DicomInstance.sop_uid == sop)
        ).first()
        if row is None or not row.rows or not row.columns:
            return None
        return Dataset.from_json(dicomjson.text_without_binary(row.metadata_json)), row.rows, row.columns


_views: weakref.WeakKeyDictionary[Runtime, View] = weakref.WeakKeyDictionary()
_views_lock = threading.Lock()


def view_of(runtime: Runtime) -> View:
    with _views_lock:
        found = _views.get(runtime)
        if found is None:
            found = _views[runtime] = View(runtime)
        return found


blueprint = Blueprint("dicomweb", __name__, url_prefix="/dicomweb")


def _answer(handler, refresh: bool):
    """A resource's view. Searches and metadata bring the view up to date first; files, frames and images are of
    instances a search or metadata found, so they use the view as it is (a viewer asks for many of them at once)."""

    def answer(**values):
        runtime = runtime_of(current_app)
        view = view_of(runtime)
        state = request_state()
        assert state is not None  # the core's hook ran: the admin token's refusal answers before the view
        with view.lock:
            if refresh or not view.refreshed:
                view.refresh(runtime)
            state.ctx = cast(Context, view.context)  # what the handlers take as current_ctx()
            try:
                return handler(dataclasses.replace(FACE, base_url=web.base_url(PREFIX)), **values)
            finally:
                state.ctx = None

    return answer


def _rule(path: str, converters: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: f"<{converters[m[1]]}:{m[1]}>" if m[1] in converters else f"<{m[1]}>", path)


def _refuse_write(**_values):
    return read_only()


def read_only():
    response = jsonify(error=READ_ONLY)
    response.status_code = 405
    response.headers["Allow"] = "GET, HEAD, OPTIONS"
    return response


blueprint.add_url_rule("", endpoint="read_only", view_func=lambda: read_only(), methods=WRITES)
for _resource in TABLE.values():
    _path = _rule(_resource.path, _resource.converters)
    if _resource.method == "GET":
        blueprint.add_url_rule(
            _path,
            endpoint=_resource.key,
            view_func=_answer(_resource.handler, _resource.kind in ("search", "metadata")),
            methods=["GET"],
        )
    # what a DICOMweb server takes a write on (STOW, DELETE): refused here, the view is read-only
    blueprint.add_url_rule(_path, endpoint=f"{_resource.key}_read_only", view_func=_refuse_write, methods=WRITES)
