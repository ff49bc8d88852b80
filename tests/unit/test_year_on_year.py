"""Year on year: a period compared with the same period one year earlier (not only with the
period of the same length just before), on the scope, the committee gathering and its table.

Committee on 30 June 2024 (no previous committee: 1 May – 30 June 2024). Entrants (Guéret):
May–June 2024: 3; May–June 2023: 2; March–April 2024: 4 (the previous period, −1).
Same period one year earlier: 1 May – 30 June 2023, seen at 30 June 2023 → 2 entrants, +1.
"""

from __future__ import annotations

import datetime as dt

import pytest

from charts.committee import headline_rows
from metrics.committee import gather_committee, year_before_period
from metrics.scope import Scope, Territory
from tests.conftest import make_settings
from tests.unit.metrics_data import Dataset

D = dt.date


@pytest.mark.parametrize(
    ("start", "end", "as_of", "want"),
    [
        # a month seen ten days after its end: the same month and the same ten days
        (
            D(2024, 3, 1),
            D(2024, 3, 31),
            D(2024, 4, 10),
            (D(2023, 3, 1), D(2023, 3, 31), D(2023, 4, 10)),
        ),
        # a leap February: the whole February before, to its last day
        (
            D(2024, 2, 1),
            D(2024, 2, 29),
            D(2024, 2, 29),
            (D(2023, 2, 1), D(2023, 2, 28), D(2023, 2, 28)),
        ),
        # a period from 29 February: from 28 February
        (
            D(2024, 2, 29),
            D(2024, 3, 15),
            D(2024, 3, 15),
            (D(2023, 2, 28), D(2023, 3, 15), D(2023, 3, 15)),
        ),
        (
            D(2024, 6, 24),
            D(2024, 6, 30),
            D(2024, 6, 30),
            (D(2023, 6, 24), D(2023, 6, 30), D(2023, 6, 30)),
        ),
    ],
)
def test_same_period_one_year_earlier(start, end, as_of, want):
    scope = Scope(start, end, as_of, Territory("utas", "Guéret"), "caf")
    before = scope.year_before()
    assert (before.start, before.end, before.as_of) == want
    assert before.territory == scope.territory and before.payer == "caf"


def test_no_year_on_year_before_the_launch():
    assert year_before_period(Scope.build(D(2024, 1, 1), D(2024, 1, 31))) is None
    assert year_before_period(Scope.build(D(2024, 3, 1), D(2024, 3, 31))) == Scope.build(
        D(2023, 3, 1), D(2023, 3, 31)
    )


def test_committee_table_shows_both_comparisons(db):
    data = Dataset()
    for entry in (
        "2024-05-03",
        "2024-05-20",
        "2024-06-10",
        "2023-05-15",
        "2023-06-01",
        "2024-03-05",
        "2024-03-20",
        "2024-04-02",
        "2024-04-10",
    ):
        data.person(entry)
    data.save(db.engine)
    settings = make_settings(db.settings.database_url, secrecy_threshold=2)
    committee = gather_committee(db.engine, settings, D(2024, 6, 30))
    assert committee.year_before_scope == Scope.build(D(2023, 5, 1), D(2023, 6, 30))
    assert committee.year_before["entrants"].value == 2
    assert committee.previous["entrants"].value == 4
    assert committee.year_before_text == "du 1er mai 2023 au 30 juin 2023"
    row = next(r for r in headline_rows(committee) if r.metric_id == "entrants")
    assert (row.previous, row.year_before, row.current) == ("4", "2", "3")
    assert (row.change, row.year_change) == ("−1", "+1")
