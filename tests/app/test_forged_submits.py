"""Forged submits: a session whose role is (or has become) ``lecture`` sends the click of a
form it was shown as an editor or administrator. The server checks the role again on that run,
so nothing is written and no audit row claims a change."""

from __future__ import annotations

from sqlalchemy import func, select

from data_access.schema import ImportRun, Meeting, UserRole
from tests.app.test_audit import _page, _rows, page_db  # noqa: F401 (fixture)


def _count(db, table) -> int:  # type: ignore[no-untyped-def]
    with db.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


def test_meeting_form_submitted_as_reader_writes_nothing(page_db):  # noqa: F811
    app = _page("instances.py", "pilotage")
    app.text_input(key="instances_author").input("Bruno")
    app.text_input(key="im_title").input("Point forgé")
    app.session_state["auth_role"] = "lecture"  # the role changed before the click arrived
    next(b for b in app.button if b.label == "Enregistrer la réunion").click().run()
    assert not app.exception
    assert _count(page_db, Meeting) == 0
    assert _rows(page_db) == []


def test_users_form_submitted_as_reader_writes_nothing(page_db):  # noqa: F811
    app = _page("utilisateurs.py", "admin")
    app.text_input[0].input("intrus@creuse.fr")
    app.session_state["auth_role"] = "lecture"
    next(b for b in app.button if b.label == "Enregistrer").click().run()
    assert not app.exception
    assert _count(page_db, UserRole) == 0
    assert [e.value for e in app.error] == ["Action réservée aux administrateurs."]


def test_import_confirmed_as_reader_writes_nothing(page_db):  # noqa: F811
    from tests.unit.rdv_export import USER_HEADERS, realistic_users, to_csv

    app = _page("imports.py", "admin")
    data = to_csv(USER_HEADERS, realistic_users()).encode("utf-8")
    app.file_uploader(key="imports_users").upload("usagers.csv", data, "text/csv")
    app.run()
    app.button(key="imports_check").click().run()
    app.session_state["auth_role"] = "lecture"
    app.button(key="imports_confirm").click().run()
    assert not app.exception
    assert _count(page_db, ImportRun) == 0
    assert _rows(page_db) == []
