"""`mockservers export-pact KEY`: a REST vendor's contract fixtures as a pact file, which verifies against the mock
itself (through the plugin's verify_pacts fixture)."""

from __future__ import annotations

import json
import subprocess

import pytest

from mockservers.pact.export import REST_VENDORS, export
from tests.pact.consumers import mockservers

pytestmark = pytest.mark.no_postgres_pass  # the plugin's live server, on memory state


def export_pact(*args: str) -> subprocess.CompletedProcess:
    return mockservers("export-pact", *args)


@pytest.mark.parametrize("vendor", REST_VENDORS)
def test_the_exported_pact_verifies_against_the_mock(vendor, tmp_path, verify_pacts):
    done = export_pact(vendor, "-o", str(tmp_path / f"{vendor}.json"))
    assert done.returncode == 0, done.stderr
    pact = json.loads((tmp_path / f"{vendor}.json").read_text(encoding="utf-8"))
    assert pact["provider"] == {"name": vendor} and pact["metadata"]["pactSpecification"] == {"version": "3.0.0"}
    assert len(pact["interactions"]) >= 10
    outcome = verify_pacts(tmp_path)
    assert outcome.ok and outcome.providers == {vendor: vendor}


def test_a_value_made_by_the_state_is_injected_by_a_generator():
    pact, _ = export("sigma")
    [get_job] = [
        i for i in pact["interactions"] if i["description"] == "GetJob: documented success example (a finished job)"
    ]
    assert get_job["providerStates"] == [{"name": "a finished job for series 222.222.222", "params": {}}]
    assert get_job["request"]["generators"] == {
        "path": {"type": "ProviderState", "expression": "/sigma/accounts/sigma/jobs/${job_id}/"},
        "header": {"Sigma-Token": {"type": "ProviderState", "expression": "${token}"}},
    }
    assert get_job["response"]["generators"] == {
        "body": {"$.data.job_id": {"type": "ProviderState", "expression": "${job_id}"}}
    }
    assert get_job["response"]["matchingRules"]["body"]["$.data.end_ts"] == {"matchers": [{"match": "number"}]}


def test_cases_a_pact_cannot_carry_are_listed_with_why():
    pact, left_out = export("sigma")
    assert left_out == [
        (
            "Upload (PUT): documented success example, the file named by a whole Windows path",
            "its request body is a DICOM file or a multipart form",
        ),
        ("Upload (PUT): Content-MD5 mismatch (inferred error)", "its request body is a DICOM file or a multipart form"),
    ]
    assert pact["metadata"]["mockservers"]["leftOut"] == [{"case": c, "why": w} for c, w in left_out]
    done = export_pact("sigma")
    assert json.loads(done.stdout) == pact
    assert done.stderr.splitlines()[0] == (
        "export-pact: left out 'Upload (PUT): documented success example, the file named by a whole Windows path': "
        "its request body is a DICOM file or a multipart form"
    )


def test_a_vendor_without_rest_contracts_is_refused():
    done = export_pact("msdicom")
    assert done.returncode == 2
    assert done.stderr == "export-pact: 'msdicom' is not a REST vendor; one of sigma, aliyun, cad4tb\n"
