"""A one-instance STOW asks the index once: whether the instance exists, and its study's and series' state, in one
query; the counts it writes are the same as before."""

from __future__ import annotations

import pytest
from sqlalchemy import event, text

from tests.dicom.files import multipart, study_files, uids

STOW = {"msdicom": "/msdicom/v2/studies", "sphere": "/sphere/stowrs/studies"}
MULTIPART = 'multipart/related; type="application/dicom"; boundary=b0und4ry'


@pytest.fixture
def selects(mock_app):
    """The SELECTs on the DICOM index run from here on."""
    seen: list[str] = []
    engine = mock_app.extensions["mockservers"].store.engine

    def record(_conn, _cursor, statement, *_):
        if statement.lstrip().upper().startswith("SELECT") and "dicom_" in statement:
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    yield seen
    event.remove(engine, "before_cursor_execute", record)


@pytest.mark.parametrize("face", ["msdicom", "sphere"])
def test_one_instance_into_a_stored_series_is_one_lookup(mock_app, selects, face):
    client, files = mock_app.test_client(), study_files(seed=7)
    assert (
        client.post(STOW[face], data=multipart([files["ct1"]]), headers={"Content-Type": MULTIPART}).status_code == 200
    )
    selects.clear()
    answer = client.post(STOW[face], data=multipart([files["ct2"]]), headers={"Content-Type": MULTIPART})
    assert answer.status_code == 200
    assert len(selects) == 1, selects
    _, series, _ = uids(files["ct2"])
    with mock_app.extensions["mockservers"].store.engine.connect() as conn:
        counts = conn.execute(
            text(
                "SELECT st.n_series, st.n_instances, se.n_instances FROM dicom_studies st"
                " JOIN dicom_series se ON se.face = st.face AND se.study_uid = st.study_uid"
                " WHERE st.face = :face AND se.series_uid = :series"
            ),
            {"face": face, "series": series},
        ).all()
    assert counts == [(1, 2, 2)]
