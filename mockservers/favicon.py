"""The browser's /favicon.ico: a small icon drawn once, so that the request is answered, not taken for a vendor's."""

from __future__ import annotations

import functools
import io

from flask import Blueprint, Response
from PIL import Image, ImageDraw

PATH = "/favicon.ico"
ENDPOINT = "favicon.favicon"
blueprint = Blueprint("favicon", __name__)


@functools.cache
def icon() -> bytes:
    """A white ring and cross on a blue disc (a scanner's bore, seen end on), 16 and 32 pixels."""
    size = 64
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((0, 0, size - 1, size - 1), fill=(31, 78, 121, 255))
    draw.ellipse((14, 14, size - 15, size - 15), outline=(255, 255, 255, 255), width=6)
    draw.rectangle((size // 2 - 3, 24, size // 2 + 2, size - 25), fill=(255, 255, 255, 255))
    draw.rectangle((24, size // 2 - 3, size - 25, size // 2 + 2), fill=(255, 255, 255, 255))
    out = io.BytesIO()
    image.save(out, format="ICO", sizes=[(16, 16), (32, 32)])
    return out.getvalue()


@blueprint.get(PATH)
def favicon() -> Response:
    return Response(icon(), mimetype="image/x-icon", headers={"Cache-Control": "public, max-age=86400"})
