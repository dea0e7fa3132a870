"""Serves the dashboard page and its two static files; everything it shows comes from /__admin."""

from __future__ import annotations

from importlib import resources

from flask import Blueprint, Response, abort

blueprint = Blueprint("dashboard", __name__)
STATIC = {"dashboard.js": "text/javascript", "dashboard.css": "text/css"}


def _read(name: str) -> str:
    return resources.files(__package__).joinpath("static", name).read_text(encoding="utf-8")


@blueprint.get("/")
@blueprint.get("/__admin/ui")
def page():
    return Response(_read("index.html"), mimetype="text/html")


@blueprint.get("/__admin/ui/static/<name>")
def static_file(name: str):
    if name not in STATIC:
        abort(404)
    response = Response(_read(name), mimetype=STATIC[name])
    response.headers["Cache-Control"] = "no-cache"
    return response
