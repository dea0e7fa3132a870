"""Sphere's HTTP surface: /qidors, /wadors and /stowrs, each a call into mockservers.dicom.web."""
from __future__ import annotations

import re

from flask import Blueprint, request

from mockservers.core.http import before_transaction, current_ctx
from mockservers.dicom import web
from mockservers.sphere import auth
from mockservers.sphere.errors import error
from mockservers.sphere.face import make_face

blueprint = Blueprint("sphere", __name__)
_ROOT = re.compile(r"^(.*?)/(qidors|wadors|stowrs)(/|$)")


@blueprint.before_request
def guard():
    ctx = current_ctx()
    auth.check_host(ctx.config, request.remote_addr)
    auth.check_jwt(ctx.config, request.headers.get("Authorization"), ctx.now)


def face():
    match = _ROOT.match(request.path)
    root = match.group(1) if match else ""
    return make_face(web.base_url(root + "/wadors"), current_ctx().config)


Q = "/qidors"
W = "/wadors/studies/<study>"
WS = W + "/series/<series>"
WI = WS + "/instances/<sop>"


@blueprint.get(Q + "/studies")
def search_studies():
    return web.search(face(), "study")


@blueprint.get(Q + "/series")
def search_series():
    return web.search(face(), "series")


@blueprint.get(Q + "/instances")
def search_instances():
    return web.search(face(), "instance")


@blueprint.get(Q + "/studies/<study>/series")
def search_study_series(study):
    return web.search(face(), "series", study)


@blueprint.get(Q + "/studies/<study>/instances")
def search_study_instances(study):
    return web.search(face(), "instance", study)


@blueprint.get(Q + "/studies/<study>/series/<series>/instances")
def search_series_instances(study, series):
    return web.search(face(), "instance", study, series)


@blueprint.get(W)
def retrieve_study(study):
    return web.instances(face(), study)


@blueprint.get(WS)
def retrieve_series(study, series):
    return web.instances(face(), study, series)


@blueprint.get(WI)
def retrieve_instance(study, series, sop):
    return web.instances(face(), study, series, sop)


@blueprint.get(W + "/metadata")
def study_metadata(study):
    return web.metadata(face(), study)


@blueprint.get(WS + "/metadata")
def series_metadata(study, series):
    return web.metadata(face(), study, series)


@blueprint.get(WI + "/metadata")
def instance_metadata(study, series, sop):
    return web.metadata(face(), study, series, sop)


@blueprint.get(WI + "/frames/<frames>")
def instance_frames(study, series, sop, frames):
    return web.frames(face(), study, series, sop, frames)


@blueprint.get(WI + "/bulkdata/<path:tag_path>")
def instance_bulkdata(study, series, sop, tag_path):
    return web.bulkdata(face(), study, series, sop, tag_path)


@blueprint.post("/stowrs/studies")
@before_transaction(web.examine_upload)
def store():
    return web.store(face())


@blueprint.post("/stowrs/studies/<study>")
@before_transaction(web.examine_upload)
def store_in_study(study):
    return web.store(face(), study)


def _delete_allowed() -> None:
    if not (current_ctx().config.get("mock") or {}).get("allow_delete"):
        raise error("MethodNotAllowed", 'Method "DELETE" not allowed.')


@blueprint.delete(W)
def delete_study(study):
    _delete_allowed()
    return web.remove(face(), study)


@blueprint.delete(WS)
def delete_series(study, series):
    _delete_allowed()
    return web.remove(face(), study, series)


@blueprint.delete(WI)
def delete_instance(study, series, sop):
    _delete_allowed()
    return web.remove(face(), study, series, sop)
