"""Sphere's HTTP surface: dicom/routes.py's table under /qidors, /wadors and /stowrs, as its document describes each
resource. Every endpoint checks the host and the JWT first (settings.yml), OPTIONS included."""

from __future__ import annotations

import re

from flask import request
from marshmallow import Schema, fields

from mockservers.core.endpoints import Endpoints
from mockservers.core.http import current_ctx
from mockservers.core.openapi import Header, Reply
from mockservers.dicom import web
from mockservers.dicom.routes import DATASETS, MULTIPART, Documented, Served, register, stow_replies
from mockservers.dicom.schemas import DicomJsonArray, DicomJsonDataset, query_schema, stow_answer
from mockservers.sphere import auth
from mockservers.sphere.face import QUERYABLE, make_face

DOC = "sphere-dicomweb.rst § "
QIDO_DOC = DOC + "III. QIDO-RS"
ENDPOINTS_DOC = DOC + "4. Récapitulatif des endpoints"
STOW_DOC = DOC + "I. Définitation DICOMweb"
NO_DELETE = "inferred: not in the document; 405 unless mock.allow_delete (docs/sphere.md)"


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
BODY_ERRORS = {413: _error("Request body too large."), 415: _error('only multipart/related; type="application/dicom"')}

STOW_ANSWER = stow_answer(
    "",
    {
        "RetrieveURL": "PS3.18 (the document lists STOW-RS without a section)",
        "FailedSOPSequence": "PS3.18, FailureReasons as msdicom (docs/sphere.md)",
        "ReferencedSOPSequence": "PS3.18 (the document lists STOW-RS without a section)",
    },
)


def _query(name: str, level: str):
    return query_schema(
        name,
        QUERYABLE[level],
        QIDO_DOC,
        {"fuzzymatching": "PS3.18; the document names filters, limit, offset, includefield"},
    )


SERVED = Served(
    prefixes={"qido": "/qidors", "wado": "/wadors", "stow": "/stowrs"},
    headers=(Header("Authorization", "Bearer <JWT>, when api.dicomweb.jwt_validate is true"),),
    auth=True,
    queries={
        "study": _query("SphereStudyQuery", "study"),
        "series": _query("SphereSeriesQuery", "series"),
        "instance": _query("SphereInstanceQuery", "instance"),
    },
    replies={
        "search": {
            200: Reply(
                "a JSON array of DICOM JSON datasets ([] when nothing matches; with Accept: "
                "application/dicom+xml, text/plain 'En cours de développement')",
                DicomJsonArray,
                media="application/dicom+json",
            ),
            **ERRORS,
        },
        "retrieve": {200: MULTIPART, **ERRORS},
        "metadata": {200: DATASETS, **ERRORS},
        "frames": {200: MULTIPART, **ERRORS},
        "bulkdata": {200: MULTIPART, **ERRORS},
        "store": {**stow_replies(STOW_ANSWER), **ERRORS, **BODY_ERRORS},
        "delete": {
            204: Reply("deleted (mock.allow_delete)"),
            405: _error('Method "DELETE" not allowed.'),
            **{k: v for k, v in ERRORS.items() if k != 406},
        },
    },
    resources={
        "search_studies": Documented("QIDO-RS: studies", DOC + "1. Recherche de study"),
        "search_series": Documented("QIDO-RS: series", DOC + "2. recherche de series"),
        "search_instances": Documented("QIDO-RS: instances", DOC + "3. recherche d’instances"),
        "search_study_series": Documented("QIDO-RS: a study's series", ENDPOINTS_DOC),
        "search_study_instances": Documented("QIDO-RS: a study's instances", ENDPOINTS_DOC),
        "search_series_instances": Documented("QIDO-RS: a series' instances", ENDPOINTS_DOC),
        "retrieve_study": Documented(
            "WADO-RS: a study's instances, as stored", DOC + "4. Récupération toutes les instances d'une study"
        ),
        "retrieve_series": Documented(
            "WADO-RS: a series' instances, as stored",
            DOC + "5. Récupération toutes les instances d’une study et series",
        ),
        "retrieve_instance": Documented("WADO-RS: one instance, as stored", DOC + "6. Récupération d'une instance"),
        "study_metadata": Documented(
            "WADO-RS: all attributes but the pixels, per instance", DOC + "1. Récupération des metadata d'une study"
        ),
        "series_metadata": Documented(
            "WADO-RS: all attributes but the pixels, per instance",
            DOC + "2. Récupération des metadata d'une study et series",
        ),
        "instance_metadata": Documented(
            "WADO-RS: all attributes of one instance but the pixels",
            DOC + "3. Récupération le metadata d’une instance",
            responses={
                200: Reply(
                    "one DICOM JSON dataset (the document's instance example)",
                    DicomJsonDataset,
                    media="application/dicom+json",
                ),
                **ERRORS,
            },
        ),
        "instance_frames": Documented(
            "WADO-RS: the whole PixelData (the frame number is ignored)",
            DOC + "7. Récupération d'une frame",
            name="Retrieve frame",
            path_params={"frames": "frame numbers (ignored)"},
        ),
        "instance_bulkdata": Documented(
            "WADO-RS: a bulk value (BulkDataURIs appear in metadata with mock.bulk_data_uris)",
            "inferred: PS3.18 F.2.6; the document names 'données en vrac' but no URL (docs/sphere.md)",
        ),
        "store": Documented("STOW-RS: store instances", STOW_DOC),
        "store_in_study": Documented("STOW-RS: store instances of one study", STOW_DOC),
        "delete_study": Documented("Delete study (the mock's own switch)", NO_DELETE),
        "delete_series": Documented("Delete series (the mock's own switch)", NO_DELETE),
        "delete_instance": Documented("Delete instance (the mock's own switch)", NO_DELETE),
    },
)
_ROOT = re.compile(r"^(.*?)/(qidors|wadors|stowrs)(/|$)")


def authenticate(**_path_values) -> None:
    """settings.yml's api.allowed_hosts, then api.dicomweb.jwt_validate."""
    ctx = current_ctx()
    auth.check_host(ctx.config, request.remote_addr)
    auth.check_jwt(ctx.config, request.headers.get("Authorization"), ctx.now)


def face_for():
    match = _ROOT.match(request.path)
    root = match.group(1) if match else ""
    return make_face(web.base_url(root + "/wadors"), current_ctx().config)


api = Endpoints("sphere", __name__, authenticate=authenticate, authenticate_options=True)
register(api, SERVED, face_for)
