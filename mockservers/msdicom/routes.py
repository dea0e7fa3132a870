"""The server's HTTP surface: dicom/routes.py's table under /v{version}, as its document describes each resource
(and, where it is silent, the conformance statement). Both API versions share one set of paths."""

from __future__ import annotations

import re

from flask import request

from mockservers.core.endpoints import Endpoints
from mockservers.core.openapi import Reply
from mockservers.dicom import web
from mockservers.dicom.routes import DATASETS, MULTIPART, Documented, Served, register, stow_replies
from mockservers.dicom.schemas import query_schema, rendered_query, stow_answer
from mockservers.msdicom.errors import error
from mockservers.msdicom.face import QUERYABLE, VERSIONS, make_face

DOC = "ms-dicom-server-python.md § "
CONFORMANCE = "inferred: the conformance statement (shared/specs/dicomweb-notes.md), not the tutorial"

ERRORS = {
    400: Reply(
        "an invalid UID in the path or a bad query parameter (plain text, e.g. DICOM100: ...)",
        media="text/plain",
        binary=True,
    ),
    404: Reply(
        "The specified study/series/instance/frame cannot be found., or an unknown API version",
        media="text/plain",
        binary=True,
    ),
    406: Reply(
        "The request headers are not acceptable (or a transcoding it cannot do)", media="text/plain", binary=True
    ),
    500: Reply("InternalServerError (fault rules)", media="text/plain", binary=True),
    503: Reply("ServiceUnavailable (fault rules)", media="text/plain", binary=True),
}
BODY_ERRORS = {
    413: Reply("The request body is too large.", media="text/plain", binary=True),
    415: Reply("The content type '...' is not supported: ...", media="text/plain", binary=True),
}

STOW_ANSWER = stow_answer(
    DOC + "上传 DICOM 实例 (STOW)",
    {
        "RetrieveURL": "PS3.18; the document shows no STOW answer body",
        "FailedSOPSequence": "PS3.18; FailureReason values from the conformance statement",
        "ReferencedSOPSequence": "PS3.18; WarningReason 45063 from the conformance statement",
    },
)


def _query(name: str, level: str, documented: str, section: str):
    keywords = QUERYABLE[level]
    inferred = {
        k: "the conformance statement's searchable attributes (dicomweb-notes.md)" for k in keywords if k != documented
    }
    inferred.update(
        {
            "limit": "PS3.18; default 100, at most 200 (conformance statement)",
            "offset": "PS3.18",
            "includefield": "PS3.18",
            "fuzzymatching": "PS3.18 (conformance statement)",
        }
    )
    return query_schema(name, keywords, DOC + section, inferred)


SERVED = Served(
    prefixes={"qido": "/v{version}", "wado": "/v{version}", "stow": "/v{version}"},
    prefix_params={"version": "the API version: 1 or 2 (another is a 404)"},
    queries={
        "study": _query("MsStudyQuery", "study", "StudyInstanceUID", "搜索研究"),
        "series": _query("MsSeriesQuery", "series", "SeriesInstanceUID", "搜索序列"),
        "instance": _query("MsInstanceQuery", "instance", "SOPInstanceUID", "搜索实例"),
        "rendered": rendered_query("MsRenderedQuery", CONFORMANCE),
    },
    replies={
        "store": {**stow_replies(STOW_ANSWER), **ERRORS, **BODY_ERRORS},
        "search": {200: DATASETS, 204: Reply("no match (or an offset past the end): empty body"), **ERRORS},
        "retrieve": {
            200: Reply(
                MULTIPART.description + "; one instance also as a bare application/dicom",
                media="multipart/related",
                binary=True,
            ),
            **ERRORS,
        },
        "metadata": {
            200: DATASETS,
            304: Reply("If-None-Match equals the ETag the last answer carried: no body, no ETag"),
            **ERRORS,
        },
        "frames": {200: MULTIPART, **ERRORS},
        "rendered": {200: Reply("image/jpeg or image/png", media="image/*", binary=True), **ERRORS},
        "delete": {204: Reply("deleted"), **{k: v for k, v in ERRORS.items() if k != 406}},
    },
    resources={
        "store": Documented("STOW-RS: store instances", DOC + "使用 multipart/related 存储实例"),
        "store_in_study": Documented(
            "STOW-RS: store instances of one study (43265 for an instance of another)", DOC + "为特定研究存储实例"
        ),
        "search_studies": Documented("QIDO-RS: studies", DOC + "搜索研究"),
        "search_series": Documented("QIDO-RS: series", DOC + "搜索序列"),
        "search_instances": Documented("QIDO-RS: instances", DOC + "搜索实例"),
        "search_study_series": Documented("QIDO-RS: the series of a study", DOC + "在研究内搜索序列"),
        "search_study_instances": Documented("QIDO-RS: the instances of a study", DOC + "在研究内搜索实例"),
        "search_series_instances": Documented("QIDO-RS: the instances of a series", DOC + "在研究和序列内搜索实例"),
        "retrieve_study": Documented("WADO-RS: every instance of a study", DOC + "检索研究中的所有实例"),
        "retrieve_series": Documented("WADO-RS: every instance of a series", DOC + "检索序列中的所有实例"),
        "retrieve_instance": Documented("WADO-RS: one instance", DOC + "检索研究的序列中的单个实例"),
        "study_metadata": Documented(
            "WADO-RS: the metadata of every instance of a study (no binary attribute; an ETag)",
            DOC + "检索研究中所有实例的元数据",
        ),
        "series_metadata": Documented(
            "WADO-RS: the metadata of every instance of a series", DOC + "检索序列中所有实例的元数据"
        ),
        "instance_metadata": Documented(
            "WADO-RS: the metadata of one instance (an array of one)", DOC + "检索研究的序列中的单个实例的元数据"
        ),
        "instance_frames": Documented("WADO-RS: frames of one instance", DOC + "从单个实例检索一个或多个帧"),
        "instance_rendered": Documented("WADO-RS: the first frame as an image", CONFORMANCE),
        "frame_rendered": Documented("WADO-RS: one frame as an image", CONFORMANCE),
        "delete_study": Documented("Delete study (non-standard)", DOC + "删除特定研究"),
        "delete_series": Documented("Delete series (non-standard)", DOC + "删除研究中的特定序列"),
        "delete_instance": Documented("Delete instance (non-standard)", DOC + "删除研究和序列中的特定实例"),
    },
)
_BASE = re.compile(r"^(.*?/v\d+)(/|$)")


def face_for(version: str):
    if version not in VERSIONS:
        raise error("NotFound", f"The API version 'v{version}' is not supported.")
    base = _BASE.match(request.path).group(1)
    return make_face(version, web.base_url(base))


api = Endpoints("msdicom", __name__)
register(api, SERVED, face_for)
