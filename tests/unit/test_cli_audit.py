"""Every command that changes the governance records writes an audit row, as the pages do:
who (the --user option, else the account), what (never a beneficiary's data)."""

from __future__ import annotations

from data_access.audit import list_audit


def _rows(db) -> list[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    return [(e.actor, e.action, e.detail) for e in reversed(list_audit(db.engine))]


def test_meeting_and_action_commands_are_audited(db, run_cli):
    code, _, err = run_cli(
        "meetings", "add", "point_hebdomadaire", "2024-05-03", "Point du 3 mai", "--user", "cheffe"
    )
    assert code == 0, err
    code, _, err = run_cli("actions", "add", "Relancer la CAF", "--owner", "CD", "--user", "cheffe")
    assert code == 0, err
    code, _, err = run_cli("actions", "set", "1", "--status", "faite", "--user", "cheffe")
    assert code == 0, err
    assert _rows(db) == [
        (
            "cheffe",
            "edit",
            "réunion n° 1 enregistrée (point_hebdomadaire, 2024-05-03) (ligne de commande)",
        ),
        ("cheffe", "edit", "action n° 1 enregistrée (ligne de commande)"),
        ("cheffe", "edit", "action n° 1 modifiée (ligne de commande)"),
    ]


def test_unchanged_action_writes_no_audit_row(db, run_cli):
    assert run_cli("actions", "add", "Relancer la CAF", "--user", "cheffe")[0] == 0
    assert run_cli("actions", "set", "1", "--user", "cheffe")[0] == 0
    assert [detail for _, _, detail in _rows(db)] == ["action n° 1 enregistrée (ligne de commande)"]
