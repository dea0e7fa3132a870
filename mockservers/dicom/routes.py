"""The DICOMweb route table: every resource a face may serve, declared once with its handler (dicom/web.py for
QIDO and DELETE, retrieve.py for WADO, stow.py for STOW) and what every face documents alike of it (method, path,
Accept, path values, request body). A face registers its share of the table on its own Endpoints with register():
its prefixes, and what its document says of each resource (the sections, summaries, replies), as data in its package.

The QIDO and rendered query schemas are declared with validate=False: they document the query, and dicom/qido.py
(and retrieve.rendered) read it themselves, since QIDO's keys are free-form (a keyword or its tag, any case of
includefield...) and their errors are the server's own."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import Response
from marshmallow import Schema

from mockservers.core.endpoints import Endpoints
from mockservers.core.openapi import Header, Reply
from mockservers.dicom import retrieve, stow, uids, web
from mockservers.dicom.face import Face
from mockservers.dicom.schemas import DicomJsonArray

ACCEPT_JSON = Header("Accept", "application/dicom+json (the default), application/json or */*")
ACCEPT_DICOM = Header("Accept", 'multipart/related; type="application/dicom"[; transfer-syntax=UID or *]')
ACCEPT_FRAMES = Header(
    "Accept",
    'multipart/related; type="application/octet-stream"[; transfer-syntax=UID or *], '
    'multipart/related; type="image/jp2", or application/octet-stream for one frame',
)
ACCEPT_BULK = Header("Accept", 'multipart/related; type="application/octet-stream" (or */*)')
ACCEPT_STOW = Header("Accept", "application/dicom+json (the default)")
ACCEPT_IMAGE = Header("Accept", "image/jpeg (the default) or image/png")

MULTIPART = Reply(
    "multipart/related: one part per instance (application/dicom; transfer-syntax=UID), frame or "
    "bulk value (application/octet-stream)",
    media="multipart/related",
    binary=True,
)
DATASETS = Reply("a JSON array of DICOM JSON datasets", DicomJsonArray, media="application/dicom+json")


def stow_replies(answer: type[Schema]) -> dict[int, Reply]:
    return {
        200: Reply("every instance stored", answer, media="application/dicom+json"),
        202: Reply("some stored, some failed (or stored with a warning)", answer, media="application/dicom+json"),
        409: Reply("none stored (FailedSOPSequence only)", answer, media="application/dicom+json"),
    }


@dataclass(frozen=True)
class Resource:
    """One DICOMweb resource. `service` (qido, wado or stow) says under which of a face's prefixes it lives; `kind`
    names the face's replies that document its answers; `query` names the face's query schema (a QIDO level, or
    "rendered")."""

    key: str  # the Flask endpoint
    name: str  # the operation, unless the face's document names it otherwise
    method: str
    service: str
    path: str  # below the service's prefix, OpenAPI style
    handler: Callable[..., Response]  # handler(face, **path values)
    kind: str
    accept: Header | None = None
    path_params: dict[str, str] = field(default_factory=dict)
    query: str | None = None
    converters: dict[str, str] = field(default_factory=dict)
    raw_body: str | None = None
    before_transaction: Callable[[], None] | None = None


STUDY = {"study": "StudyInstanceUID"}
SERIES = {**STUDY, "series": "SeriesInstanceUID"}
INSTANCE = {**SERIES, "instance": "SOPInstanceUID"}
TAG_PATH = "a tag (00420011), or tag/item/tag... into a sequence"
_STUDY = "/studies/{study}"
_SERIES = _STUDY + "/series/{series}"
_INSTANCE = _SERIES + "/instances/{instance}"


def _search(key: str, name: str, path: str, level: str, params: dict[str, str] | None = None) -> Resource:
    return Resource(
        key,
        name,
        "GET",
        "qido",
        path,
        functools.partial(web.search, level=level),
        "search",
        accept=ACCEPT_JSON,
        path_params=params or {},
        query=level,
    )


def _wado(
    key: str,
    name: str,
    path: str,
    handler: Callable[..., Response],
    kind: str,
    accept: Header,
    params: dict[str, str],
    **more,
) -> Resource:
    return Resource(key, name, "GET", "wado", path, handler, kind, accept=accept, path_params=params, **more)


def _store(key: str, name: str, path: str, params: dict[str, str] | None = None) -> Resource:
    return Resource(
        key,
        name,
        "POST",
        "stow",
        path,
        stow.store,
        "store",
        accept=ACCEPT_STOW,
        path_params=params or {},
        raw_body="multipart/related",
        before_transaction=stow.examine_upload,
    )


def _delete(key: str, name: str, path: str, params: dict[str, str]) -> Resource:
    return Resource(key, name, "DELETE", "wado", path, web.remove, "delete", path_params=params)


TABLE: dict[str, Resource] = {
    r.key: r
    for r in (
        _store("store", "Store instances", "/studies"),
        _store("store_in_study", "Store instances for a study", _STUDY, STUDY),
        _search("search_studies", "Search studies", "/studies", "study"),
        _search("search_series", "Search series", "/series", "series"),
        _search("search_instances", "Search instances", "/instances", "instance"),
        _search("search_study_series", "Search series in a study", _STUDY + "/series", "series", STUDY),
        _search("search_study_instances", "Search instances in a study", _STUDY + "/instances", "instance", STUDY),
        _search("search_series_instances", "Search instances in a series", _SERIES + "/instances", "instance", SERIES),
        _wado("retrieve_study", "Retrieve study", _STUDY, retrieve.instances, "retrieve", ACCEPT_DICOM, STUDY),
        _wado("retrieve_series", "Retrieve series", _SERIES, retrieve.instances, "retrieve", ACCEPT_DICOM, SERIES),
        _wado(
            "retrieve_instance", "Retrieve instance", _INSTANCE, retrieve.instances, "retrieve", ACCEPT_DICOM, INSTANCE
        ),
        _wado(
            "study_metadata",
            "Retrieve study metadata",
            _STUDY + "/metadata",
            retrieve.metadata,
            "metadata",
            ACCEPT_JSON,
            STUDY,
        ),
        _wado(
            "series_metadata",
            "Retrieve series metadata",
            _SERIES + "/metadata",
            retrieve.metadata,
            "metadata",
            ACCEPT_JSON,
            SERIES,
        ),
        _wado(
            "instance_metadata",
            "Retrieve instance metadata",
            _INSTANCE + "/metadata",
            retrieve.metadata,
            "metadata",
            ACCEPT_JSON,
            INSTANCE,
        ),
        _wado(
            "instance_frames",
            "Retrieve frames",
            _INSTANCE + "/frames/{frames}",
            retrieve.frames,
            "frames",
            ACCEPT_FRAMES,
            {**INSTANCE, "frames": "frame numbers from 1, comma-separated"},
        ),
        _wado(
            "instance_bulkdata",
            "Retrieve bulk data",
            _INSTANCE + "/bulkdata/{tag_path}",
            retrieve.bulkdata,
            "bulkdata",
            ACCEPT_BULK,
            {**INSTANCE, "tag_path": TAG_PATH},
            converters={"tag_path": "path"},
        ),
        _wado(
            "instance_rendered",
            "Retrieve rendered instance",
            _INSTANCE + "/rendered",
            retrieve.rendered,
            "rendered",
            ACCEPT_IMAGE,
            INSTANCE,
            query="rendered",
        ),
        _wado(
            "frame_rendered",
            "Retrieve rendered frame",
            _INSTANCE + "/frames/{frame}/rendered",
            retrieve.rendered,
            "rendered",
            ACCEPT_IMAGE,
            {**INSTANCE, "frame": "one frame number, from 1"},
            query="rendered",
        ),
        _delete("delete_study", "Delete study", _STUDY, STUDY),
        _delete("delete_series", "Delete series", _SERIES, SERIES),
        _delete("delete_instance", "Delete instance", _INSTANCE, INSTANCE),
    )
}


@dataclass(frozen=True)
class Documented:
    """A resource as a face's document shows it: its summary and where (or 'inferred: why'), and what the document
    says otherwise than the table (the operation's name, path value descriptions, the replies)."""

    summary: str
    source: str
    name: str | None = None
    path_params: dict[str, str] = field(default_factory=dict)
    responses: dict[int, Reply] | None = None


@dataclass(frozen=True)
class Served:
    """A face's share of the table. `resources`: the resources it serves, in its document's order;
    `prefixes`: service -> its prefix ("/v{version}", "/qidors"); `prefix_params`: the prefixes' path values,
    described; `headers`: documented on every endpoint after its Accept (an Authorization); `replies`: kind ->
    the documented answers; `queries`: query schema name -> schema; `auth`: every endpoint authenticates first."""

    resources: dict[str, Documented]
    prefixes: dict[str, str]
    replies: dict[str, dict[int, Reply]]
    queries: dict[str, type[Schema]]
    prefix_params: dict[str, str] = field(default_factory=dict)
    headers: tuple[Header, ...] = ()
    auth: bool = False


def register(api: Endpoints, served: Served, face_for: Callable[..., Face]) -> None:
    """Declares each resource the face serves on `api`, under its service's prefix. `face_for(**prefix values)`
    builds the request's Face (it may refuse, e.g. an unknown API version), then the resource's handler answers."""
    api.blueprint.teardown_request(stow.discard_staged)  # a STOW's files written before its transaction
    for key, documented in served.resources.items():
        resource = TABLE[key]
        prefix = served.prefixes[resource.service]
        accept = (resource.accept,) if resource.accept else ()
        view = _view(resource.handler, face_for, tuple(re.findall(r"\{([^}]+)\}", prefix)))
        api(
            resource.method,
            prefix + resource.path,
            name=documented.name or resource.name,
            summary=documented.summary,
            source=documented.source,
            auth=served.auth,
            query=served.queries[resource.query] if resource.query else None,
            validate=False,
            converters=resource.converters,
            before_transaction=resource.before_transaction,
            endpoint=key,
            raw_body=resource.raw_body,
            headers=accept + served.headers,
            path_params={**served.prefix_params, **resource.path_params, **documented.path_params},
            responses=documented.responses or served.replies[resource.kind],
        )(view)


def _view(
    handler: Callable[..., Response], face_for: Callable[..., Face], prefix_names: tuple[str, ...]
) -> Callable[..., Response]:
    def view(caller=None, **values):
        face = face_for(**{name: values.pop(name) for name in prefix_names})
        if face.path_uid_trailing_spaces:
            values = uids.without_trailing_spaces(values)
        return handler(face, **values)

    return view
