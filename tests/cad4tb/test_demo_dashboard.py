from contextlib import contextmanager

from mockservers.cad4tb.demo import seed
from tests.cad4tb.conftest import assert_error, make_app


def seed_demo(runtime, studies, progress):
    """As `mockservers seed --scenario demo` would run cad4tb's demo: one transaction per study."""
    @contextmanager
    def unit():
        with runtime.store.transaction() as db:
            runtime.clock.load(db)
            yield runtime.context(db, "cad4tb")

    seed(unit, studies, progress)
    return {"cad4tb": studies}


def test_demo_seed_fills_the_demo_archive():
    app = make_app()
    runtime = app.extensions["mockservers"]
    steps = []
    assert seed_demo(runtime, 8, steps.append) == {"cad4tb": 8}
    with runtime.store.transaction() as db:
        jobs = runtime.vendors["cad4tb"].jobs(runtime.context(db, "cad4tb"))
        studies = runtime.vendors["cad4tb"].studies(runtime.context(db, "cad4tb"))
    assert len(jobs) == len(studies) == 8 and len(steps) == 8
    assert sorted(j["state"] for j in jobs) == ["done"] * 6 + ["processing"] * 2
    assert {j["kind"] for j in jobs} == {"cad4tb", "retina"}
    assert all(j["detail"].startswith("some-project/some-archive, patient ") for j in jobs)
    assert all(s["patient"].endswith(")") and s["blob"] is None for s in studies)
    app.extensions["mockservers"].close()


def test_demo_data_answers_through_the_api():
    from tests.cad4tb.conftest import Cad4tb
    app = make_app()
    seed_demo(app.extensions["mockservers"], 2, lambda n: None)
    api = Cad4tb(app.test_client())
    with app.extensions["mockservers"].store.transaction() as db:
        study = app.extensions["mockservers"].vendors["cad4tb"].studies(
            app.extensions["mockservers"].context(db, "cad4tb"))[-1]
    patient_id = study["patient"].rsplit("(", 1)[1].rstrip(")")
    [listed] = api.get("patient/studies/list", PatientID=patient_id).json
    [series] = api.get("patient/study/series/list", PatientID=patient_id,
                       StudyInstanceUID=listed["StudyInstanceUID"]).json
    assert series["status"] == "done" and series["form_1"] == {"tb_suspected": False, "conclusion": "normal"}
    assert_error(api.get("patient/get", PatientID="nobody"), 404, "object_not_found", "patient_not_found")
    app.extensions["mockservers"].close()
