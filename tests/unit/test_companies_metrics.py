"""Company indicators on hand-built actions, on SQLite and PostgreSQL.

Period January–June 2024, as-of 30 June 2024.
- Engagements: A on 10 Jan, B on 5 Feb, A again on 1 Mar, C on 2 Jul (after as-of) →
  2 companies engaged; cumulative by month: Jan 1, Feb–Jun 2.
- Immersions: A 3 on 15 Jan, B 2 on 20 Mar, A 5 on 31 Dec 2023 (before the period) → 5.
- Job offers: A 4 on 1 Feb, B 1 on 1 Jul (after the period) → 4.
- Hires: B 1 on 30 Jun (last day, included) → 1.
- Mentoring: none → 0, not secret (companies are not persons).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import insert

from data_access.schema import CompanyAction
from metrics import companies
from metrics.scope import Scope
from metrics.spec import MetricContext

D = dt.date
SCOPE = Scope.build(D(2024, 1, 1), D(2024, 6, 30))
ACTIONS = [
    (D(2024, 1, 10), "A", "engagement", 1),
    (D(2024, 2, 5), "B", "engagement", 1),
    (D(2024, 3, 1), "A", "engagement", 1),
    (D(2024, 7, 2), "C", "engagement", 1),
    (D(2024, 1, 15), "A", "immersion", 3),
    (D(2024, 3, 20), "B", "immersion", 2),
    (D(2023, 12, 31), "A", "immersion", 5),
    (D(2024, 2, 1), "A", "job_offer", 4),
    (D(2024, 7, 1), "B", "job_offer", 1),
    (D(2024, 6, 30), "B", "hire", 1),
]


def load(engine) -> None:
    with engine.begin() as conn:
        conn.execute(
            insert(CompanyAction),
            [
                {"date": day, "company_key": key, "action": action, "count": count}
                for day, key, action, count in ACTIONS
            ],
        )


def test_company_indicators(db) -> None:
    load(db.engine)
    results = companies.compute(MetricContext(db.engine, db.settings, SCOPE))
    assert results["companies_engaged"].value == 2
    assert [r.value for r in results["companies_engaged"].breakdowns["month"]] == [1, 2, 2, 2, 2, 2]
    assert results["immersions"].value == 5
    assert [r.value for r in results["immersions"].breakdowns["month"]] == [3, 0, 2, 0, 0, 0]
    assert results["job_offers"].value == 4
    assert results["hires"].value == 1
    assert results["mentoring"].value == 0
    # Small counts of companies are not masked.
    assert not any(r.suppressed for r in results.values())
    assert results["immersions"].breakdowns["month"][2].label == "mars 2024"


def test_engaged_at_an_earlier_as_of(db) -> None:
    load(db.engine)
    scope = Scope.build(D(2024, 1, 1), D(2024, 6, 30), as_of=D(2024, 2, 4))
    results = companies.compute(MetricContext(db.engine, db.settings, scope))
    # On 4 February only A had engaged.
    assert results["companies_engaged"].value == 1


def test_each_indicator_asked_alone_reads_only_its_own_query(db) -> None:
    """The summary's twelve months ask for the companies engaged alone, twelve times: the
    actions' monthly sums are not read for it, and the actions alone do not read the
    engagements; the figures are those of the whole family."""
    from sqlalchemy import event

    load(db.engine)
    whole = companies.compute(MetricContext(db.engine, db.settings, SCOPE))
    statements: list[str] = []

    def listen(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", listen)
    try:
        engaged = companies.compute(
            MetricContext(db.engine, db.settings, SCOPE, frozenset({"companies_engaged"}))
        )
        assert not [s for s in statements if "sum(company_actions.count)" in s]
        statements.clear()
        hires = companies.compute(
            MetricContext(db.engine, db.settings, SCOPE, frozenset({"hires"}))
        )
        assert not [s for s in statements if "company_key" in s]  # the engagements' queries
    finally:
        event.remove(db.engine, "before_cursor_execute", listen)
    assert engaged == {"companies_engaged": whole["companies_engaged"]}
    assert hires == {"hires": whole["hires"]}
