"""Namespace names that Windows reserves for devices are refused on every system: a state folder may be copied."""

import shutil

import pytest

from mockservers.app import create_app
from mockservers.core.namespaces import InvalidNamespace, check_name
from tests.machinery import test_settings

LOGIN = "/sigma/login?account_name=sigma&user_name=test&password=MTIzNDU2"
RESERVED = "CON, PRN, AUX, NUL, COM0-COM9, LPT0-LPT9"


def reserved_message(name):
    return (
        f"X-Mock-Namespace: {name!r} is not a namespace name: Windows reserves it for a device ({RESERVED}, in any "
        "case, with or without an extension)"
    )


@pytest.mark.parametrize("name", ["CON", "con", "Prn", "aux", "NUL", "com1", "COM9", "lpt1", "Lpt9", "con.txt"])
def test_windows_device_names_are_refused(name):
    with pytest.raises(InvalidNamespace) as refused:
        check_name(name)
    assert str(refused.value) == reserved_message(name)


def test_a_trailing_dot_is_refused():
    with pytest.raises(InvalidNamespace) as refused:
        check_name("team.")
    assert str(refused.value) == "X-Mock-Namespace: 'team.' is not a namespace name: it ends with '.'"


@pytest.mark.parametrize("name", ["console", "com10", "lpt", "nul-1", "auxiliary.txt", "a.con", "team.a"])
def test_names_that_only_look_alike_are_kept(name):
    assert check_name(name) == name


@pytest.mark.parametrize("name", ["con", "NUL.txt", "x."])
def test_a_reserved_name_is_refused_everywhere_and_nothing_is_made(tmp_path, name):
    app = create_app(test_settings(state=f"sqlite:///{tmp_path}/state.db"), start_background=False)
    c = app.test_client()
    vendor = c.get(LOGIN, headers={"X-Mock-Namespace": name})
    assert vendor.status_code == 400 and vendor.json["error"]["code"] == "InvalidParameter"
    explain = vendor.headers["X-Mock-Explain"]
    assert explain.startswith(f"X-Mock-Namespace: {name!r} is not a namespace name: ")
    admin = c.get("/__admin/requests", headers={"X-Mock-Namespace": name})
    assert admin.status_code == 400 and admin.json == {"error": explain}
    by_query = c.get("/__admin/clock", query_string={"namespace": name})
    assert by_query.status_code == 400 and by_query.json == {"error": explain}
    assert c.get("/__admin/namespaces").json["namespaces"] == ["default"]
    assert c.get("/__admin/requests").json["requests"] == []
    folder = tmp_path / "namespaces"
    assert not folder.exists() or list(folder.iterdir()) == []
    app.extensions["mockservers.namespaces"].close()


def test_a_copied_file_with_a_reserved_name_is_not_listed(tmp_path):
    create_app(test_settings(state=f"sqlite:///{tmp_path}/state.db"), start_background=False).extensions[
        "mockservers.namespaces"
    ].close()
    (tmp_path / "namespaces").mkdir()
    for name in ("aux", "good"):
        shutil.copy(tmp_path / "state.db", tmp_path / "namespaces" / f"{name}.db")
    app = create_app(test_settings(state=f"sqlite:///{tmp_path}/state.db"), start_background=False)
    assert app.test_client().get("/__admin/namespaces").json["namespaces"] == ["default", "good"]
    app.extensions["mockservers.namespaces"].close()


def test_a_final_newline_is_no_part_of_a_name():
    """`?namespace=` of /__admin can carry one, where a header cannot."""
    app = create_app(test_settings(), start_background=False)
    answer = app.test_client().get("/__admin/clock", query_string={"namespace": "team\n"})
    app.extensions["mockservers.namespaces"].close()
    assert answer.status_code == 400
    assert answer.json == {
        "error": "X-Mock-Namespace: 'team\\n' is not a namespace name (letters, digits, '_', '.', '-'; at most 63 "
        "characters)"
    }
