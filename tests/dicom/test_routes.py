"""dicom/routes.py: one route table; each face serves its share of it, every served route declared exactly once."""

from __future__ import annotations

from collections import Counter

import pytest

from mockservers.core.openapi import flask_rule_to_path, openapi_path_shape
from mockservers.dicom.routes import TABLE
from mockservers.vendors import load_vendor

FACES = ("msdicom", "sphere")


@pytest.mark.parametrize("key", FACES)
def test_every_served_route_has_exactly_one_declaration(mock_app, key):
    vendor = load_vendor(key)
    declared = [d for api in vendor.endpoints() for d in api.declared]
    by_endpoint = {d.endpoint: d.operation for d in declared}
    assert len(by_endpoint) == len(declared), "one declaration per Flask endpoint"
    served = []
    for rule in mock_app.url_map.iter_rules():
        owner, _, endpoint = rule.endpoint.partition(".")
        if owner != key:
            continue
        operation = by_endpoint[endpoint]  # a served route without a declaration fails here
        methods = rule.methods - {"HEAD", "OPTIONS"}
        assert methods == {operation.method}
        assert flask_rule_to_path(rule.rule, f"/{key}") == openapi_path_shape(operation.path)
        served.append(endpoint)
    assert Counter(served) == Counter(list(by_endpoint)), "every declaration served once, every served route declared"
    assert vendor.operations() == [d.operation for d in declared], "OpenAPI and the ledger read the declarations"


@pytest.mark.parametrize("key", FACES)
def test_each_declaration_is_a_resource_of_the_table(key):
    vendor = load_vendor(key)
    for declared in vendor.endpoints()[0].declared:
        resource = TABLE[declared.endpoint]
        operation = declared.operation
        assert operation.method == resource.method
        assert operation.path.endswith(resource.path) and operation.path != resource.path, "under a face prefix"
        assert set(resource.path_params) <= set(operation.path_params)
        if resource.accept is not None:
            assert operation.headers[0] == resource.accept


def test_the_faces_serve_the_resources_their_servers_have():
    ms = {d.endpoint for d in load_vendor("msdicom").endpoints()[0].declared}
    sphere = {d.endpoint for d in load_vendor("sphere").endpoints()[0].declared}
    assert ms == set(TABLE) - {"instance_bulkdata"}  # the Microsoft server has no bulk data route (KnownRoutes.cs)
    assert sphere == set(TABLE) - {"instance_rendered", "frame_rendered"}


def test_qido_keys_are_read_by_qido_not_by_the_documented_schema(client):
    """The declaration carries the QIDO schema for the document only: a tag for a keyword and a key the schema does
    not name get QIDO's own answers, not a marshmallow error."""
    assert client.get("/sphere/qidors/studies?00100020=nobody").json == []
    response = client.get("/sphere/qidors/studies?Foo=1")
    assert response.status_code == 400
    assert response.json["detail"].startswith("The query parameter 'Foo' is not supported")
