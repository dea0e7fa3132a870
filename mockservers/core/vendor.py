"""What a vendor hands the core: its blueprint, its error dialect, its scheduled-event handlers."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from flask import Blueprint

from mockservers.core import errors as dialects
from mockservers.core.errors import Dialect, VendorError

__all__ = ["Dialect", "Findings", "VendorError", "VendorSpec"]

if TYPE_CHECKING:
    from mockservers.core.callbacks import Acceptor
    from mockservers.core.endpoints import Endpoints
    from mockservers.core.openapi import Operation
    from mockservers.core.runtime import Context
    from mockservers.core.scheduler import Handler


@dataclass(frozen=True)
class Findings:
    """One finished analysis (a job, a study's analysis, a series' results) as image findings, for the read-only
    DICOMweb view (/__admin/dicomweb), which shows them as a DICOM SR. `key` names this result: the view builds its
    report again only when the key changes. `load()` gives the findings, each {"image": the SOPInstanceUID of the
    image it lies on, "label": str, "score": float or None, "box": [x1, y1, x2, y2] in the image's pixels, or None
    for a finding of the whole image}. `time` (epoch seconds): when it finished. `algorithm`: what made it."""

    key: str
    time: float
    load: Callable[[], list[dict]]
    algorithm: str = ""


class VendorSpec(ABC):
    """What a vendor hands the core, subclassed once per vendor and registered in mockservers/vendors.py.

    The core serves `blueprint()` under `/<key>`, wraps every request of it (namespace, transaction, fault rules,
    journal) and answers every failure in the vendor's error dialect, `errors`. Everything else is optional:
    scheduled-event handlers, callback acceptors, preset data, default configuration, dashboard and demo data,
    and the sources of the fidelity ledger."""

    key: str = ""  # the URL prefix (/<key>/...), the journal's and the fault rules' vendor name
    title: str = ""  # shown in the OpenAPI document and the dashboard
    document: str = ""  # the vendor document in shared/specs
    real_hosts: tuple[str, ...] = ()  # e.g. "https://api.12sigma.ai": routed here by Host header (core.hosts)
    # The base URLs a client is given, as paths here (`serve` prints them); default: the prefix /<key>
    base_paths: tuple[str, ...] = ()
    root_title: str = ""  # what the root blueprint serves at the server root, e.g. "OSS" (`serve` prints it)
    collapse_slashes: bool = False  # treat '//' in a path under the vendor's prefix as '/'
    # Django's APPEND_SLASH: a path that names no route but would with a trailing slash is answered 301 there,
    # whatever the method, before anything else (no credentials, no fault rules); otherwise such a path is a 404
    append_slash: bool = False
    # Header, query, form and JSON names (any case) whose values are credentials: the journal masks them
    # (core.journal.CREDENTIAL_NAMES, e.g. Authorization, are masked for every vendor).
    credential_names: tuple[str, ...] = ()
    # The error dialect (core.errors.Dialect): catalog, error class, envelope, the codes of bare HTTP statuses.
    # The core renders every error of the vendor with it: a raised VendorError, a fault rule's `error`, a 404,
    # 405 or 413 met before a route ran, an unexpected exception (500).
    errors: Dialect
    # The root blueprint's own dialect when it speaks another (an object store's XML beside a JSON platform): it
    # answers on the root blueprint's routes and on paths outside /<key>.
    root_errors: Dialect | None = None

    @abstractmethod
    def blueprint(self) -> Blueprint:
        """The vendor's routes, served under /<key> (and at / when the server serves this vendor alone)."""

    def root_blueprint(self) -> Blueprint | None:
        """A blueprint served at the server root (e.g. an object store with path-style buckets)."""
        return None

    def claims_root_path(self, path: str) -> bool:
        """Whether a path outside every vendor prefix belongs to this vendor's root blueprint."""
        return False

    def error_for_code(self, code: str, message: str | None = None) -> VendorError:
        """A catalog error by its code, as a fault rule's `error` action raises it (`message` replaces the
        catalog's); KeyError for a code in none of the vendor's catalogs (errors, then root_errors)."""
        return dialects.error_for_code(self, code, message)

    def handlers(self) -> dict[str, Handler]:
        """Scheduled-event handlers, {kind: handler(ctx, payload)}: what ctx.schedule(kind, delay, payload) runs when
        due."""
        return {}

    def acceptors(self) -> dict[str, Acceptor]:
        """Callback acceptors, {name: accept(response) -> None when delivered, else why not}: whether a callback
        sent with ctx.callback(..., accept=name) reached its receiver (default: any 2xx)."""
        return {}

    def seed(self, ctx: Context) -> None:
        """Load the vendor's preset data after a reset (idempotent)."""

    def default_config(self) -> dict[str, Any]:
        """The vendor's configuration before the settings' vendor_config.<key> overrides (ctx.config)."""
        return {}

    def fault_actions(self) -> dict[str, Any]:
        """Fault actions of the vendor's own, {name: check(value) -> None or what is wrong}; a matching request's
        ctx.fault carries them to the vendor's code (e.g. DICOMweb's partly failed STOW)."""
        return {}

    def endpoints(self) -> list[Endpoints]:
        """The vendor's endpoint declarations (core.endpoints.Endpoints), one for each blueprint it serves."""
        return []

    def operations(self) -> list[Operation]:
        """Every endpoint, as core.openapi.Operation: feeds the OpenAPI document and the fidelity ledger. They
        are what endpoints() declare."""
        return [op for declared in self.endpoints() for op in declared.operations()]

    def jobs(self, ctx: Context) -> list[dict[str, Any]]:
        """For the dashboard: the vendor's units of work, each {id, kind, state, created_at, updated_at,
        detail}, newest first."""
        return []

    def studies(self, ctx: Context) -> list[dict[str, Any]]:
        """For the dashboard: stored studies, each {id, study_uid (its DICOM StudyInstanceUID, or None: the viewer's
        link), patient, description, blob (a DICOM file's blob key, or None), findings: [{label, score, box: [x1,
        y1, x2, y2]}]}, newest first."""
        return []

    def dicom_files(self, ctx: Context) -> Iterable[str]:
        """The blob keys of the files the vendor holds that may be DICOM (stored instances, uploads, objects), in
        the order they were stored; the read-only DICOMweb view (/__admin/dicomweb) shows those that are."""
        return ()

    def findings(self, ctx: Context) -> Iterable[Findings]:
        """The vendor's finished analyses whose findings lie on DICOM images it holds (see Findings), oldest
        first: the DICOMweb view shows each as a DICOM SR beside its images."""
        return ()

    def demo(self, unit, studies: int, progress) -> None:
        """`mockservers seed --scenario demo`: fill the vendor with `studies` plausible studies. `with unit() as
        ctx:` gives a Context in a transaction of its own; call progress() once per study."""

    def error_sources(self) -> dict[str, str]:
        """Each error code of the catalogs: where the document shows it, or 'inferred: <why>' (the dialects'
        `sources`, for the fidelity ledger)."""
        return dialects.sources(self)

    def behaviour_sources(self) -> dict[str, str]:
        """What the vendor does beyond answering (its callbacks): where the document shows it, or
        'inferred: <why>'."""
        return {}
