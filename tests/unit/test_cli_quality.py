"""``pilotage quality --as-of``: freshness measured at a chosen date, not only today."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import insert

from data_access.schema import ImportRun


def _one_bundle_import(db) -> None:
    with db.engine.begin() as conn:
        conn.execute(
            insert(ImportRun),
            [
                {
                    "source": "bundle",
                    "file_name": "lot.zip",
                    "started_at": dt.datetime(2024, 3, 1, 9),
                    "finished_at": dt.datetime(2024, 3, 1, 9, 5),
                    "status": "success",
                }
            ],
        )


def test_freshness_at_the_given_date(db, run_cli):
    _one_bundle_import(db)
    # Imported on 1 March: on 5 March it is 4 days old (fresh), on 25 March 24 days (stale,
    # threshold 7 days by default).
    for as_of, days, stale in (("2024-03-05", 4, False), ("2024-03-25", 24, True)):
        code, out, err = run_cli("quality", "--json", "--as-of", as_of)
        assert code == 0, err
        data = json.loads(out)
        assert data["as_of"] == as_of
        bundle = next(f for f in data["freshness"] if f["source"] == "bundle")
        assert (bundle["days"], bundle["stale"]) == (days, stale)


def test_bad_as_of_is_one_french_line(db, run_cli):
    code, _, err = run_cli("quality", "--as-of", "25/03/2024")
    assert code == 1
    assert (
        err == "Erreur : Date invalide pour --as-of : « 25/03/2024 » (format attendu AAAA-MM-JJ).\n"
    )
