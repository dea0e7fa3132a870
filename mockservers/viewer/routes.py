"""/viewer/: the installed OHIF build's files, its app-config.js from config.py, and index.html for every other path
(OHIF is a single-page app: /viewer/viewer?StudyInstanceUIDs=... is its own route). Without the build, a page saying
how to add it.

OHIF opens a study in a data source other than the default at /viewer/MODE/SOURCE?StudyInstanceUIDs=...; its
`datasources=SOURCE` query parameter is read by the study list only, and ignored on a mode's route. A mode's route
with it (as a link written for the study list would be) is sent on to the data source's route."""

from __future__ import annotations

import html
from importlib import resources
from pathlib import Path
from urllib.parse import urlencode

from flask import Blueprint, Response, abort, redirect, request, send_from_directory
from werkzeug.security import safe_join

from mockservers import viewer
from mockservers.viewer import config

NO_CACHE = {"Cache-Control": "no-cache"}


def blueprint(settings, vendors) -> Blueprint:
    bp = Blueprint("viewer", __name__)
    folder = viewer.folder(settings).resolve()
    app_config = config.script([v.key for v in vendors])
    sources = config.source_names([v.key for v in vendors])

    @bp.get(viewer.PREFIX + "app-config.js")
    def app_config_js():
        return Response(app_config, mimetype="text/javascript", headers=NO_CACHE)

    @bp.get(viewer.PREFIX, defaults={"path": ""})
    @bp.get(viewer.PREFIX + "<path:path>")
    def files(path: str):
        if viewer.version_in(folder) is None:
            return absent(folder)
        found = safe_join(str(folder), path) if path else None
        if found is not None and Path(found).is_file():
            return send_from_directory(folder, path)
        if "." in path.rsplit("/", 1)[-1]:  # a file the build does not have, not one of the app's routes
            abort(404)
        moved = _source_route(path, sources)
        if moved is not None:
            return redirect(moved, 302)
        return send_from_directory(folder, "index.html", max_age=0)

    return bp


def _source_route(path: str, sources: list[str]) -> str | None:
    """/viewer/MODE/SOURCE?the other parameters, for a mode's route /viewer/MODE?datasources=SOURCE."""
    args = request.args.to_dict(flat=False)
    names = {k.lower(): k for k in args}  # OHIF reads its query parameters in any case
    chosen = args.get(names.get("datasources", ""), [""])[0]
    if not path or "/" in path.strip("/") or chosen not in sources:
        return None
    del args[names["datasources"]]
    return f"{viewer.PREFIX}{path.strip('/')}/{chosen}" + (f"?{urlencode(args, doseq=True)}" if args else "")


def absent(folder: Path) -> Response:
    page = resources.files(__package__).joinpath("absent.html").read_text(encoding="utf-8")
    return Response(
        page.replace("{{folder}}", html.escape(str(folder))), status=404, mimetype="text/html", headers=NO_CACHE
    )
