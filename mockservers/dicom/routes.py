"""The DICOMweb route table: every resource a face may serve, declared once with its handler in dicom/web.py and
what every face documents alike of it (method, path, Accept, path values, request body). A face registers its share
of the table on its own Endpoints with register(): its prefixes, and what its document says of each resource (the
sections, summaries, replies), as data in its package.

The QIDO and rendered query schemas are declared with validate=False: they document the query, and dicom/qido.py
(and web.rendered) read it themselves, since QIDO's keys are free-form (a keyword or its tag, any case of
includefield...) and their errors are the server's own."""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Callable

from flask import Response
from marshmallow import Schema

from mockservers.core.endpoints import Endpoints
from mockservers.core.openapi import Header, Reply
from mockservers.dicom import web
from mockservers.dicom.face import Face
from mockservers.dicom.schemas import DicomJsonArray

ACCEPT_JSON = Header("Accept", "application/dicom+json (the default), application/json or */*")
ACCEPT_DICOM = Header("Accept", 'multipart/related; type="application/dicom"[; transfer-syntax=UID or *]')
ACCEPT_FRAMES = Header("Accept", 'multipart/related; type="application/octet-stream"[; transfer-syntax=UID or *], '
                                 "or a compressed frame type (image/dicom-rle, image/jpeg, ...)")
ACCEPT_BULK = Header("Accept", 'multipart/related; type="application/octet-stream" (or */*)')
ACCEPT_STOW = Header("Accept", "application/dicom+json (the default)")
ACCEPT_IMAGE = Header("Accept", "image/jpeg (the default) or image/png")

MULTIPART = Reply("multipart/related: one part per instance (application/dicom; transfer-syntax=UID), frame or "
                  "bulk value (application/octet-stream)", media="multipart/related", binary=True)
DATASETS = Reply("a JSON array of DICOM JSON datasets", DicomJsonArray, media="application/dicom+json")


def stow_replies(answer: type[Schema]) -> dict[int, Reply]:
    return {200: Reply("every instance stored", answer, media="application/dicom+json"),
            202: Reply("some stored, some failed (or stored with a warning)", answer, media="application/dicom+json"),
            409: Reply("none stored (FailedSOPSequence only)", answer, media="application/dicom+json")}


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
_INSTANCE = "/studies/{study}/series/{series}/instances/{instance}"

_SEARCH = dict(service="qido", kind="search", accept=ACCEPT_JSON)
_RETRIEVE = dict(service="wado", kind="retrieve", accept=ACCEPT_DICOM)
_METADATA = dict(service="wado", kind="metadata", accept=ACCEPT_JSON)
_STORE = dict(service="stow", kind="store", accept=ACCEPT_STOW, raw_body="multipart/related",
              before_transaction=web.examine_upload)
_DELETE = dict(service="wado", kind="delete", handler=web.remove)


def _search(level: str) -> Callable[..., Response]:
    return functools.partial(web.search, level=level)


TABLE: dict[str, Resource] = {r.key: r for r in (
    Resource("store", "Store instances", "POST", path="/studies", handler=web.store, **_STORE),
    Resource("store_in_study", "Store instances for a study", "POST", path="/studies/{study}", handler=web.store,
             path_params=STUDY, **_STORE),
    Resource("search_studies", "Search studies", "GET", path="/studies", handler=_search("study"), query="study",
             **_SEARCH),
    Resource("search_series", "Search series", "GET", path="/series", handler=_search("series"), query="series",
             **_SEARCH),
    Resource("search_instances", "Search instances", "GET", path="/instances", handler=_search("instance"),
             query="instance", **_SEARCH),
    Resource("search_study_series", "Search series in a study", "GET", path="/studies/{study}/series",
             handler=_search("series"), query="series", path_params=STUDY, **_SEARCH),
    Resource("search_study_instances", "Search instances in a study", "GET", path="/studies/{study}/instances",
             handler=_search("instance"), query="instance", path_params=STUDY, **_SEARCH),
    Resource("search_series_instances", "Search instances in a series", "GET",
             path="/studies/{study}/series/{series}/instances", handler=_search("instance"), query="instance",
             path_params=SERIES, **_SEARCH),
    Resource("retrieve_study", "Retrieve study", "GET", path="/studies/{study}", handler=web.instances,
             path_params=STUDY, **_RETRIEVE),
    Resource("retrieve_series", "Retrieve series", "GET", path="/studies/{study}/series/{series}",
             handler=web.instances, path_params=SERIES, **_RETRIEVE),
    Resource("retrieve_instance", "Retrieve instance", "GET", path=_INSTANCE, handler=web.instances,
             path_params=INSTANCE, **_RETRIEVE),
    Resource("study_metadata", "Retrieve study metadata", "GET", path="/studies/{study}/metadata",
             handler=web.metadata, path_params=STUDY, **_METADATA),
    Resource("series_metadata", "Retrieve series metadata", "GET", path="/studies/{study}/series/{series}/metadata",
             handler=web.metadata, path_params=SERIES, **_METADATA),
    Resource("instance_metadata", "Retrieve instance metadata", "GET", path=_INSTANCE + "/metadata",
             handler=web.metadata, path_params=INSTANCE, **_METADATA),
    Resource("instance_frames", "Retrieve frames", "GET", service="wado", path=_INSTANCE + "/frames/{frames}",
             handler=web.frames, kind="frames", accept=ACCEPT_FRAMES,
             path_params={**INSTANCE, "frames": "frame numbers from 1, comma-separated"}),
    Resource("instance_bulkdata", "Retrieve bulk data", "GET", service="wado",
             path=_INSTANCE + "/bulkdata/{tag_path}", handler=web.bulkdata, kind="bulkdata", accept=ACCEPT_BULK,
             path_params={**INSTANCE, "tag_path": TAG_PATH}, converters={"tag_path": "path"}),
    Resource("instance_rendered", "Retrieve rendered instance", "GET", service="wado", path=_INSTANCE + "/rendered",
             handler=web.rendered, kind="rendered", accept=ACCEPT_IMAGE, path_params=INSTANCE, query="rendered"),
    Resource("frame_rendered", "Retrieve rendered frame", "GET", service="wado",
             path=_INSTANCE + "/frames/{frame}/rendered", handler=web.rendered, kind="rendered", accept=ACCEPT_IMAGE,
             path_params={**INSTANCE, "frame": "one frame number, from 1"}, query="rendered"),
    Resource("delete_study", "Delete study", "DELETE", path="/studies/{study}", path_params=STUDY, **_DELETE),
    Resource("delete_series", "Delete series", "DELETE", path="/studies/{study}/series/{series}", path_params=SERIES,
             **_DELETE),
    Resource("delete_instance", "Delete instance", "DELETE", path=_INSTANCE, path_params=INSTANCE, **_DELETE),
)}


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
    for key, documented in served.resources.items():
        resource = TABLE[key]
        prefix = served.prefixes[resource.service]
        accept = (resource.accept,) if resource.accept else ()
        view = _view(resource.handler, face_for, tuple(re.findall(r"\{([^}]+)\}", prefix)))
        api(resource.method, prefix + resource.path, name=documented.name or resource.name,
            summary=documented.summary, source=documented.source, auth=served.auth,
            query=served.queries[resource.query] if resource.query else None, validate=False,
            converters=resource.converters, before_transaction=resource.before_transaction, endpoint=key,
            raw_body=resource.raw_body, headers=accept + served.headers,
            path_params={**served.prefix_params, **resource.path_params, **documented.path_params},
            responses=documented.responses or served.replies[resource.kind])(view)


def _view(handler: Callable[..., Response], face_for: Callable[..., Face],
          prefix_names: tuple[str, ...]) -> Callable[..., Response]:
    def view(caller=None, **values):
        face = face_for(**{name: values.pop(name) for name in prefix_names})
        return handler(face, **values)

    return view
