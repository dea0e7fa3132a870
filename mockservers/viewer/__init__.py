"""The OHIF Viewer at /viewer/: npm's built @ohif/app, installed by `make viewer` into a folder outside the package
(setting `viewer_dir`), served by routes.py with an app-config.js of the mock's own (config.py). cors.py: the
`cors_origins` setting, for a viewer served elsewhere. Only the standard library here: install.py runs before the
virtualenv exists, and the command prints where()."""

from __future__ import annotations

from pathlib import Path
from typing import Any

PREFIX = "/viewer/"
DEFAULT_FOLDER = "var/viewer"  # relative to the working directory, as the default state file is
MARKER = ".ohif-version"  # written last by install.py: the folder is complete


def folder(settings: Any) -> Path:
    return Path(settings.viewer_dir or DEFAULT_FOLDER)


def version_in(path: Path) -> str | None:
    """The OHIF version installed in `path`, or None when no complete install is there."""
    try:
        return (path / MARKER).read_text(encoding="utf-8").strip() or None
    except OSError:
        return None


def where(settings: Any, base_url: str) -> str:
    """The serve banner's word on the viewer: where it is, or how to add it."""
    version = version_in(folder(settings))
    if version:
        return f"{base_url}{PREFIX} (OHIF Viewer {version})"
    return (
        f"not installed: `make viewer` adds the OHIF Viewer at {base_url}{PREFIX} (into {folder(settings).absolute()})"
    )
