"""core.endpoints: one declaration registers the route, validates before the view, and documents the endpoint."""

from __future__ import annotations

import pytest
from flask import Flask, jsonify, request
from marshmallow import Schema, fields
from werkzeug.routing import BaseConverter

from mockservers.core.endpoints import Endpoints
from mockservers.core.openapi import Reply


class Refused(Exception):
    def __init__(self, field, message):
        super().__init__(f"{field}: {message}")


class PageQuery(Schema):
    page = fields.Integer(required=True)


class NoteBody(Schema):
    text = fields.String(required=True)


def make_app(seen):
    api = Endpoints(
        "t",
        __name__,
        reject=Refused,
        read_body=lambda: {"text": "hi"},
        authenticate=lambda **values: seen.append(("auth", values)) or "alice",
    )

    @api(
        "GET",
        "/things/{thing_id}/",
        name="GetThing",
        summary="a thing",
        source="doc § GetThing",
        auth=True,
        query=PageQuery,
        responses={200: Reply("the thing")},
    )
    def get_thing(thing_id, caller, query):
        seen.append(("view", thing_id, caller, query))
        return jsonify(ok=True)

    @api(
        "POST",
        "/files/{name}",
        name="PutFile",
        summary="a file",
        source="inferred: test",
        body=NoteBody,
        converters={"name": "path"},
    )
    def put_file(name, body):
        return jsonify(name=name, **body)

    app = Flask(__name__)
    app.register_blueprint(api.blueprint, url_prefix="/v")

    @app.errorhandler(Refused)
    def refused(error):
        return jsonify(error=str(error)), 400

    return app, api


def test_declaration_registers_validates_and_documents():
    seen = []
    app, api = make_app(seen)
    client = app.test_client()
    assert client.get("/v/things/7/?page=2").json == {"ok": True}
    assert seen == [("auth", {"thing_id": "7"}), ("view", "7", "alice", {"page": 2})]
    assert client.post("/v/files/a/b.txt").json == {"name": "a/b.txt", "text": "hi"}
    assert [(op.name, op.method, op.path) for op in api.operations()] == [
        ("GetThing", "GET", "/things/{thing_id}/"),
        ("PutFile", "POST", "/files/{name}"),
    ]
    assert api.operations()[0].query is PageQuery


def test_validation_fails_before_the_view_runs_and_after_authentication():
    seen = []
    app, _ = make_app(seen)
    response = app.test_client().get("/v/things/7/?page=x")
    assert response.status_code == 400
    assert response.json == {"error": "page: Not a valid integer."}
    assert seen == [("auth", {"thing_id": "7"})]


def test_declaration_mistakes_fail_at_import():
    api = Endpoints("t", __name__, reject=Refused)
    with pytest.raises(ValueError, match="needs Endpoints\\(authenticate"):
        api("GET", "/x", name="X", summary="", source="", auth=True)
    with pytest.raises(ValueError, match="needs Endpoints\\(read_body"):
        api("POST", "/x", name="X", summary="", source="", body=NoteBody)
    with pytest.raises(ValueError, match="converters for values it does not have"):
        api("GET", "/x", name="X", summary="", source="", converters={"y": "path"})


def test_a_path_value_may_have_another_name_in_the_flask_rule():
    """`rule_names`: the Flask rule keeps a name the route listing shows, the view gets the documented one."""
    api = Endpoints(
        "t", __name__, reject=Refused, rule_names={"res_account_name": "account"}, authenticate=lambda **values: values
    )

    @api(
        "GET",
        "/accounts/{res_account_name}/files/{name}",
        name="GetFile",
        summary="",
        source="",
        auth=True,
        converters={"name": "path"},
    )
    def get_file(res_account_name, name, caller):
        return jsonify(account=res_account_name, name=name, caller=caller)

    app = Flask(__name__)
    app.register_blueprint(api.blueprint, url_prefix="/v")
    assert [r.rule for r in app.url_map.iter_rules() if r.endpoint == "t.get_file"] == [
        "/v/accounts/<account>/files/<path:name>"
    ]
    assert app.test_client().get("/v/accounts/a1/files/x/y").json == {
        "account": "a1",
        "name": "x/y",
        "caller": {"res_account_name": "a1", "name": "x/y"},
    }
    assert api.operations()[0].path == "/accounts/{res_account_name}/files/{name}"


class Shouting(BaseConverter):
    regex = "[A-Z]+"


def test_head_also_at_unpublished_and_a_converter_of_the_vendors_own():
    api = Endpoints("t", __name__, reject=Refused, url_converters={"shouting": Shouting})

    @api(
        "HEAD",
        "/{word}/",
        name="HeadWord",
        summary="",
        source="inferred: test",
        converters={"word": "shouting"},
        also_at=("/{word}",),
        published=False,
    )
    def head_word(word):
        return "", 200, {"X-Word": word}

    @api(
        "GET",
        "/{word}/",
        name="GetWord",
        summary="",
        source="inferred: test",
        converters={"word": "shouting"},
        also_at=("/{word}",),
    )
    def get_word(word):
        return word

    app = Flask(__name__)
    app.register_blueprint(api.blueprint)
    client = app.test_client()
    assert client.head("/HI/").headers["X-Word"] == "HI" and client.head("/HI").headers["X-Word"] == "HI"
    assert client.get("/HI").data == b"HI" and client.get("/HI/").data == b"HI"
    assert client.get("/hi/").status_code == 404, "the converter's regex decides"
    assert [op.name for op in api.operations()] == ["GetWord"]
    assert [(d.endpoint, d.published) for d in api.declared] == [("head_word", False), ("get_word", True)]
    with pytest.raises(ValueError, match=r"declare HEAD /\{word\}/ before its GET"):
        api("HEAD", "/{word}/", name="Late", summary="", source="", converters={"word": "shouting"})


def test_a_schema_that_only_documents_is_not_validated():
    """validate=False: the query schema is the document's; the view reads the query itself (DICOMweb's QIDO)."""
    api = Endpoints("t", __name__)  # no reject: nothing here validates

    @api("GET", "/search", name="Search", summary="", source="", query=PageQuery, validate=False)
    def search():
        return jsonify(request.args)

    app = Flask(__name__)
    app.register_blueprint(api.blueprint)
    assert app.test_client().get("/search?page=x&free=1").json == {"page": "x", "free": "1"}
    assert api.operations()[0].query is PageQuery
    with pytest.raises(ValueError, match="validation needs Endpoints\\(reject"):
        api("GET", "/y", name="Y", summary="", source="", query=PageQuery)


def guarded_app(authenticate_options):
    def authenticate(**values):
        if request.headers.get("Authorization") != "yes":
            raise Refused("Authorization", "missing")

    api = Endpoints("t", __name__, authenticate=authenticate, authenticate_options=authenticate_options)

    @api("GET", "/things/{thing_id}", name="GetThing", summary="", source="", auth=True)
    def get_thing(thing_id, caller):
        return jsonify(thing_id=thing_id)

    @api("DELETE", "/things/{thing_id}", name="DeleteThing", summary="", source="", auth=True)
    def delete_thing(thing_id, caller):
        return "", 204

    app = Flask(__name__)
    app.register_blueprint(api.blueprint)
    app.errorhandler(Refused)(lambda error: (jsonify(error=str(error)), 401))
    return app.test_client()


def test_options_authenticate_when_asked_like_a_guard_on_every_request():
    client = guarded_app(authenticate_options=True)
    assert client.options("/things/7").status_code == 401
    answer = client.options("/things/7", headers={"Authorization": "yes"})
    assert answer.status_code == 200
    assert set(answer.headers["Allow"].split(", ")) == {"GET", "HEAD", "DELETE", "OPTIONS"}
    assert client.head("/things/7").status_code == 401
    assert client.put("/things/7").status_code == 405
    assert client.delete("/things/7", headers={"Authorization": "yes"}).status_code == 204


def test_options_are_answered_without_authentication_by_default():
    client = guarded_app(authenticate_options=False)
    answer = client.options("/things/7")
    assert answer.status_code == 200
    assert set(answer.headers["Allow"].split(", ")) == {"GET", "HEAD", "DELETE", "OPTIONS"}
    assert client.get("/things/7").status_code == 401


def test_an_auth_value_is_handed_to_authenticate_first():
    """`auth=` other than True (the permission an endpoint needs, say) reaches authenticate before the path values."""
    seen = []
    api = Endpoints(
        "t", __name__, reject=Refused, authenticate=lambda *needs, **values: seen.append((needs, values)) or "alice"
    )

    @api("GET", "/reports/{report_id}", name="GetReport", summary="", source="", auth="read_reports")
    def get_report(report_id, caller):
        return jsonify(report=report_id, caller=caller)

    @api("GET", "/open", name="Open", summary="", source="", auth=True)
    def get_open(caller):
        return jsonify(caller=caller)

    app = Flask(__name__)
    app.register_blueprint(api.blueprint)
    assert app.test_client().get("/reports/3").json == {"report": "3", "caller": "alice"}
    assert app.test_client().get("/open").json == {"caller": "alice"}
    assert seen == [(("read_reports",), {"report_id": "3"}), ((), {})]
