"""The app's URL rules compile their URL builders when a URL is first built, not while the app is made (two thirds
of create_app's time, paid by every in-process test); URLs built from them are werkzeug's own."""

from __future__ import annotations

import flask
from werkzeug.routing import Rule

from mockservers.app import create_app
from mockservers.url_rules import LazyBuildRule
from tests.machinery import test_settings


def test_making_the_app_compiles_no_url_builder_and_building_a_url_compiles_one(monkeypatch):
    compiled: list[str] = []
    compile_builder = Rule._compile_builder

    def counted(rule, append_unknown=True):
        compiled.append(rule.rule)
        return compile_builder(rule, append_unknown)

    monkeypatch.setattr(Rule, "_compile_builder", counted)
    app = create_app(test_settings(), start_background=False)
    try:
        vendor_rules = [rule for rule in app.url_map.iter_rules() if rule.endpoint != "static"]
        assert vendor_rules and all(isinstance(rule, LazyBuildRule) for rule in vendor_rules)
        # Flask's own static route is added before the class is set: werkzeug's two builders, nothing else
        assert compiled == ["/static/<path:filename>", "/static/<path:filename>"]
        rule = next(rule for rule in vendor_rules if rule.arguments)
        values = dict.fromkeys(rule.arguments, "a b")
        with app.test_request_context():
            built = flask.url_for(rule.endpoint, **values, extra="1/2")
        assert compiled[2:] == [rule.rule]  # only the builder used (with unknown arguments as the query)
        eager = Rule(rule.rule, endpoint=rule.endpoint)
        flask.Flask("eager").url_map.add(eager)
        assert built == eager.build({**values, "extra": "1/2"})[1]
    finally:
        app.extensions["mockservers.namespaces"].close()
