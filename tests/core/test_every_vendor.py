"""What the harness gives every registered vendor, whoever wrote it: faults in its own dialect, namespaces, the
journal, an OpenAPI document and ledger entries. A vendor added later is checked here by registering."""

from collections import Counter

import pytest

from mockservers.app import create_app
from mockservers.core import openapi
from mockservers.vendors import load_vendors
from tests.machinery import test_settings

VENDORS = load_vendors()


@pytest.fixture(scope="module")
def served_app():
    return create_app(test_settings(), start_background=False)


@pytest.mark.parametrize("key", [v.key for v in VENDORS])
def test_every_served_route_has_exactly_one_declaration_and_the_documents_come_from_them(served_app, key):
    vendor = served_app.extensions["mockservers"].vendors[key]
    declarations = vendor.endpoints()
    assert declarations, f"{key} declares its endpoints (VendorSpec.endpoints())"
    blueprints = {api.blueprint.name for api in declarations}
    assert vendor.blueprint().name in blueprints
    declared = Counter(f"{api.blueprint.name}.{d.endpoint}" for api in declarations for d in api.declared)
    assert [name for name, count in declared.items() if count > 1] == []
    served = {rule.endpoint for rule in served_app.url_map.iter_rules() if rule.endpoint.split(".")[0] in blueprints}
    assert served == set(declared)
    published = [d.operation for api in declarations for d in api.declared if d.published]
    assert vendor.operations() == published
    document = openapi.build(vendor)
    operation_ids = sorted(op["operationId"] for ops in document["paths"].values() for op in ops.values())
    assert operation_ids == sorted(op.name for op in published)
    ledger = {e["operation"] for e in openapi.ledger(vendor) if e["kind"] == "endpoint"}
    assert ledger == {op.name for op in published}


@pytest.mark.parametrize("vendor", VENDORS, ids=lambda v: v.key)
def test_every_catalog_error_renders_in_the_vendors_dialect(client, vendor):
    catalog = []
    for code in vendor.error_sources():
        try:
            catalog.append((code, vendor.error_for_code(code)))
        except KeyError:  # a ledger entry that is no error (aliyun's success code "000000")
            continue
    assert catalog, f"{vendor.key} declares its error catalog in error_sources()"
    for code, error in catalog:
        client.delete("/__admin/faults")
        rule = client.post(
            "/__admin/faults",
            json={"vendor": vendor.key, "path": f"/{vendor.key}/*", "times": 1, "action": {"error": code}},
        )
        assert rule.status_code == 201, rule.json
        response = client.get(f"/{vendor.key}/anything/at/all")
        assert response.status_code == error.status, (code, response.status_code)
        assert response.mimetype != "text/html" and "<!doctype html>" not in response.get_data(as_text=True).lower()
        [entry] = list(client.get(f"/__admin/requests?vendor={vendor.key}&limit=1").json["requests"])
        assert entry["fault_id"] == rule.json["id"]


@pytest.mark.parametrize("vendor", VENDORS, ids=lambda v: v.key)
def test_unknown_codes_are_refused_for_every_vendor(client, vendor):
    response = client.post("/__admin/faults", json={"vendor": vendor.key, "action": {"error": "NoSuchCode"}})
    assert response.status_code == 400 and "catalog" in response.json["error"]


@pytest.mark.parametrize("vendor", VENDORS, ids=lambda v: v.key)
def test_namespaces_separate_every_vendors_journal(client, vendor):
    client.get(f"/{vendor.key}/nothing-here", headers={"X-Mock-Namespace": f"ns-{vendor.key}"})
    assert (
        len(
            client.get(f"/__admin/requests?vendor={vendor.key}", headers={"X-Mock-Namespace": f"ns-{vendor.key}"}).json[
                "requests"
            ]
        )
        == 1
    )
    assert (
        client.get(f"/__admin/requests?vendor={vendor.key}", headers={"X-Mock-Namespace": f"other-{vendor.key}"}).json[
            "requests"
        ]
        == []
    )


@pytest.mark.parametrize("vendor", VENDORS, ids=lambda v: v.key)
def test_every_vendor_serves_its_openapi_document(client, vendor):
    from openapi_spec_validator import validate

    assert vendor.operations(), f"{vendor.key} declares its operations"
    response = client.get(f"/{vendor.key}/openapi.json")
    assert response.status_code == 200
    validate(response.json)
