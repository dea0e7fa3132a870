"""The ceiling of the stack: a bare Flask app answering recorded JSON, under the same gunicorn settings."""

import json
import os

from flask import Flask, Response, request

ANSWERS = json.load(open(os.environ["BENCH_ANSWERS"], encoding="utf-8"))
app = Flask(__name__)


@app.route("/<path:path>", methods=["GET", "POST", "PUT", "DELETE"])
def answer(path):
    found = ANSWERS.get(f"{request.method} /{path}")
    if found is None:
        return Response("{}", status=404, mimetype="application/json")
    return Response(found["body"], status=found["status"], mimetype=found["content_type"])
