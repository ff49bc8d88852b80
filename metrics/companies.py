"""Company mobilisation: companies engaged and what they do (immersions, offers, hires, mentoring).

Why: the roadmap asks to « mobiliser les entreprises ». These figures count companies and their
actions, not persons, so statistical secrecy does not apply (``person_based=False``). Company
actions carry no commune: the territory and payer of the scope do not filter them.

- ``companies_engaged``: distinct companies with an ``engagement`` dated on or before the as-of
  date (cumulative); its monthly series is the cumulative count at the end of each month of
  the period.
- ``immersions``, ``job_offers``, ``hires``, ``mentoring``: sum of ``count`` of the actions of
  that kind dated in the period, with the monthly sums.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, func, select

from data_access.schema import CompanyAction
from metrics.population import month_label
from metrics.privacy import publish
from metrics.results import BreakdownRow, MetricResult
from metrics.scope import Scope
from metrics.spec import Family, IndicatorSpec, MetricContext
from metrics.sql import date_value, month_bucket

COMPANIES_ENGAGED = IndicatorSpec(
    id="companies_engaged",
    label="Entreprises engagées",
    definition=(
        "Nombre d'entreprises distinctes ayant pris un engagement (« les entreprises "
        "s'engagent ») au plus tard à la date d'observation, en cumul."
    ),
    formula="entreprises distinctes avec un engagement daté ≤ date d'observation",
    unit="count",
    person_based=False,
    breakdowns=("month",),
)
ACTION_SPECS = {
    "immersion": IndicatorSpec(
        id="immersions",
        label="Immersions en entreprise (PMSMP)",
        definition="Nombre d'immersions (PMSMP) accueillies par les entreprises sur la période.",
        formula="somme des immersions datées dans la période",
        unit="count",
        person_based=False,
        breakdowns=("month",),
    ),
    "job_offer": IndicatorSpec(
        id="job_offers",
        label="Offres d'emploi publiées",
        definition="Nombre d'offres d'emploi publiées par les entreprises sur la période.",
        formula="somme des offres datées dans la période",
        unit="count",
        person_based=False,
        breakdowns=("month",),
    ),
    "hire": IndicatorSpec(
        id="hires",
        label="Recrutements",
        definition="Nombre de recrutements de bénéficiaires déclarés par les entreprises.",
        formula="somme des recrutements datés dans la période",
        unit="count",
        person_based=False,
        breakdowns=("month",),
    ),
    "mentoring": IndicatorSpec(
        id="mentoring",
        label="Parrainages",
        definition="Nombre de parrainages (mentorat) proposés par les entreprises sur la période.",
        formula="somme des parrainages datés dans la période",
        unit="count",
        person_based=False,
        breakdowns=("month",),
    ),
}


def months_of(scope: Scope) -> list[str]:
    """Every month the period touches, as ``YYYY-MM`` keys, in order."""
    months = []
    year, month = scope.start.year, scope.start.month
    while (year, month) <= (scope.end.year, scope.end.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def monthly_sums(engine: Engine, scope: Scope) -> dict[str, dict[str, int]]:
    """Sum of ``count`` per action kind and month of the period (one grouped query)."""
    month = month_bucket(CompanyAction.date).label("month")
    query = (
        select(CompanyAction.action, month, func.sum(CompanyAction.count).label("total"))
        .where(
            CompanyAction.date >= date_value(scope.start),
            CompanyAction.date <= date_value(scope.end),
        )
        .group_by(CompanyAction.action, month)
    )
    sums: dict[str, dict[str, int]] = {}
    with engine.connect() as conn:
        for row in conn.execute(query):
            sums.setdefault(row.action, {})[row.month] = int(row.total or 0)
    return sums


def first_engagements(engine: Engine, until: dt.date) -> dict[str, int]:
    """New engaged companies per month of their first engagement, up to ``until``."""
    first = (
        select(func.min(CompanyAction.date).label("first_date"))
        .where(CompanyAction.action == "engagement", CompanyAction.date <= date_value(until))
        .group_by(CompanyAction.company_key)
        .subquery("first")
    )
    month = month_bucket(first.c.first_date).label("month")
    query = select(month, func.count().label("companies")).group_by(month)
    with engine.connect() as conn:
        return {row.month: int(row.companies) for row in conn.execute(query)}


def engaged_series(engine: Engine, scope: Scope) -> tuple[int, list[BreakdownRow]]:
    """Companies engaged at as-of, and the cumulative count at the end of each month."""
    last = max(scope.as_of, scope.end)
    new_by_month = first_engagements(engine, last)
    with engine.connect() as conn:
        as_of_total = conn.execute(
            select(func.count(func.distinct(CompanyAction.company_key))).where(
                CompanyAction.action == "engagement",
                CompanyAction.date <= date_value(scope.as_of),
            )
        ).scalar_one()
    rows = []
    for month in months_of(scope):
        cumulative = sum(n for key, n in new_by_month.items() if key <= month)
        rows.append(BreakdownRow(month, month_label(month), cumulative))
    return int(as_of_total), rows


def compute(context: MetricContext) -> dict[str, MetricResult]:
    """The five company indicators with their monthly series; each query only when one of its
    indicators is asked (the summary's twelve months ask for the companies engaged alone)."""
    engine, settings, scope = context.engine, context.settings, context.scope
    results = {}
    if context.wants(COMPANIES_ENGAGED.id):
        engaged, series = engaged_series(engine, scope)
        results[COMPANIES_ENGAGED.id] = publish(
            COMPANIES_ENGAGED, settings, engaged, breakdowns={"month": series}
        )
    asked = {action: spec for action, spec in ACTION_SPECS.items() if context.wants(spec.id)}
    if not asked:
        return results
    sums = monthly_sums(engine, scope)
    months = months_of(scope)
    for action, spec in asked.items():
        by_month = sums.get(action, {})
        rows = [BreakdownRow(key, month_label(key), by_month.get(key, 0)) for key in months]
        results[spec.id] = publish(
            spec, settings, sum(by_month.values()), breakdowns={"month": rows}
        )
    return results


FAMILY = Family(
    name="companies",
    label="Mobilisation des entreprises",
    indicators=(COMPANIES_ENGAGED, *ACTION_SPECS.values()),
    compute=compute,
)
