"""Roles per person in the database: an address wins over its domain, old role names are
aliases, every change is audited, bad input is a French error; and ``pilotage users``."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from data_access.access import (
    AccessError,
    grant_role,
    list_grants,
    normalise_role,
    revoke_role,
    role_for_email,
    role_includes,
)
from data_access.audit import list_audit, record_audit
from data_access.db import session_scope
from data_access.schema import AuditEvent


def test_roles_include_the_ones_below_and_accept_old_names():
    assert normalise_role("Administrateur") == "admin"
    assert normalise_role("chef_de_projet") == "pilotage"
    assert normalise_role("root") is None
    assert role_includes("admin", "pilotage") and role_includes("pilotage", "lecture")
    assert not role_includes("lecture", "pilotage")
    assert not role_includes(None, "lecture")


def test_address_wins_over_domain_and_first_admin_over_both(db):
    with session_scope(db.engine) as session:
        grant_role(session, "@Creuse.fr", "lecture", actor="admin@creuse.fr")
        grant_role(session, "Cheffe.Projet@creuse.fr", "pilotage", actor="admin@creuse.fr")
    assert role_for_email(db.engine, "agent@creuse.fr") == "lecture"
    assert role_for_email(db.engine, "cheffe.projet@CREUSE.fr") == "pilotage"
    assert role_for_email(db.engine, "agent@correze.fr") is None
    assert role_for_email(db.engine, "agent@evil-creuse.fr") is None
    assert role_for_email(db.engine, "") is None
    assert role_for_email(db.engine, "agent@correze.fr", first_admin="Agent@Correze.fr") == "admin"
    assert [(g.pattern, g.role) for g in list_grants(db.engine)] == [
        ("@creuse.fr", "lecture"),
        ("cheffe.projet@creuse.fr", "pilotage"),
    ]


def test_changes_are_audited_and_revocation_takes_effect(db):
    with session_scope(db.engine) as session:
        grant_role(session, "a@creuse.fr", "lecture", actor="admin@creuse.fr")
        grant_role(session, "a@creuse.fr", "admin", actor="admin@creuse.fr")
    with session_scope(db.engine) as session:
        assert revoke_role(session, "a@creuse.fr", actor="admin@creuse.fr")
        assert not revoke_role(session, "a@creuse.fr", actor="admin@creuse.fr")
    assert role_for_email(db.engine, "a@creuse.fr") is None
    entries = list_audit(db.engine)
    assert [(e.actor, e.action, e.detail) for e in reversed(entries)] == [
        ("admin@creuse.fr", "role_granted", "a@creuse.fr : lecture"),
        ("admin@creuse.fr", "role_granted", "a@creuse.fr : lecture → admin"),
        ("admin@creuse.fr", "role_revoked", "a@creuse.fr"),
    ]
    assert entries[0].action_label == "Rôle retiré"


@pytest.mark.parametrize(("pattern", "role"), [("pas une adresse", "lecture"), ("@x", "admin")])
def test_bad_address_is_a_french_error(db, pattern, role):
    with pytest.raises(AccessError, match="Adresse invalide"), session_scope(db.engine) as s:
        grant_role(s, pattern, role, actor="t")


def test_unknown_role_is_a_french_error(db):
    with pytest.raises(AccessError, match="Rôle inconnu"), session_scope(db.engine) as s:
        grant_role(s, "a@creuse.fr", "superuser", actor="t")


def test_record_audit_is_part_of_the_callers_transaction(db):
    with pytest.raises(RuntimeError), session_scope(db.engine) as session:
        record_audit(session, "a@creuse.fr", "edit", "avant l'erreur")
        raise RuntimeError
    with db.engine.connect() as conn:
        assert conn.execute(select(AuditEvent.id)).first() is None


def test_users_commands(run_cli, db):
    assert run_cli("users", "list")[1].strip() == "Aucune adresse ni aucun domaine n'a de rôle."
    code, out, err = run_cli("users", "add", "Premiere.Admin@creuse.fr", "admin", "--user", "dsi")
    assert (code, err) == (0, "")
    assert out.strip() == "premiere.admin@creuse.fr : Administration."
    assert run_cli("users", "add", "@creuse.fr", "chef_de_projet")[0] == 0
    code, out, _ = run_cli("users", "list", "--json")
    assert '"role": "pilotage"' in out and '"granted_by": "dsi"' in out
    assert run_cli("users", "remove", "@creuse.fr")[0] == 0
    code, _, err = run_cli("users", "remove", "@creuse.fr")
    assert code == 1 and err.strip() == "Erreur : « @creuse.fr » n'avait aucun rôle."
    code, _, err = run_cli("users", "add", "x@creuse.fr", "chef")
    assert code == 1 and "Rôle inconnu" in err
    actions = [e.action for e in list_audit(db.engine)]
    assert actions.count("role_granted") == 2 and actions.count("role_revoked") == 1
