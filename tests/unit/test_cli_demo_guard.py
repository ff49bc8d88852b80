"""« pilotage demo » never turns a database holding real imports or users' roles into the demo
database: the demo opens without sign-in (role chooser up to administrator), so the users'
addresses, the audit log and the governance records would be open to anyone, and the real
data would be replaced."""

from __future__ import annotations

from sqlalchemy import func, select

from data_access.access import grant_role
from data_access.db import session_scope
from data_access.inventory import is_demo_database
from data_access.schema import Person

REFUSAL_START = "Erreur : Démonstration refusée"


def _persons(db) -> int:  # type: ignore[no-untyped-def]
    with db.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(Person)).scalar_one()


def test_demo_refused_on_a_database_with_users(db, run_cli):
    with session_scope(db.engine) as session:
        grant_role(session, "agent@creuse.fr", "admin", actor="tests")
    code, _, err = run_cli("demo", "--scale", "300", "--as-of", "2024-06-30")
    assert code == 1
    assert err.startswith(REFUSAL_START)
    assert not is_demo_database(db.engine)
    assert _persons(db) == 0


def test_demo_refused_on_a_database_with_imports(db, run_cli, tmp_path):
    from tests.unit.bundle_data import VALID_BUNDLE, write_bundle

    code, _, err = run_cli("import", "bundle", str(write_bundle(tmp_path / "lot", VALID_BUNDLE)))
    assert code == 0, err
    before = _persons(db)
    code, _, err = run_cli("demo", "--scale", "300", "--as-of", "2024-06-30")
    assert code == 1
    assert err.startswith(REFUSAL_START)
    assert not is_demo_database(db.engine)
    assert _persons(db) == before


def test_demo_runs_on_an_empty_database_and_again_on_the_demo(db, run_cli):
    assert run_cli("demo", "--scale", "300", "--as-of", "2024-06-30")[0] == 0
    assert is_demo_database(db.engine)
    assert run_cli("demo", "--scale", "300", "--as-of", "2024-06-30")[0] == 0
