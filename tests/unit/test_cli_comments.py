"""``pilotage comments``: add a « fait marquant » and list them as of a date, French errors."""

from __future__ import annotations

import datetime as dt

from data_access.audit import list_audit
from data_access.highlights import add_highlight


def test_add_then_list(run_cli, db):
    today = dt.date.today()
    code, out, err = run_cli(
        "comments",
        "add",
        "Panne du SI en mai.",
        "--indicator",
        "convocation_within_15d_rate",
        "--from",
        (today - dt.timedelta(days=30)).isoformat(),
        "--to",
        today.isoformat(),
        "--user",
        "Cheffe CD",
    )
    assert (code, err) == (0, "")
    assert out.startswith("Fait marquant n° 1 enregistré")
    code, out, _ = run_cli("comments", "list")
    assert code == 0
    assert "Panne du SI en mai." in out and "Cheffe CD" in out
    assert "Part des entrants convoqués sous 15 jours" in out
    assert [(e.action, e.detail) for e in list_audit(db.engine)] == [
        ("edit", "fait marquant n° 1 ajouté (convocation_within_15d_rate, ligne de commande)")
    ]


def test_list_as_of_an_earlier_date(run_cli, db):
    add_highlight(
        db.engine,
        "Écrit le 2 juillet.",
        metric_id=None,
        period_start=dt.date(2024, 5, 1),
        period_end=dt.date(2024, 6, 30),
        user="A",
        now=dt.datetime(2024, 7, 2, 9),
    )
    args = ("comments", "list", "--from", "2024-05-01", "--to", "2024-06-30")
    assert "Écrit le 2 juillet." not in run_cli(*args, "--as-of", "2024-06-30")[1]
    assert "Écrit le 2 juillet." in run_cli(*args, "--as-of", "2024-07-02")[1]


def test_unknown_indicator_and_empty_text_are_one_french_line(run_cli):
    code, _, err = run_cli("comments", "add", "x", "--indicator", "inconnu_du_tout")
    assert code == 1
    assert err.startswith("Erreur : Indicateur inconnu « inconnu_du_tout »")
    code, _, err = run_cli("comments", "add", "   ")
    assert (code, err.strip()) == (1, "Erreur : Le commentaire est vide.")
