"""The /__admin control plane: JSON in, JSON out."""

from __future__ import annotations

import logging
import os
import re
from datetime import UTC, datetime
from importlib import resources
from urllib.parse import quote

import yaml
from flask import Blueprint, Response, current_app, jsonify, request
from sqlalchemy import delete

from mockservers import samples
from mockservers.admin import catalog, dicomweb
from mockservers.admin import openapi as admin_openapi
from mockservers.admin import pact as pact_states
from mockservers.core import callbacks, journal, jsonbody, openapi, snapshots
from mockservers.core.clock import ClockError
from mockservers.core.faults import FaultRuleError
from mockservers.core.http import runtime_of
from mockservers.core.models import FaultRule
from mockservers.core.namespaces import DEFAULT as DEFAULT_NAMESPACE
from mockservers.core.validation import is_whole_number

blueprint = Blueprint("admin", __name__, url_prefix="/__admin")
log = logging.getLogger(__name__)
MAX_ID = 2**31 - 1  # ids are PostgreSQL integers: a larger number names nothing


def _runtime():
    return runtime_of(current_app)


def _bad(message: str, status: int = 400):
    return jsonify(error=message), status


class Refused(Exception):
    """Raised in a view: the request is answered {"error": message} with a 4xx."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message, self.status = message, status


@blueprint.errorhandler(Refused)
def _refused(exc: Refused):
    return _bad(exc.message, exc.status)


def _json_body(empty: str | None = None):
    """The body as JSON, None when it is empty. Anything else is a 400: `empty` when the body is empty and must
    not be, else what is wrong with it (in jsonbody's words)."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        if empty is not None:
            raise Refused(empty)
        return None
    try:
        return jsonbody.loads(raw, storable=True)
    except jsonbody.NotJSON as exc:
        raise Refused(f"body: {exc}") from None


def _whole_number(text: str | None) -> bool:
    return text is not None and is_whole_number(text) and int(text) <= MAX_ID


def _clock_json():
    rt = _runtime()
    now = rt.clock.now()
    return {
        "mode": rt.clock.mode,
        "now": now,
        "iso": datetime.fromtimestamp(now, UTC).isoformat().replace("+00:00", "Z"),
    }


@blueprint.get("/fidelity")
def fidelity():
    """For every endpoint, parameter, response field and error code: documented (where) or inferred (why)."""
    rt = _runtime()
    wanted = request.args.get("vendor")
    entries = {key: openapi.ledger(vendor) for key, vendor in rt.vendors.items() if not wanted or key == wanted}
    return jsonify(vendors=entries)


@blueprint.get("/openapi.json")
def openapi_document():
    """This control plane's OpenAPI 3.1 document (admin/openapi.py declares each route)."""
    return jsonify(admin_openapi.build(server_url=request.host_url.rstrip("/") + "/__admin"))


@blueprint.get("/docs")
def openapi_page():
    page = resources.files("mockservers.apidocs").joinpath("page.html").read_text(encoding="utf-8")
    html = page.replace("{{title}}", admin_openapi.TITLE).replace("{{key}}", "__admin")
    return Response(html, mimetype="text/html")


@blueprint.get("/health")
def health():
    return jsonify(status="ok", vendors=list(_runtime().vendors))


@blueprint.get("/vendors")
def vendors():
    rt = _runtime()
    return jsonify(
        vendors=[
            {
                "key": v.key,
                "title": v.title,
                "document": v.document,
                "base_path": f"/{v.key}",
                "openapi": bool(v.operations()),
            }
            for v in rt.vendors.values()
        ]
    )


@blueprint.get("/vendors/<key>")
def vendor_catalog(key: str):
    """What a fault rule for the vendor may name: its routes (as path globs), actions and error codes."""
    vendor = _runtime().vendors.get(key)
    if vendor is None:
        return _bad(f"unknown vendor {key!r}", 404)
    return jsonify(catalog.describe(current_app, vendor))


@blueprint.get("/namespaces")
def namespaces():
    return jsonify(namespaces=current_app.extensions["mockservers.namespaces"].names())


@blueprint.delete("/namespaces/<name>")
def delete_namespace(name: str):
    """Forget a namespace: its state, journal, faults, callbacks, snapshots and files."""
    if name == DEFAULT_NAMESPACE:
        return _bad("the default namespace cannot be deleted; POST /__admin/reset empties it")
    if not current_app.extensions["mockservers.namespaces"].delete(name):
        return _bad(f"no namespace {name!r}", 404)
    return jsonify(status="ok", deleted=name)


@blueprint.post("/reset")
def reset():
    _runtime().reset()
    return jsonify(status="ok")


@blueprint.get("/requests")
def requests_():
    rt = _runtime()
    status = request.args.get("status")
    limit = request.args.get("limit")
    unmatched = request.args.get("unmatched")
    if (status and not _whole_number(status)) or (limit and not _whole_number(limit)):
        return _bad(f"'status' and 'limit' must be whole numbers up to {MAX_ID}")
    if unmatched not in (None, "true", "false", "1", "0"):
        return _bad("'unmatched' must be true or false")
    with rt.store.transaction() as db:
        items = journal.query(
            db,
            vendor=request.args.get("vendor"),
            path=request.args.get("path"),
            method=request.args.get("method"),
            status=int(status) if status else None,
            limit=int(limit) if limit else None,
            unmatched=None if unmatched is None else unmatched in ("true", "1"),
            size=rt.settings.journal_size,
        )
    return jsonify(requests=items, total=len(items))


@blueprint.get("/callbacks")
def callbacks_():
    rt = _runtime()
    with rt.store.transaction() as db:
        items = callbacks.list_callbacks(db, vendor=request.args.get("vendor"))
    return jsonify(callbacks=items, total=len(items))


@blueprint.post("/callbacks/<callback_id>/redeliver")
def redeliver_callback(callback_id: str):
    """Send a callback again now, whatever its state; the attempt is recorded like any other."""
    item = None
    if _whole_number(callback_id):
        item = _runtime().dispatcher.redeliver(int(callback_id))
    if item is None:
        return _bad(f"no callback {callback_id}", 404)
    return jsonify(item)


@blueprint.get("/clock")
def clock():
    return jsonify(_clock_json())


@blueprint.post("/clock/advance")
def advance():
    rt = _runtime()
    if not rt.clock.virtual:
        return _bad("the clock is real; start the server with --clock virtual to advance it", 409)
    body = _json_body(empty='body must be {"seconds": N}')
    if not isinstance(body, dict) or "seconds" not in body:
        return _bad('body must be {"seconds": N}')
    try:
        ran = rt.advance(body["seconds"])
    except ClockError as exc:
        return _bad(str(exc))
    return jsonify({**_clock_json(), "events_run": ran})


@blueprint.post("/faults")
def add_fault():
    rt = _runtime()
    body = _json_body(empty="body must be a JSON fault rule")
    vendor = body.get("vendor") if isinstance(body, dict) else None
    if vendor is not None and not isinstance(vendor, str):
        return _bad("'vendor' must be a string")
    if vendor and vendor not in rt.vendors:
        return _bad(f"unknown vendor {vendor!r}")
    action = body.get("action") if isinstance(body, dict) else None
    error_code = action.get("error") if isinstance(action, dict) else None
    if error_code is not None:
        if not isinstance(error_code, str):
            return _bad("'error' must be a code of the vendor's error catalog")
        if not vendor:
            return _bad("an 'error' action needs a 'vendor', whose catalog names the error")
        try:
            rt.vendors[vendor].error_for_code(error_code)
        except KeyError:
            return _bad(f"{error_code!r} is not in the {vendor} error catalog")
    extra = rt.vendors[vendor].fault_actions() if vendor else {}
    try:
        with rt.store.transaction() as db:
            rule = rt.faults.add(db, body, extra)
    except FaultRuleError as exc:
        return _bad(str(exc))
    return jsonify(rule), 201


@blueprint.get("/faults")
def list_faults():
    rt = _runtime()
    with rt.store.transaction() as db:
        return jsonify(faults=rt.faults.list(db))


@blueprint.delete("/faults")
def clear_faults():
    rt = _runtime()
    with rt.store.transaction() as db:
        db.execute(delete(FaultRule))
        rt.faults.changed(db)
    return jsonify(status="ok")


@blueprint.delete("/faults/<int:rule_id>")
def delete_fault(rule_id: int):
    rt = _runtime()
    with rt.store.transaction() as db:
        rule = db.get(FaultRule, rule_id) if rule_id <= MAX_ID else None
        if rule is None:
            return _bad(f"no fault rule {rule_id}", 404)
        db.delete(rule)
        rt.faults.changed(db)
    return jsonify(status="ok")


@blueprint.post("/snapshots")
def take_snapshot():
    body = _json_body() or {}
    label = body.get("label", "") if isinstance(body, dict) else ""
    if not isinstance(label, str):
        return _bad("'label' must be a string")
    return jsonify(snapshots.take(_runtime(), label)), 201


@blueprint.get("/snapshots")
def list_snapshots():
    return jsonify(snapshots=snapshots.listing(_runtime()))


@blueprint.post("/snapshots/<int:snapshot_id>/restore")
def restore_snapshot(snapshot_id: int):
    if snapshot_id > MAX_ID or not snapshots.restore(_runtime(), snapshot_id):
        return _bad(f"no snapshot {snapshot_id}", 404)
    return jsonify(status="ok", id=snapshot_id)


@blueprint.get("/export")
def export_scenario():
    """The namespace as a scenario file: save it as fixtures/scenarios/KEY.json to load it back."""
    return jsonify(snapshots.export(_runtime()))


@blueprint.post("/scenarios/<key>")
def load_scenario(key: str):
    rt = _runtime()
    if not re.fullmatch(r"[A-Za-z0-9_.-]+", key) or key.startswith("."):
        return _bad(f"{key!r} is not a scenario name")
    folder = samples.scenarios_dir(rt.settings.scenarios_dir)
    path = next(
        (
            os.path.join(folder, key + ext)
            for ext in (".json", ".yaml", ".yml")
            if os.path.isfile(os.path.join(folder, key + ext))
        ),
        None,
    )
    if path is None:
        return _bad(f"no scenario {key!r} in {folder}", 404)
    try:
        with open(path, encoding="utf-8") as fh:
            scenario = yaml.safe_load(fh)
        loaded = snapshots.load_scenario(rt, scenario)
    except (yaml.YAMLError, snapshots.ScenarioError) as exc:
        return _bad(f"scenario {key!r}: {exc}")
    return jsonify(status="ok", scenario=key, **loaded)


def _vendor_rows(hook: str) -> list[dict]:
    rt = _runtime()
    wanted = request.args.get("vendor")
    rows: list[dict] = []
    with rt.store.transaction() as db:
        for key, vendor in rt.vendors.items():
            if wanted and key != wanted:
                continue
            rows.extend({"vendor": key, **row} for row in getattr(vendor, hook)(rt.context(db, key)))
    return rows


@blueprint.get("/jobs")
def jobs():
    """Every vendor's units of work (jobs, analyses, series being processed) with their state on the clock."""
    rows = _vendor_rows("jobs")
    return jsonify(jobs=rows, total=len(rows))


@blueprint.get("/studies")
def studies():
    limit, offset = request.args.get("limit"), request.args.get("offset", "0")
    if limit is not None and not (_whole_number(limit) and int(limit) >= 1):
        return _bad(f"'limit' must be a whole number from 1 to {MAX_ID}")
    if not _whole_number(offset):
        return _bad(f"'offset' must be a whole number up to {MAX_ID}")
    found = _vendor_rows("studies")
    page = found[int(offset) : int(offset) + int(limit)] if limit else found[int(offset) :]
    rows = []
    for row in page:
        blob = row.pop("blob", None)
        row["thumbnail"] = (
            f"/__admin/studies/{row['vendor']}/{quote(str(row['id']), safe='')}/thumbnail.png" if blob else None
        )
        rows.append(row)
    return jsonify(studies=rows, total=len(found))


@blueprint.get("/studies/<vendor>/<path:study_id>/thumbnail.png")
def thumbnail(vendor: str, study_id: str):
    from mockservers.dashboard.thumbnails import render

    rt = _runtime()
    if vendor not in rt.vendors:
        return _bad(f"unknown vendor {vendor!r}", 404)
    with rt.store.transaction() as db:
        found = next((s for s in rt.vendors[vendor].studies(rt.context(db, vendor)) if str(s["id"]) == study_id), None)
    if found is None or not found.get("blob") or not rt.blobs.exists(found["blob"]):
        return _bad(f"no image for study {study_id!r} of {vendor}", 404)
    size = request.args.get("size", "256")
    if not is_whole_number(size) or not 16 <= int(size) <= 1024:
        return _bad("'size' must be a whole number of pixels from 16 to 1024")
    try:
        png = render(rt.blobs.get(found["blob"]), found.get("findings") or [], size=int(size))
    except Exception as exc:  # pixel data pydicom cannot decode here
        log.info("thumbnail of %s study %s: %s", vendor, study_id, exc)
        return _bad(f"the image of study {study_id!r} cannot be rendered", 422)
    return Response(png, mimetype="image/png")


blueprint.register_blueprint(dicomweb.blueprint)  # /__admin/dicomweb: every vendor's DICOM, read-only
blueprint.register_blueprint(pact_states.blueprint)  # /__admin/pact/state: pact's provider states
