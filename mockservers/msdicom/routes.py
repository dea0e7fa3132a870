"""The server's HTTP surface: /v{version}/... DICOMweb resources, each a call into mockservers.dicom.web."""
from __future__ import annotations

import re

from flask import Blueprint, request

from mockservers.core.http import before_transaction
from mockservers.dicom import web
from mockservers.msdicom.errors import error
from mockservers.msdicom.face import VERSIONS, make_face

blueprint = Blueprint("msdicom", __name__)
_BASE = re.compile(r"^(.*?/v\d+)(/|$)")


def face(version: str):
    if version not in VERSIONS:
        raise error("NotFound", f"The API version 'v{version}' is not supported.")
    base = _BASE.match(request.path).group(1)
    return make_face(version, web.base_url(base))


V = "/v<version>"
S = V + "/studies/<study>"
SE = S + "/series/<series>"
I = SE + "/instances/<sop>"


@blueprint.post(V + "/studies")
@before_transaction(web.examine_upload)
def store(version):
    return web.store(face(version))


@blueprint.post(S)
@before_transaction(web.examine_upload)
def store_in_study(version, study):
    return web.store(face(version), study)


@blueprint.get(V + "/studies")
def search_studies(version):
    return web.search(face(version), "study")


@blueprint.get(V + "/series")
def search_series(version):
    return web.search(face(version), "series")


@blueprint.get(V + "/instances")
def search_instances(version):
    return web.search(face(version), "instance")


@blueprint.get(S + "/series")
def search_study_series(version, study):
    return web.search(face(version), "series", study)


@blueprint.get(S + "/instances")
def search_study_instances(version, study):
    return web.search(face(version), "instance", study)


@blueprint.get(SE + "/instances")
def search_series_instances(version, study, series):
    return web.search(face(version), "instance", study, series)


@blueprint.get(S)
def retrieve_study(version, study):
    return web.instances(face(version), study)


@blueprint.get(SE)
def retrieve_series(version, study, series):
    return web.instances(face(version), study, series)


@blueprint.get(I)
def retrieve_instance(version, study, series, sop):
    return web.instances(face(version), study, series, sop)


@blueprint.get(S + "/metadata")
def study_metadata(version, study):
    return web.metadata(face(version), study)


@blueprint.get(SE + "/metadata")
def series_metadata(version, study, series):
    return web.metadata(face(version), study, series)


@blueprint.get(I + "/metadata")
def instance_metadata(version, study, series, sop):
    return web.metadata(face(version), study, series, sop)


@blueprint.get(I + "/frames/<frames>")
def instance_frames(version, study, series, sop, frames):
    return web.frames(face(version), study, series, sop, frames)


@blueprint.get(I + "/bulkdata/<path:tag_path>")
def instance_bulkdata(version, study, series, sop, tag_path):
    return web.bulkdata(face(version), study, series, sop, tag_path)


@blueprint.get(I + "/rendered")
def instance_rendered(version, study, series, sop):
    return web.rendered(face(version), study, series, sop)


@blueprint.get(I + "/frames/<frame>/rendered")
def frame_rendered(version, study, series, sop, frame):
    return web.rendered(face(version), study, series, sop, frame)


@blueprint.delete(S)
def delete_study(version, study):
    return web.remove(face(version), study)


@blueprint.delete(SE)
def delete_series(version, study, series):
    return web.remove(face(version), study, series)


@blueprint.delete(I)
def delete_instance(version, study, series, sop):
    return web.remove(face(version), study, series, sop)
