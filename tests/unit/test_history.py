"""The grouped month-ends of the summary equal the families measured one date at a time.

A stock read at twelve dates in one query (``metrics/history.py``) must give, at every date,
the value and the masking of its own family computed at that date: the orientation of the
stock, 15 hours of activity and the coverage of each need, for the whole département, a UTAS
and a payer, with a low and a high secrecy threshold. On a small demo, on both engines."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from data_access.demo.generate import generate_demo
from metrics import catalog
from metrics.history import grouped_for, shares_at
from metrics.scope import Scope, Territory
from metrics.spec import MetricContext
from metrics.summary import last_months, month_end
from tests.conftest import make_settings

D = dt.date
AS_OF = D(2025, 6, 20)  # mid-month: the last point is the as-of date itself


def _one_at_a_time(context: MetricContext, metric_id: str, day: dt.date):
    at = replace(context, scope=replace(context.scope, start=day, end=day, as_of=day))
    return catalog.family_for(metric_id).compute(at).get(metric_id)


@pytest.mark.parametrize("threshold", [3, 40])
def test_grouped_month_ends_equal_the_families_date_by_date(db, threshold):
    generate_demo(db.engine, db.settings, scale=900, seed=11, as_of=D(2025, 6, 30))
    settings = make_settings(db.settings.database_url, secrecy_threshold=threshold)
    whole = MetricContext(db.engine, settings, Scope.build(AS_OF, AS_OF))
    categories = sorted(
        metric_id
        for metric_id in catalog.compute_all(whole)
        if metric_id.startswith("coverage_rate_")
    )
    assert categories, "the demo identifies needs"
    ids = ["stock_orientation_rate", "activity_15h_rate", *categories]
    assert all(grouped_for(metric_id) is not None for metric_id in ids)
    days = [min(month_end(month), AS_OF) for month in last_months(AS_OF)]
    utas = next(
        row.key
        for row in catalog.compute_all(whole)["stock_orientation_rate"].breakdowns["utas"]
        if row.key
    )
    checked = masked = 0
    for scope in (
        whole.scope,
        replace(whole.scope, territory=Territory("utas", str(utas))),
        replace(whole.scope, payer="caf"),
    ):
        context = replace(whole, scope=scope)
        for metric_id in ids:
            grouped = shares_at(context, metric_id, days)
            assert grouped is not None
            for day, result in zip(days, grouped, strict=True):
                alone = _one_at_a_time(context, metric_id, day)
                expected = (None, False) if alone is None else (alone.value, alone.suppressed)
                assert (result.value, result.suppressed) == expected, (metric_id, scope, day)
                checked += 1
                masked += result.suppressed
    assert checked == 3 * len(ids) * 12
    if threshold == 40:
        assert masked, "a high threshold masks some months of a UTAS"
