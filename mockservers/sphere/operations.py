"""Sphere DicomWeb's endpoints as its document describes them: the OpenAPI document and the fidelity ledger."""
from __future__ import annotations

from marshmallow import Schema, fields

from mockservers.core.openapi import Header, Operation, Reply
from mockservers.dicom import operations as d
from mockservers.sphere.face import QUERYABLE

DOC = "sphere-dicomweb.rst § "
QIDO_DOC = DOC + "III. QIDO-RS"
WADO_DOC = DOC + "IV. WADO-RS"


class ErrorDetail(Schema):
    __source__ = ""
    __inferred__ = {"detail": "the Django REST framework error shape its swagger suggests (docs/sphere.md)"}
    detail = fields.String(required=True, metadata={"description": "one sentence saying what is wrong"})


def _error(text: str) -> Reply:
    return Reply(text, ErrorDetail)


ERRORS = {
    400: _error("a filter the document does not list, a malformed value, an invalid UID in the path"),
    401: _error("Authentication credentials were not provided. / Given token not valid: ... (jwt_validate)"),
    403: _error("Host X is not in allowed_hosts."),
    404: _error("The specified study/series/instance cannot be found."),
    406: _error("Could not satisfy the request Accept header."),
    500: _error("APIException (fault rules)"),
}
BODY_ERRORS = {413: _error("Request body too large."),
               415: _error("only multipart/related; type=\"application/dicom\"")}
AUTH = Header("Authorization", "Bearer <JWT>, when api.dicomweb.jwt_validate is true")
STUDY = {"study": "StudyInstanceUID"}
SERIES = {**STUDY, "series": "SeriesInstanceUID"}
INSTANCE = {**SERIES, "instance": "SOPInstanceUID"}

STOW_ANSWER = d.stow_answer("", {
    "RetrieveURL": "PS3.18 (the document lists STOW-RS without a section)",
    "FailedSOPSequence": "PS3.18, FailureReasons as msdicom (docs/sphere.md)",
    "ReferencedSOPSequence": "PS3.18 (the document lists STOW-RS without a section)",
})


def _query(name: str, level: str):
    return d.query_schema(name, QUERYABLE[level], QIDO_DOC,
                          {"fuzzymatching": "PS3.18; the document names filters, limit, offset, includefield"})


STUDY_QUERY = _query("SphereStudyQuery", "study")
SERIES_QUERY = _query("SphereSeriesQuery", "series")
INSTANCE_QUERY = _query("SphereInstanceQuery", "instance")

QIDO = {200: Reply("a JSON array of DICOM JSON datasets ([] when nothing matches; with Accept: "
                   "application/dicom+xml, text/plain 'En cours de développement')", d.DicomJsonArray,
                   media="application/dicom+json"), **ERRORS}
RETRIEVE = {200: d.MULTIPART, **ERRORS}
ONE_DATASET = Reply("one DICOM JSON dataset (the document's instance example)", d.DicomJsonDataset,
                    media="application/dicom+json")


def operations() -> list[Operation]:
    h = (d.ACCEPT_JSON, AUTH)
    ops = [
        Operation("Search studies", "GET", "/qidors/studies", "QIDO-RS: studies", DOC + "1. Recherche de study",
                  query=STUDY_QUERY, headers=h, responses=QIDO),
        Operation("Search series", "GET", "/qidors/series", "QIDO-RS: series", DOC + "2. recherche de series",
                  query=SERIES_QUERY, headers=h, responses=QIDO),
        Operation("Search instances", "GET", "/qidors/instances", "QIDO-RS: instances",
                  DOC + "3. recherche d’instances", query=INSTANCE_QUERY, headers=h, responses=QIDO),
        Operation("Search series in a study", "GET", "/qidors/studies/{study}/series", "QIDO-RS: a study's series",
                  DOC + "4. Récapitulatif des endpoints", query=SERIES_QUERY, headers=h, path_params=STUDY,
                  responses=QIDO),
        Operation("Search instances in a study", "GET", "/qidors/studies/{study}/instances",
                  "QIDO-RS: a study's instances", DOC + "4. Récapitulatif des endpoints", query=INSTANCE_QUERY,
                  headers=h, path_params=STUDY, responses=QIDO),
        Operation("Search instances in a series", "GET", "/qidors/studies/{study}/series/{series}/instances",
                  "QIDO-RS: a series' instances", DOC + "4. Récapitulatif des endpoints", query=INSTANCE_QUERY,
                  headers=h, path_params=SERIES, responses=QIDO),
        Operation("Retrieve study", "GET", "/wadors/studies/{study}", "WADO-RS: a study's instances, as stored",
                  DOC + "4. Récupération toutes les instances d'une study", headers=(d.ACCEPT_DICOM, AUTH),
                  path_params=STUDY, responses=RETRIEVE),
        Operation("Retrieve series", "GET", "/wadors/studies/{study}/series/{series}",
                  "WADO-RS: a series' instances, as stored",
                  DOC + "5. Récupération toutes les instances d’une study et series", headers=(d.ACCEPT_DICOM, AUTH),
                  path_params=SERIES, responses=RETRIEVE),
        Operation("Retrieve instance", "GET", "/wadors/studies/{study}/series/{series}/instances/{instance}",
                  "WADO-RS: one instance, as stored", DOC + "6. Récupération d'une instance",
                  headers=(d.ACCEPT_DICOM, AUTH), path_params=INSTANCE, responses=RETRIEVE),
        Operation("Retrieve study metadata", "GET", "/wadors/studies/{study}/metadata",
                  "WADO-RS: all attributes but the pixels, per instance",
                  DOC + "1. Récupération des metadata d'une study", headers=h, path_params=STUDY,
                  responses={200: d.DATASETS, **ERRORS}),
        Operation("Retrieve series metadata", "GET", "/wadors/studies/{study}/series/{series}/metadata",
                  "WADO-RS: all attributes but the pixels, per instance",
                  DOC + "2. Récupération des metadata d'une study et series", headers=h, path_params=SERIES,
                  responses={200: d.DATASETS, **ERRORS}),
        Operation("Retrieve instance metadata", "GET",
                  "/wadors/studies/{study}/series/{series}/instances/{instance}/metadata",
                  "WADO-RS: all attributes of one instance but the pixels",
                  DOC + "3. Récupération le metadata d’une instance", headers=h, path_params=INSTANCE,
                  responses={200: ONE_DATASET, **ERRORS}),
        Operation("Retrieve frame", "GET",
                  "/wadors/studies/{study}/series/{series}/instances/{instance}/frames/{frames}",
                  "WADO-RS: the whole PixelData (the frame number is ignored)", DOC + "7. Récupération d'une frame",
                  headers=(d.ACCEPT_FRAMES, AUTH), path_params={**INSTANCE, "frames": "frame numbers (ignored)"},
                  responses={200: d.MULTIPART, **ERRORS}),
        Operation("Retrieve bulk data", "GET",
                  "/wadors/studies/{study}/series/{series}/instances/{instance}/bulkdata/{tag_path}",
                  "WADO-RS: a bulk value (BulkDataURIs appear in metadata with mock.bulk_data_uris)",
                  "inferred: PS3.18 F.2.6; the document names 'données en vrac' but no URL (docs/sphere.md)",
                  headers=(d.ACCEPT_BULK, AUTH),
                  path_params={**INSTANCE, "tag_path": "a tag (00420011), or tag/item/tag... into a sequence"},
                  responses={200: d.MULTIPART, **ERRORS}),
        Operation("Store instances", "POST", "/stowrs/studies", "STOW-RS: store instances",
                  DOC + "I. Définitation DICOMweb", raw_body="multipart/related", headers=(d.ACCEPT_STOW, AUTH),
                  responses={**d.stow_replies(STOW_ANSWER), **ERRORS, **BODY_ERRORS}),
        Operation("Store instances for a study", "POST", "/stowrs/studies/{study}",
                  "STOW-RS: store instances of one study", DOC + "I. Définitation DICOMweb",
                  raw_body="multipart/related", headers=(d.ACCEPT_STOW, AUTH), path_params=STUDY,
                  responses={**d.stow_replies(STOW_ANSWER), **ERRORS, **BODY_ERRORS}),
    ]
    why = "inferred: not in the document; 405 unless mock.allow_delete (docs/sphere.md)"
    for name, path, params in (("Delete study", "/wadors/studies/{study}", STUDY),
                               ("Delete series", "/wadors/studies/{study}/series/{series}", SERIES),
                               ("Delete instance", "/wadors/studies/{study}/series/{series}/instances/{instance}",
                                INSTANCE)):
        ops.append(Operation(name, "DELETE", path, name + " (the mock's own switch)", why, headers=(AUTH,),
                             path_params=params,
                             responses={204: Reply("deleted (mock.allow_delete)"),
                                        405: _error('Method "DELETE" not allowed.'),
                                        **{k: v for k, v in ERRORS.items() if k != 406}}))
    return ops


ERROR_SOURCES = {
    "ParseError": "inferred: a filter the document does not list, or a malformed value (docs/sphere.md)",
    "NotAuthenticated": DOC + "Configuration",
    "AuthenticationFailed": DOC + "Configuration",
    "PermissionDenied": DOC + "Configuration",
    "NotFound": "inferred: an unknown study, series or instance (PS3.18)",
    "MethodNotAllowed": "inferred: DELETE, which the document does not offer",
    "NotAcceptable": "inferred: an Accept it cannot answer (PS3.18)",
    "Conflict": "inferred: PS3.18's 409 for a STOW that stores nothing",
    "PayloadTooLarge": "inferred: a body over the configured limit",
    "UnsupportedMediaType": "inferred: a STOW body that is not multipart/related",
    "APIException": "inferred: for fault rules",
}
