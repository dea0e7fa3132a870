"""The control plane's OpenAPI 3.1 document: one declaration per /__admin route (what it takes, what it answers),
built by core.openapi as the vendors' documents are. The routes parse their requests by hand (their messages are
part of the surface), so the schemas here describe, they do not validate; tests/openapi/test_admin_openapi.py holds
this list to app.url_map and schemathesis holds the routes to it."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from mockservers.admin.access import OPEN_PATHS, OPEN_PREFIXES
from mockservers.core import openapi
from mockservers.core.openapi import Operation, Reply

TITLE = "mockservers control plane"
SOURCE = "mockservers control plane: README.md, 'The control plane (/__admin)'"
MAX_ID = 2**31 - 1


class Error(Schema):
    error = fields.String(required=True, metadata={"description": "what was wrong; never an exception's name"})
    status = fields.Integer(metadata={"description": "the HTTP status, when no route took the request"})
    known = fields.List(fields.String(), metadata={"description": "POST /pact/state: the provider states it knows"})


class Status(Schema):
    status = fields.String(required=True, metadata={"description": '"ok"'})


class Health(Status):
    vendors = fields.List(fields.String(), required=True)


class VendorRow(Schema):
    key = fields.String(required=True)
    title = fields.String(required=True)
    document = fields.String(required=True, metadata={"description": "the vendor document it follows"})
    base_path = fields.String(required=True)
    openapi = fields.Boolean(required=True, metadata={"description": "whether /<key>/openapi.json is served"})


class Vendors(Schema):
    vendors = fields.List(fields.Nested(VendorRow), required=True)


class CatalogRoute(Schema):
    path = fields.String(required=True, metadata={"description": "the route as a fault rule's path glob"})
    methods = fields.List(fields.String(), required=True)


class CatalogAction(Schema):
    name = fields.String(required=True)
    takes = fields.String(required=True, metadata={"description": "the value the action takes"})
    vendor = fields.Boolean(required=True, metadata={"description": "the vendor's own action, not the core's"})


class CatalogCallbackAction(Schema):
    name = fields.String(required=True)
    takes = fields.String(required=True)


class CatalogError(Schema):
    code = fields.String(required=True)
    status = fields.Integer(required=True)


class VendorCatalog(Schema):
    key = fields.String(required=True)
    routes = fields.List(fields.Nested(CatalogRoute), required=True)
    actions = fields.List(fields.Nested(CatalogAction), required=True, metadata={"description": "request actions"})
    callback_actions = fields.List(fields.Nested(CatalogCallbackAction), required=True)
    errors = fields.List(fields.Nested(CatalogError), required=True, metadata={"description": "the error catalog"})


class Namespaces(Schema):
    namespaces = fields.List(fields.String(), required=True)


class NamespaceDeleted(Status):
    deleted = fields.String(required=True)


class RequestsQuery(Schema):
    vendor = fields.String(metadata={"description": "a vendor key"})
    path = fields.String(metadata={"description": "the path, or a pattern where * stands for anything"})
    method = fields.String()
    status = fields.Integer(validate=validate.Range(0, MAX_ID))
    limit = fields.Integer(validate=validate.Range(0, MAX_ID), metadata={"description": "newest N"})
    unmatched = fields.String(
        validate=validate.OneOf(["true", "false", "1", "0"]), metadata={"description": "only requests no route took"}
    )


class JournalEntry(Schema):
    id = fields.Integer(required=True)
    time = fields.Float(required=True, metadata={"description": "seconds since the epoch, on the namespace's clock"})
    vendor = fields.String(required=True, allow_none=True)
    method = fields.String(required=True)
    path = fields.String(required=True)
    query = fields.String(required=True)
    headers = fields.Dict(required=True, metadata={"description": "credentials masked"})
    body = fields.String(required=True, metadata={"description": "as text, credentials masked"})
    status = fields.Integer(required=True)
    response_body = fields.String(required=True)
    response_headers = fields.Dict(required=True, metadata={"description": "as sent, credentials masked"})
    duration_ms = fields.Float(required=True)
    fault_id = fields.Integer(required=True, allow_none=True, metadata={"description": "the fault rule that fired"})
    explain = fields.String(required=True, allow_none=True, metadata={"description": "X-Mock-Explain"})
    unmatched = fields.Boolean(required=True)
    worker = fields.Integer(required=True, allow_none=True, metadata={"description": "the serving process"})


class Journal(Schema):
    requests = fields.List(fields.Nested(JournalEntry), required=True, metadata={"description": "newest first"})
    total = fields.Integer(required=True)


class VendorQuery(Schema):
    vendor = fields.String(metadata={"description": "a vendor key; none: every vendor"})


class CallbackItem(Schema):
    id = fields.Integer(required=True)
    vendor = fields.String(required=True)
    url = fields.String(required=True)
    body = fields.Raw(required=True, metadata={"description": "the JSON body sent"})
    headers = fields.Dict(required=True)
    state = fields.String(required=True, metadata={"description": "pending, delivered, failed, dropped, refused"})
    attempts = fields.List(
        fields.Dict(), required=True, metadata={"description": "each {time, state, status, error, ...}"}
    )
    created_at = fields.Float(required=True)


class Callbacks(Schema):
    callbacks = fields.List(fields.Nested(CallbackItem), required=True)
    total = fields.Integer(required=True)


class Clock(Schema):
    mode = fields.String(required=True, validate=validate.OneOf(["real", "virtual"]))
    now = fields.Float(required=True, metadata={"description": "seconds since the epoch"})
    iso = fields.String(required=True)


class Advance(Schema):
    seconds = fields.Float(
        required=True, validate=validate.Range(0, 315_360_000), metadata={"description": "up to ten years"}
    )


class Advanced(Clock):
    events_run = fields.Integer(required=True, metadata={"description": "job steps and callbacks run on the way"})


class FaultRule(Schema):
    vendor = fields.String(allow_none=True, metadata={"description": "a vendor key; needed by an 'error' action"})
    method = fields.String(allow_none=True)
    path = fields.String(allow_none=True, metadata={"description": "a glob, at most 2,048 characters"})
    match = fields.Dict(metadata={"description": "request fields and the values they must have"})
    action = fields.Dict(
        required=True,
        metadata={
            "description": "error, status, delay_ms, drop, truncate, fail_job, callback, message, or the vendor's own"
        },
    )
    times = fields.Integer(allow_none=True, validate=validate.Range(0, MAX_ID))
    after = fields.Integer(validate=validate.Range(0, MAX_ID))
    probability = fields.Float(allow_none=True, validate=validate.Range(0, 1))


class StoredFaultRule(Schema):
    id = fields.Integer(required=True)
    vendor = fields.String(required=True, allow_none=True)
    method = fields.String(required=True, allow_none=True)
    path = fields.String(required=True, allow_none=True)
    match = fields.Dict(required=True, allow_none=True)
    action = fields.Dict(required=True)
    times = fields.Integer(required=True, allow_none=True)
    after = fields.Integer(required=True, allow_none=True)
    probability = fields.Float(required=True, allow_none=True)
    seen = fields.Integer(required=True, allow_none=True, metadata={"description": "matching requests so far"})
    fired = fields.Integer(required=True, allow_none=True)


class Faults(Schema):
    faults = fields.List(fields.Nested(StoredFaultRule), required=True)


class SnapshotLabel(Schema):
    label = fields.String()


class Snapshot(Schema):
    id = fields.Integer(required=True)
    label = fields.String(required=True)
    created_at = fields.Float(required=True)
    rows = fields.Integer(required=True)
    blobs = fields.Integer(required=True, metadata={"description": "stored files"})


class Snapshots(Schema):
    snapshots = fields.List(fields.Nested(Snapshot), required=True)


class Restored(Status):
    id = fields.Integer(required=True)


class Scenario(Schema):
    format = fields.String(required=True)
    tables = fields.Dict(keys=fields.String(), values=fields.List(fields.Dict()), required=True)
    blobs = fields.Dict(keys=fields.String(), values=fields.String(), required=True, metadata={"description": "base64"})


class ScenarioLoaded(Status):
    scenario = fields.String(required=True)
    rows = fields.Integer(required=True)
    blobs = fields.Integer(required=True)


class Job(Schema):
    vendor = fields.String(required=True)
    id = fields.Raw(required=True)
    kind = fields.String(allow_none=True)
    state = fields.String(allow_none=True)
    created_at = fields.Float(allow_none=True)
    updated_at = fields.Float(allow_none=True)
    detail = fields.String(allow_none=True)


class PactState(Schema):
    state = fields.String(metadata={"description": "the provider state's name (a pact's given); empty: none"})
    params = fields.Dict(metadata={"description": "the state's params; they win over values written in the name"})
    action = fields.String(validate=validate.OneOf(["setup", "teardown"]), metadata={"description": "setup"})


class PactStateQuery(Schema):
    vendor = fields.String(metadata={"description": "the vendor whose states apply; none: every vendor's"})


class PactStateValues(Schema):
    class Meta:
        unknown = "include"

    status = fields.String(metadata={"description": '"ok", on teardown'})


class Jobs(Schema):
    jobs = fields.List(fields.Nested(Job), required=True, metadata={"description": "each vendor's, newest first"})
    total = fields.Integer(required=True)


class Study(Schema):
    vendor = fields.String(required=True)
    id = fields.Raw(required=True)
    patient = fields.Raw(allow_none=True)
    description = fields.Raw(allow_none=True)
    findings = fields.List(fields.Dict(), allow_none=True, metadata={"description": "each {label, score, box}"})
    thumbnail = fields.String(required=True, allow_none=True, metadata={"description": "its thumbnail's URL"})


class Studies(Schema):
    studies = fields.List(fields.Nested(Study), required=True)
    total = fields.Integer(required=True)


class StudiesQuery(VendorQuery):
    limit = fields.Integer(validate=validate.Range(1, MAX_ID), metadata={"description": "at most N studies"})
    offset = fields.Integer(validate=validate.Range(0, MAX_ID), metadata={"description": "skip the first N"})


class ThumbnailQuery(Schema):
    size = fields.Integer(validate=validate.Range(16, 1024), metadata={"description": "pixels; 256 by default"})


class Ledger(Schema):
    vendors = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.Dict()),
        required=True,
        metadata={"description": "vendor key -> entries {kind, name, operation, status, where or reason}"},
    )


def _op(
    method: str,
    path: str,
    name: str,
    summary: str,
    *,
    ok: Reply,
    status: int = 200,
    errors: dict[int, str] | None = None,
    **declared: Any,
) -> Operation:
    """One route: `ok` is its answer with `status`, `errors` the 4xx it may give ({"error": message} each); a 401
    on a server with an admin token, unless the route stays open."""
    responses = {status: ok, **{code: Reply(why, Error) for code, why in (errors or {}).items()}}
    full_path = "/__admin" + path
    if full_path not in OPEN_PATHS and not full_path.startswith(OPEN_PREFIXES):
        responses[401] = Reply("the server has an admin token, and the request did not send it", Error)
    return Operation(name, method, path, summary, SOURCE, responses=responses, **declared)


# A schema answered alone and also nested in a list is declared first alone (apispec names a nested schema after its
# class when it first meets it, and the later declaration of that name would clash).
JSON_BODY_ERRORS = {400: "the body is not JSON, or breaks a rule the message names"}
OPERATIONS: list[Operation] = [
    _op("GET", "/health", "health", "Liveness, and the vendor keys served", ok=Reply("up", Health)),
    _op("GET", "/vendors", "vendors", "The vendors served, with their base paths", ok=Reply("the vendors", Vendors)),
    _op(
        "GET",
        "/vendors/{key}",
        "vendor_catalog",
        "What a fault rule for the vendor may name: its routes as path globs, its actions, its error codes",
        path_params={"key": "a vendor key"},
        ok=Reply("the vendor's catalog", VendorCatalog),
        errors={404: "no such vendor"},
    ),
    _op(
        "GET",
        "/namespaces",
        "namespaces",
        "The namespaces this server holds",
        ok=Reply("their names", Namespaces),
    ),
    _op(
        "DELETE",
        "/namespaces/{name}",
        "delete_namespace",
        "Forget a namespace: its state, journal, faults, callbacks, snapshots and files",
        path_params={"name": "the namespace"},
        ok=Reply("forgotten", NamespaceDeleted),
        errors={400: "the default namespace cannot be deleted", 404: "no such namespace"},
    ),
    _op(
        "POST",
        "/reset",
        "reset",
        "Forget the namespace's state, journal, faults and callbacks",
        ok=Reply("done", Status),
    ),
    _op(
        "GET",
        "/requests",
        "requests",
        "The request journal, newest first",
        query=RequestsQuery,
        ok=Reply("the journal", Journal),
        errors={400: "'status' or 'limit' is not a whole number up to 2147483647, or 'unmatched' not a boolean"},
    ),
    _op(
        "POST",
        "/callbacks/{callback_id}/redeliver",
        "redeliver_callback",
        "Send a callback again now, whatever its state",
        path_params={"callback_id": "the callback's id"},
        ok=Reply("the callback with its new attempt", CallbackItem),
        errors={404: "no such callback"},
    ),
    _op(
        "GET",
        "/callbacks",
        "callbacks",
        "Every callback with its attempts",
        query=VendorQuery,
        ok=Reply("callbacks", Callbacks),
    ),
    _op("GET", "/clock", "clock", "The namespace's clock", ok=Reply("now", Clock)),
    _op(
        "POST",
        "/clock/advance",
        "advance_clock",
        "Move a virtual clock on, running every job step and callback that falls due, in order",
        body=Advance,
        ok=Reply("the clock after the advance", Advanced),
        errors={**JSON_BODY_ERRORS, 409: "the clock is real"},
    ),
    _op(
        "POST",
        "/faults",
        "add_fault",
        "Add a fault rule",
        body=FaultRule,
        ok=Reply("created: the stored rule", StoredFaultRule),
        status=201,
        errors=JSON_BODY_ERRORS,
    ),
    _op("GET", "/faults", "list_faults", "The fault rules", ok=Reply("the rules", Faults)),
    _op("DELETE", "/faults", "clear_faults", "Remove every fault rule", ok=Reply("done", Status)),
    _op(
        "DELETE",
        "/faults/{rule_id}",
        "delete_fault",
        "Remove one fault rule",
        path_params={"rule_id": "the rule's id, a whole number"},
        ok=Reply("removed", Status),
        errors={404: "no such rule"},
    ),
    _op(
        "POST",
        "/snapshots",
        "take_snapshot",
        "Snapshot the namespace: every table and every file a record holds",
        body=SnapshotLabel,
        ok=Reply("created: the snapshot", Snapshot),
        status=201,
        errors=JSON_BODY_ERRORS,
    ),
    _op(
        "GET", "/snapshots", "list_snapshots", "The snapshots (they survive a reset)", ok=Reply("snapshots", Snapshots)
    ),
    _op(
        "POST",
        "/snapshots/{snapshot_id}/restore",
        "restore_snapshot",
        "Put the namespace back as the snapshot found it",
        path_params={"snapshot_id": "the snapshot's id, a whole number"},
        ok=Reply("restored", Restored),
        errors={404: "no such snapshot"},
    ),
    _op("GET", "/export", "export", "The namespace as a scenario file", ok=Reply("the scenario", Scenario)),
    _op(
        "POST",
        "/scenarios/{key}",
        "load_scenario",
        "Load fixtures/scenarios/KEY.json (or .yaml) into the namespace",
        path_params={"key": "the scenario file's name without its extension"},
        ok=Reply("loaded", ScenarioLoaded),
        errors={400: "not a scenario name, or the file is not a scenario", 404: "no such scenario file"},
    ),
    _op(
        "POST",
        "/pact/state",
        "pact_state",
        "Pact's provider-state call: set up a state of docs/pact.md's catalog in the namespace (teardown: reset it)",
        query=PactStateQuery,
        body=PactState,
        ok=Reply("the state's values, which a pact injects with ProviderState generators", PactStateValues),
        errors={400: "not pact's state body, an unknown vendor, an unknown state (known: listed) or one that failed"},
    ),
    _op(
        "GET",
        "/jobs",
        "jobs",
        "Every vendor's units of work with their state on the clock",
        query=VendorQuery,
        ok=Reply("jobs", Jobs),
    ),
    _op(
        "GET",
        "/studies",
        "studies",
        "Every vendor's stored studies, with findings; 'total' counts them all, whatever the page",
        query=StudiesQuery,
        ok=Reply("studies", Studies),
        errors={400: "'limit' is not a whole number from 1, or 'offset' not one from 0, up to 2147483647"},
    ),
    _op(
        "GET",
        "/studies/{vendor}/{study_id}/thumbnail.png",
        "thumbnail",
        "A study's image as a PNG, its findings drawn on it",
        path_params={"vendor": "a vendor key", "study_id": "the study's id as /__admin/studies gives it"},
        query=ThumbnailQuery,
        ok=Reply("the picture", media="image/png", binary=True),
        errors={
            400: "'size' is not a whole number from 16 to 1024",
            404: "no such vendor, study or image",
            422: "the image cannot be rendered",
        },
    ),
    _op(
        "GET",
        "/fidelity",
        "fidelity",
        "The fidelity ledger: for every endpoint, parameter, response field and error code, documented (where) or "
        "inferred (why)",
        query=VendorQuery,
        ok=Reply("the ledger", Ledger),
    ),
    _op("GET", "/openapi.json", "openapi", "This document", ok=Reply("OpenAPI 3.1")),
    _op("GET", "/docs", "docs", "This document as a page", ok=Reply("the page", media="text/html", binary=True)),
    _op("GET", "/ui", "dashboard", "The dashboard (also at /)", ok=Reply("the page", media="text/html", binary=True)),
    _op(
        "GET",
        "/ui/static/{name}",
        "dashboard_static",
        "The dashboard's script and stylesheet",
        path_params={"name": "dashboard.js or dashboard.css"},
        ok=Reply("the file (text/javascript or text/css)", media="text/*", binary=True),
        errors={404: "no such file"},
    ),
]


class _ControlPlane:
    """What core.openapi.build reads of a vendor."""

    key = "__admin"
    title = TITLE
    document = "the control plane"

    @staticmethod
    def operations() -> list[Operation]:
        return OPERATIONS


DESCRIPTION = (
    "The control plane of mockservers: state, journal, clock, faults, callbacks, snapshots. Every call honours "
    "X-Mock-Namespace (or ?namespace=) to work on a namespace of its own. A server started with --admin-token "
    "needs 'Authorization: Bearer TOKEN' on every call but /health (else 401). Errors are {\"error\": message}."
)


def build(server_url: str | None = None) -> dict[str, Any]:
    document = openapi.build(_ControlPlane(), server_url)  # type: ignore[arg-type]
    document["info"]["description"] = DESCRIPTION
    document.setdefault("components", {})["securitySchemes"] = {"adminToken": {"type": "http", "scheme": "bearer"}}
    document["security"] = [{}, {"adminToken": []}]
    return document
