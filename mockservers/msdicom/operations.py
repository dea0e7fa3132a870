"""Medical Imaging Server for DICOM's endpoints as the document (and, where it is silent, the conformance statement)
describes them: the OpenAPI document and the fidelity ledger. Both API versions share one set of paths, /v{version}."""
from __future__ import annotations

from mockservers.core.openapi import Header, Operation, Reply
from mockservers.dicom import operations as d
from mockservers.msdicom.face import QUERYABLE

DOC = "ms-dicom-server-python.md § "
CONFORMANCE = "inferred: the conformance statement (shared/specs/dicomweb-notes.md), not the tutorial"

ERRORS = {
    400: Reply("an invalid UID in the path or a bad query parameter (plain text, e.g. DICOM100: ...)",
               media="text/plain", binary=True),
    404: Reply("The specified study/series/instance/frame cannot be found., or an unknown API version",
               media="text/plain", binary=True),
    406: Reply("The request headers are not acceptable (or a transcoding it cannot do)", media="text/plain",
               binary=True),
    500: Reply("InternalServerError (fault rules)", media="text/plain", binary=True),
    503: Reply("ServiceUnavailable (fault rules)", media="text/plain", binary=True),
}
BODY_ERRORS = {
    413: Reply("The request body is too large.", media="text/plain", binary=True),
    415: Reply("The content type '...' is not supported: ...", media="text/plain", binary=True),
}
VERSION = {"version": "the API version: 1 or 2 (another is a 404)"}
STUDY = {**VERSION, "study": "StudyInstanceUID"}
SERIES = {**STUDY, "series": "SeriesInstanceUID"}
INSTANCE = {**SERIES, "instance": "SOPInstanceUID"}

STOW_ANSWER = d.stow_answer(DOC + "上传 DICOM 实例 (STOW)", {
    "RetrieveURL": "PS3.18; the document shows no STOW answer body",
    "FailedSOPSequence": "PS3.18; FailureReason values from the conformance statement",
    "ReferencedSOPSequence": "PS3.18; WarningReason 45063 from the conformance statement",
})


def _query(name: str, level: str, documented: str, section: str):
    keywords = QUERYABLE[level]
    inferred = {k: "the conformance statement's searchable attributes (dicomweb-notes.md)"
                for k in keywords if k != documented}
    inferred.update({"limit": "PS3.18; default 100, at most 200 (conformance statement)",
                     "offset": "PS3.18", "includefield": "PS3.18", "fuzzymatching": "PS3.18 (conformance statement)"})
    return d.query_schema(name, keywords, DOC + section, inferred)


STUDY_QUERY = _query("MsStudyQuery", "study", "StudyInstanceUID", "搜索研究")
SERIES_QUERY = _query("MsSeriesQuery", "series", "SeriesInstanceUID", "搜索序列")
INSTANCE_QUERY = _query("MsInstanceQuery", "instance", "SOPInstanceUID", "搜索实例")

QIDO = {200: d.DATASETS, 204: Reply("no match (or an offset past the end): empty body"), **ERRORS}
RETRIEVE = {200: Reply(d.MULTIPART.description + "; one instance also as a bare application/dicom",
                       media="multipart/related", binary=True), **ERRORS}


def operations() -> list[Operation]:
    ops = [
        Operation("Store instances", "POST", "/v{version}/studies", "STOW-RS: store instances",
                  DOC + "使用 multipart/related 存储实例", raw_body="multipart/related", headers=(d.ACCEPT_STOW,),
                  path_params=VERSION, responses={**d.stow_replies(STOW_ANSWER), **ERRORS, **BODY_ERRORS}),
        Operation("Store instances for a study", "POST", "/v{version}/studies/{study}",
                  "STOW-RS: store instances of one study (43265 for an instance of another)",
                  DOC + "为特定研究存储实例", raw_body="multipart/related", headers=(d.ACCEPT_STOW,),
                  path_params=STUDY, responses={**d.stow_replies(STOW_ANSWER), **ERRORS, **BODY_ERRORS}),
        Operation("Search studies", "GET", "/v{version}/studies", "QIDO-RS: studies", DOC + "搜索研究",
                  query=STUDY_QUERY, headers=(d.ACCEPT_JSON,), path_params=VERSION, responses=QIDO),
        Operation("Search series", "GET", "/v{version}/series", "QIDO-RS: series", DOC + "搜索序列",
                  query=SERIES_QUERY, headers=(d.ACCEPT_JSON,), path_params=VERSION, responses=QIDO),
        Operation("Search instances", "GET", "/v{version}/instances", "QIDO-RS: instances", DOC + "搜索实例",
                  query=INSTANCE_QUERY, headers=(d.ACCEPT_JSON,), path_params=VERSION, responses=QIDO),
        Operation("Search series in a study", "GET", "/v{version}/studies/{study}/series",
                  "QIDO-RS: the series of a study", DOC + "在研究内搜索序列", query=SERIES_QUERY,
                  headers=(d.ACCEPT_JSON,), path_params=STUDY, responses=QIDO),
        Operation("Search instances in a study", "GET", "/v{version}/studies/{study}/instances",
                  "QIDO-RS: the instances of a study", DOC + "在研究内搜索实例", query=INSTANCE_QUERY,
                  headers=(d.ACCEPT_JSON,), path_params=STUDY, responses=QIDO),
        Operation("Search instances in a series", "GET", "/v{version}/studies/{study}/series/{series}/instances",
                  "QIDO-RS: the instances of a series", DOC + "在研究和序列内搜索实例", query=INSTANCE_QUERY,
                  headers=(d.ACCEPT_JSON,), path_params=SERIES, responses=QIDO),
        Operation("Retrieve study", "GET", "/v{version}/studies/{study}", "WADO-RS: every instance of a study",
                  DOC + "检索研究中的所有实例", headers=(d.ACCEPT_DICOM,), path_params=STUDY, responses=RETRIEVE),
        Operation("Retrieve series", "GET", "/v{version}/studies/{study}/series/{series}",
                  "WADO-RS: every instance of a series", DOC + "检索序列中的所有实例", headers=(d.ACCEPT_DICOM,),
                  path_params=SERIES, responses=RETRIEVE),
        Operation("Retrieve instance", "GET", "/v{version}/studies/{study}/series/{series}/instances/{instance}",
                  "WADO-RS: one instance", DOC + "检索研究的序列中的单个实例", headers=(d.ACCEPT_DICOM,),
                  path_params=INSTANCE, responses=RETRIEVE),
        Operation("Retrieve study metadata", "GET", "/v{version}/studies/{study}/metadata",
                  "WADO-RS: the metadata of every instance of a study (bulk data as BulkDataURIs)",
                  DOC + "检索研究中所有实例的元数据", headers=(d.ACCEPT_JSON,), path_params=STUDY,
                  responses={200: d.DATASETS, **ERRORS}),
        Operation("Retrieve series metadata", "GET", "/v{version}/studies/{study}/series/{series}/metadata",
                  "WADO-RS: the metadata of every instance of a series", DOC + "检索序列中所有实例的元数据",
                  headers=(d.ACCEPT_JSON,), path_params=SERIES, responses={200: d.DATASETS, **ERRORS}),
        Operation("Retrieve instance metadata", "GET",
                  "/v{version}/studies/{study}/series/{series}/instances/{instance}/metadata",
                  "WADO-RS: the metadata of one instance (an array of one)", DOC + "检索研究的序列中的单个实例的元数据",
                  headers=(d.ACCEPT_JSON,), path_params=INSTANCE, responses={200: d.DATASETS, **ERRORS}),
        Operation("Retrieve frames", "GET",
                  "/v{version}/studies/{study}/series/{series}/instances/{instance}/frames/{frames}",
                  "WADO-RS: frames of one instance", DOC + "从单个实例检索一个或多个帧", headers=(d.ACCEPT_FRAMES,),
                  path_params={**INSTANCE, "frames": "frame numbers from 1, comma-separated"},
                  responses={200: d.MULTIPART, **ERRORS}),
        Operation("Retrieve bulk data", "GET",
                  "/v{version}/studies/{study}/series/{series}/instances/{instance}/bulkdata/{tag_path}",
                  "WADO-RS: a bulk value named by a BulkDataURI of the metadata",
                  "inferred: PS3.18 F.2.6; the document shows no bulk data (docs/msdicom.md)",
                  headers=(d.ACCEPT_BULK,),
                  path_params={**INSTANCE, "tag_path": "a tag (00420011), or tag/item/tag... into a sequence"},
                  responses={200: d.MULTIPART, **ERRORS}),
        Operation("Retrieve rendered instance", "GET",
                  "/v{version}/studies/{study}/series/{series}/instances/{instance}/rendered",
                  "WADO-RS: the first frame as an image", CONFORMANCE,
                  query=RENDERED_QUERY, headers=(Header("Accept", "image/jpeg (the default) or image/png"),),
                  path_params=INSTANCE, responses=RENDERED),
        Operation("Retrieve rendered frame", "GET",
                  "/v{version}/studies/{study}/series/{series}/instances/{instance}/frames/{frame}/rendered",
                  "WADO-RS: one frame as an image", CONFORMANCE, query=RENDERED_QUERY,
                  headers=(Header("Accept", "image/jpeg (the default) or image/png"),),
                  path_params={**INSTANCE, "frame": "one frame number, from 1"}, responses=RENDERED),
    ]
    deletes = [("Delete study", "/v{version}/studies/{study}", STUDY, "删除特定研究"),
               ("Delete series", "/v{version}/studies/{study}/series/{series}", SERIES, "删除研究中的特定序列"),
               ("Delete instance", "/v{version}/studies/{study}/series/{series}/instances/{instance}", INSTANCE,
                "删除研究和序列中的特定实例")]
    for name, path, params, section in deletes:
        ops.append(Operation(name, "DELETE", path, name + " (non-standard)", DOC + section, path_params=params,
                             responses={204: Reply("deleted"), **{k: v for k, v in ERRORS.items() if k != 406}}))
    return ops


RENDERED_QUERY = d.rendered_query("MsRenderedQuery", CONFORMANCE)
RENDERED = {200: Reply("image/jpeg or image/png", media="image/*", binary=True), **ERRORS}

ERROR_SOURCES = {
    "BadRequest": "inferred: an invalid UID or query parameter; the conformance statement's 400",
    "NotFound": DOC + "删除 DICOM",
    "MethodNotAllowed": "inferred: a method the resource does not take",
    "NotAcceptable": "inferred: the conformance statement's 406 (an Accept or transcoding it cannot answer)",
    "Conflict": DOC + "存储单个实例（非标准）",
    "PayloadTooLarge": "inferred: a body over the server's max_body_mb",
    "UnsupportedMediaType": "inferred: the conformance statement's 415 (a content type it does not take)",
    "InternalServerError": "inferred: for fault rules",
    "ServiceUnavailable": "inferred: for fault rules",
}
