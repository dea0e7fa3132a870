"""POST /__admin/pact/state: the provider-state change call of pact's verifier ({"state", "params", "action"}), mapped
to the mock's own setup (mockservers/pact/catalog.py) in the namespace of the request. `?vendor=KEY` picks the
vendor whose states apply (mockservers verify-pact sends it); without it, every vendor's. A teardown forgets the
namespace's state, as POST /__admin/reset, so the next interaction starts from the vendors' seed data."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request

from mockservers.core import jsonbody
from mockservers.core.http import runtime_of
from mockservers.pact.catalog import CATALOG
from mockservers.pact.states import Caller, StateFailed, UnknownState, apply, find

blueprint = Blueprint("admin_pact", __name__)
SHAPE = 'body must be {"state": NAME, "params": {...}, "action": "setup" or "teardown"}'


@blueprint.post("/pact/state")
def provider_state():
    runtime = runtime_of(current_app)
    try:
        body = jsonbody.loads(request.get_data(), storable=True)
    except jsonbody.NotJSON as exc:
        return jsonify(error=f"body: {exc}"), 400
    if not isinstance(body, dict) or not isinstance(body.get("state", ""), str):
        return jsonify(error=SHAPE), 400
    params, action = body.get("params") or {}, body.get("action", "setup")
    if not isinstance(params, dict) or action not in ("setup", "teardown"):
        return jsonify(error=SHAPE), 400
    vendor = request.args.get("vendor")
    if vendor and vendor not in runtime.vendors:
        return jsonify(error=f"unknown vendor {vendor!r}; known: {', '.join(runtime.vendors)}"), 400
    vendors = [vendor] if vendor else list(runtime.vendors)
    try:
        state, named = find(CATALOG, body.get("state", ""), vendors)
    except UnknownState as exc:
        return jsonify(error=f"{exc}; known states: {'; '.join(exc.known)}", known=exc.known), 400
    if action == "teardown":
        runtime.reset()
        return jsonify(status="ok", action="teardown")
    caller = Caller(current_app, runtime, runtime.namespace, request.headers.get("Authorization"))
    try:
        values = apply(caller, state, named, params)
    except StateFailed as exc:
        return jsonify(error=f"provider state {body['state']!r}: {exc}"), 400
    return jsonify(values)
