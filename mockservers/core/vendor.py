"""What a vendor hands the core: its blueprint, its error dialect, its scheduled-event handlers."""
from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any

from flask import Blueprint, Response

if TYPE_CHECKING:
    from mockservers.core.callbacks import Acceptor
    from mockservers.core.endpoints import Endpoints
    from mockservers.core.openapi import Operation
    from mockservers.core.runtime import Context
    from mockservers.core.scheduler import Handler


class VendorError(Exception):
    """Base of every vendor's errors. A raised VendorError rolls the request back."""

    status: int = 400

    def __init__(self, message: str = "", *, status: int | None = None, explain: str | None = None):
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status
        self.explain = explain


class VendorSpec(ABC):
    """Subclassed once per vendor; registered in mockservers/vendors.py."""

    key: str = ""
    title: str = ""
    document: str = ""  # the vendor document in shared/specs
    real_hosts: tuple[str, ...] = ()  # e.g. "https://api.12sigma.ai", for the vendor_session fixture
    collapse_slashes: bool = False  # treat '//' in a path under the vendor's prefix as '/'
    # Header, query, form and JSON names (any case) whose values are credentials: the journal masks them
    # (core.journal.CREDENTIAL_NAMES, e.g. Authorization, are masked for every vendor).
    credential_names: tuple[str, ...] = ()

    @abstractmethod
    def blueprint(self) -> Blueprint:
        ...

    def root_blueprint(self) -> Blueprint | None:
        """A blueprint served at the server root (e.g. an object store with path-style buckets)."""
        return None

    def claims_root_path(self, path: str) -> bool:
        """Whether a path outside every vendor prefix belongs to this vendor's root blueprint."""
        return False

    @abstractmethod
    def render_error(self, error: VendorError) -> Response:
        ...

    @abstractmethod
    def error_for_code(self, code: str, message: str | None = None) -> VendorError:
        """A catalog error by its code, for fault rules."""
        ...

    @abstractmethod
    def http_error(self, status: int, description: str = "") -> VendorError:
        """The vendor's error for a failure met before its routes ran (404, 405, 413, 400, 500)."""
        ...

    def handlers(self) -> dict[str, "Handler"]:
        return {}

    def acceptors(self) -> dict[str, "Acceptor"]:
        return {}

    def seed(self, ctx: "Context") -> None:
        """Load the vendor's preset data after a reset (idempotent)."""

    def default_config(self) -> dict[str, Any]:
        return {}

    def fault_actions(self) -> dict[str, Any]:
        """Fault actions of the vendor's own, {name: check(value) -> None or what is wrong}; a matching request's
        ctx.fault carries them to the vendor's code (e.g. DICOMweb's partly failed STOW)."""
        return {}

    def endpoints(self) -> list["Endpoints"]:
        """The vendor's endpoint declarations (core.endpoints.Endpoints), one for each blueprint it serves."""
        return []

    def operations(self) -> list["Operation"]:
        """Every endpoint, as core.openapi.Operation: feeds the OpenAPI document and the fidelity ledger. They
        are what endpoints() declare."""
        return [op for declared in self.endpoints() for op in declared.operations()]

    def jobs(self, ctx: "Context") -> list[dict[str, Any]]:
        """For the dashboard: the vendor's units of work, each {id, kind, state, created_at, updated_at,
        detail}, newest first."""
        return []

    def studies(self, ctx: "Context") -> list[dict[str, Any]]:
        """For the dashboard: stored studies, each {id, patient, description, blob (a DICOM file's blob key,
        or None), findings: [{label, score, box: [x1, y1, x2, y2]}]}, newest first."""
        return []

    def demo(self, unit, studies: int, progress) -> None:
        """`mockservers seed --scenario demo`: fill the vendor with `studies` plausible studies. `with unit() as
        ctx:` gives a Context in a transaction of its own; call progress() once per study."""

    def error_sources(self) -> dict[str, str]:
        """Each error code of the catalog: where the document shows it, or 'inferred: <why>'."""
        return {}

    def behaviour_sources(self) -> dict[str, str]:
        """What the vendor does beyond answering (its callbacks): where the document shows it, or
        'inferred: <why>'."""
        return {}


