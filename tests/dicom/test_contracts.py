"""Replays every example of the two DICOMweb documents (fixtures/contracts/msdicom, .../sphere) against the mock."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from tests.contracts.matching import mismatches, substitute
from tests.dicom.files import multipart, split_multipart

ROOT = Path(__file__).resolve().parents[2]
DOC_VARS = {  # the msdicom document's own variables
    "study_uid": "1.2.826.0.1.3680043.8.498.13230779778012324449356534479549187420",
    "series_uid": "1.2.826.0.1.3680043.8.498.45787841905473114233124723359129632652",
    "instance_uid": "1.2.826.0.1.3680043.8.498.47359123102728459884412887463296905395",
    "blue_series": "1.2.826.0.1.3680043.8.498.77033797676425927098669402985243398207",
    "blue_sop": "1.2.826.0.1.3680043.8.498.13273713909719068980354078852867170114",
}
STORE_PATH = {"msdicom": "/msdicom/v2/studies", "sphere": "/sphere/stowrs/studies"}


def cases():
    for face in ("msdicom", "sphere"):
        for path in sorted((ROOT / "fixtures" / "contracts" / face).glob("*.yaml")):
            for case in yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]:
                for version in case.get("versions", ("1", "2")) if face == "msdicom" else ("",):
                    label = f"{face}/{path.name}: {case['name']}" + (f" (v{version})" if version else "")
                    yield pytest.param(face, version, case, id=label)


def fixture_file(face: str, name: str) -> bytes:
    return (ROOT / "fixtures" / "dicom" / face / f"{name}.dcm").read_bytes()


def subset_problems(expected, actual, where="body") -> list[str]:
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{where}: expected an object, got {actual!r}"]
        return [
            p
            for k, v in expected.items()
            for p in ([f"{where}.{k}: missing"] if k not in actual else subset_problems(v, actual[k], f"{where}.{k}"))
        ]
    if isinstance(expected, list) and expected and isinstance(expected[0], dict):
        if not isinstance(actual, list) or len(actual) < len(expected):
            return [f"{where}: expected at least {len(expected)} items, got {actual!r}"]
        return [p for i, e in enumerate(expected) for p in subset_problems(e, actual[i], f"{where}[{i}]")]
    return mismatches(expected, actual, where)


@pytest.mark.parametrize("face, version, case", list(cases()))
def test_contract(client, host_url, face, version, case):
    variables = {**DOC_VARS, "version": version, "host_url": host_url}
    for name in case["given"]:
        r = client.post(
            STORE_PATH[face],
            data=multipart([fixture_file(face, name)]),
            headers={"Content-Type": 'multipart/related; type="application/dicom"; boundary=b0und4ry'},
        )
        assert r.status_code == 200, r.get_data(as_text=True)
    req = substitute(case["request"], variables)
    headers = dict(req.get("headers", {}))
    data = None
    if "multipart" in req:
        data = multipart([fixture_file(face, n) for n in req["multipart"]], "b0und4ry")
        headers.setdefault("Content-Type", 'multipart/related; type="application/dicom"; boundary=b0und4ry')
    elif "file" in req:
        data = fixture_file(face, req["file"])
    elif "raw" in req:
        data = req["raw"].encode()
    r = client.open(req["path"], method=req["method"], headers=headers, data=data, query_string=req.get("query"))
    expected = substitute(case["response"], variables)
    assert r.status_code == expected["status"], r.get_data(as_text=True)
    for name, value in expected.get("headers", {}).items():
        assert r.headers.get(name) == value, (name, r.headers.get(name))
    if "content_type_prefix" in expected:
        assert r.headers["Content-Type"].startswith(expected["content_type_prefix"])
    body = json.loads(r.get_data()) if r.mimetype in ("application/dicom+json", "application/json") else None
    if "body" in expected:
        assert mismatches(expected["body"], body) == []
    if "body_subset" in expected:
        assert subset_problems(expected["body_subset"], body) == []
    if "body_length" in expected:
        assert len(body) == expected["body_length"]
    for tag, length in expected.get("sequence_lengths", {}).items():
        assert len(body[tag]["Value"]) == length
    if "failure_reasons" in expected:
        assert [i["00081197"]["Value"][0] for i in body["00081198"]["Value"]] == expected["failure_reasons"]
    for tag in expected.get("absent", []):
        assert all(tag not in item for item in (body if isinstance(body, list) else [body]))
    if "text" in expected:
        assert r.get_data(as_text=True) == expected["text"]
    if expected.get("empty"):
        assert r.get_data() == b""
    if "file" in expected:
        assert r.get_data() == fixture_file(face, expected["file"])
    if "parts" in expected or "part_types" in expected:
        parts = split_multipart(r)
        if "parts" in expected:
            assert len(parts) == expected["parts"]
        if "part_types" in expected:
            assert [t for t, _ in parts] == expected["part_types"]
