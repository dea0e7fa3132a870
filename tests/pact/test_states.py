"""POST /__admin/pact/state: pact's provider-state call, mapped to the mock's own setup in the request's namespace."""

from __future__ import annotations

import pytest

from mockservers.pact.catalog import CATALOG

STATE = "/__admin/pact/state"
SIGMA_STATES = [
    "scenario {name}",
    "sigma: user {user} exists in account {account}",
    "sigma: an upload is open for series {series}",
    "sigma: series {series} is uploaded",
    "sigma: a running job for series {series}",
    "sigma: a finished job for series {series}",
]


def setup(client, state, vendor="sigma", **params):
    return client.post(f"{STATE}?vendor={vendor}", json={"state": state, "params": params, "action": "setup"})


def test_an_unknown_state_is_a_400_listing_the_known_ones(client):
    answer = setup(client, "the moon is full")
    assert answer.status_code == 400
    assert answer.json == {
        "error": "unknown provider state 'the moon is full'; known states: " + "; ".join(SIGMA_STATES),
        "known": SIGMA_STATES,
    }


def test_without_a_vendor_every_vendors_states_are_known(client):
    answer = client.post(STATE, json={"state": "nothing of the kind", "action": "setup"})
    assert answer.status_code == 400
    assert answer.json["known"] == [s.shown for s in CATALOG if s.name]


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"[]",
        b'{"state": 7}',
        b'{"state": "", "action": "prepare"}',
        b'{"state": "", "params": [1]}',
        b"{not json",
    ],
)
def test_a_body_pact_would_not_send_is_a_400_that_changes_nothing(client, body):
    answer = client.post(STATE, data=body, headers={"Content-Type": "application/json"})
    assert answer.status_code == 400
    assert "error" in answer.json and "Error" not in answer.json["error"]
    assert client.get("/__admin/requests").json["total"] == 0


def test_an_unknown_vendor_is_a_400(client):
    answer = setup(client, "", vendor="acme")
    assert answer.status_code == 400
    assert answer.json["error"].startswith("unknown vendor 'acme'; known: ")


def test_a_finished_job_answers_the_values_a_pact_injects(client):
    answer = setup(client, "a finished job for series 1.2.3")
    assert answer.status_code == 200, answer.json
    values = answer.json
    assert values["series_id"] == "1.2.3" and values["account_name"] == "sigma" and "password" not in values
    job = client.get(f"/sigma/accounts/sigma/jobs/{values['job_id']}/", headers={"Sigma-Token": values["token"]})
    assert job.status_code == 200 and job.json["data"]["status"] == "success"


def test_teardown_forgets_the_namespace_state(client):
    values = setup(client, "a finished job for series 1.2.3").json
    answer = client.post(STATE, json={"state": "a finished job for series 1.2.3", "action": "teardown"})
    assert answer.status_code == 200 and answer.json == {"status": "ok", "action": "teardown"}
    job = client.get(f"/sigma/accounts/sigma/jobs/{values['job_id']}/", headers={"Sigma-Token": values["token"]})
    assert job.status_code == 401  # the token went with the rest


def test_a_state_is_set_up_in_the_namespace_of_the_request_alone(client):
    values = setup(client, "a finished job for series 1.2.3").json
    other = {"X-Mock-Namespace": "pact-elsewhere"}
    try:
        token = client.post(
            f"{STATE}?vendor=sigma", json={"state": "user test exists in account sigma"}, headers=other
        ).json["token"]
        job = client.get(f"/sigma/accounts/sigma/jobs/{values['job_id']}/", headers={**other, "Sigma-Token": token})
        assert job.status_code == 404
    finally:
        client.delete("/__admin/namespaces/pact-elsewhere")


def test_params_win_over_the_values_in_the_name(client):
    answer = setup(client, "a finished analysis for study s-1", vendor="aliyun", study="s-2", studyType=2)
    assert answer.status_code == 200, answer.json
    result = client.get(
        "/aliyun/dicom/api/getAnalysisResult",
        query_string={"studyInstanceUid": "s-2", "studyType": 2},
        headers={"tokenId": "demo", "namespace": "demo"},
    )
    assert result.json["returnCode"] == "000000" and result.json["data"]["xRayDataList"]


def test_a_ct_analysis_gives_the_nodules_index_ids(client):
    answer = setup(client, "a finished analysis for study xxx", vendor="aliyun", studyType=1, key="demo/ct", nodules=2)
    assert answer.status_code == 200, answer.json
    result = client.get(
        "/aliyun/dicom/api/getAnalysisResult",
        query_string={"studyInstanceUid": "xxx", "studyType": 1},
        headers={"tokenId": "demo", "namespace": "demo"},
    )
    nodules = result.json["data"]["imageDataList"]
    assert len(nodules) >= 2  # as many as asked, whatever the namespace's seed
    given = {k: v for k, v in answer.json.items() if k.startswith("index_")}
    assert given == {f"index_{n}": nodule["indexId"] for n, nodule in enumerate(nodules)}


def test_a_state_the_server_cannot_reach_is_a_400_saying_why(client):
    answer = setup(client, "user nobody exists in account sigma")
    assert answer.status_code == 400
    assert answer.json == {
        "error": "provider state 'user nobody exists in account sigma': sigma has no user 'nobody' with that "
        "password in account 'sigma' (users come from the server's configuration: vendor_config.sigma.accounts)"
    }


def test_cad4tb_report_state(client):
    answer = setup(client, "a report on series 1.2.3.4.5.6", vendor="cad4tb")
    assert answer.status_code == 200, answer.json
    forms = client.get(
        "/cad4tb/api/v1/patient/study/series/forms/list/",
        query_string={
            "Project": "some-project",
            "Archive": "some-archive",
            **{k: answer.json[k] for k in ("PatientID", "StudyInstanceUID", "SeriesInstanceUID")},
        },
        headers={"X-USERNAME": "some-username", "X-PASSWORD": "some-password", "Content-Type": "application/json"},
    )
    assert forms.status_code == 200, forms.get_data(as_text=True)


@pytest.mark.parametrize("vendor, qido", [("msdicom", "/msdicom/v1/studies"), ("sphere", "/sphere/qidors/studies")])
def test_a_stored_study_is_found_by_qido(client, vendor, qido):
    answer = setup(client, "a stored study with UID 1.2.826.0.1.99", vendor=vendor)
    assert answer.status_code == 200, answer.json
    found = client.get(qido, query_string={"StudyInstanceUID": "1.2.826.0.1.99"})
    assert found.status_code == 200 and len(found.get_json()) == 1


def test_a_scenario_state_loads_the_scenario(client):
    assert setup(client, "scenario msdicom-shapes", vendor="msdicom").status_code == 200
    assert client.get("/msdicom/v1/studies").get_json()
    answer = setup(client, "scenario no-such-thing")
    assert answer.status_code == 400 and "no scenario 'no-such-thing'" in answer.json["error"]


def test_the_admin_token_guards_the_state_call():
    from mockservers.app import create_app
    from tests.machinery import test_settings

    app = create_app(test_settings(admin_token="s3cret-token"), start_background=False)
    try:
        c = app.test_client()
        body = {"state": "a finished job for series 1.2.3"}  # the setup moves the clock through /__admin too
        assert c.post(STATE, json=body).status_code == 401
        ok = c.post(STATE, json=body, headers={"Authorization": "Bearer s3cret-token"})
        assert ok.status_code == 200 and ok.json["job_id"]
    finally:
        app.extensions["mockservers.namespaces"].close()
