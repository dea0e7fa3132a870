"""Each REST vendor's OpenAPI document and a browsable page for it, served at /<vendor>/openapi.json and /docs."""

from __future__ import annotations

from importlib import resources

from flask import Blueprint, Response, jsonify, request

from mockservers.core import openapi
from mockservers.core.vendor import VendorSpec


def blueprint(vendors: list[VendorSpec]) -> Blueprint:
    bp = Blueprint("apidocs", __name__)
    page = resources.files(__package__).joinpath("page.html").read_text(encoding="utf-8")
    for vendor in vendors:
        if not vendor.operations():
            continue

        def document(vendor=vendor):
            return jsonify(openapi.build(vendor, server_url=request.host_url.rstrip("/") + f"/{vendor.key}"))

        def browse(vendor=vendor):
            html = page.replace("{{title}}", vendor.title).replace("{{key}}", vendor.key)
            return Response(html, mimetype="text/html")

        bp.add_url_rule(f"/{vendor.key}/openapi.json", f"{vendor.key}_openapi", document, methods=["GET"])
        bp.add_url_rule(f"/{vendor.key}/docs", f"{vendor.key}_docs", browse, methods=["GET"])
    return bp
