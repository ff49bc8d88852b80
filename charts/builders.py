"""Chart descriptions built from metric results (never from the database).

Each builder takes ``MetricResult`` values already computed (and already passed through
statistical secrecy) and lays them out: bars by UTAS or type, monthly cohorts, trends over
periods, delay curves. Masked values keep their flag so every medium can say so.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence

from charts.description import ChartDescription, ChartKind, Series, slugify
from metrics.results import BreakdownRow, MetricResult, Unit


def _rows_series(name: str, rows: Sequence[BreakdownRow]) -> Series:
    return Series(
        name=name,
        values=tuple(None if row.suppressed else row.value for row in rows),
        suppressed=tuple(row.suppressed for row in rows),
    )


def rounding_of(results: Iterable[MetricResult | None]) -> int | None:
    """The rounding base of the person counts behind a chart (None when all are exact)."""
    bases = [r.rounding for r in results if r is not None and r.rounding]
    return max(bases, default=None)


def breakdown_chart(
    result: MetricResult,
    breakdown: str,
    *,
    title: str,
    x_title: str,
    as_of: dt.date,
    threshold: int,
    kind: ChartKind = "bar",
    series_name: str | None = None,
    with_target: bool = True,
    note: str | None = None,
) -> ChartDescription:
    """One indicator split along one breakdown (« utas », « cohort_month », « type »…)."""
    rows = result.breakdowns.get(breakdown, ())
    return ChartDescription(
        key=slugify(f"{result.id}-{breakdown}"),
        title=title,
        unit=result.unit,
        kind=kind,
        x_title=x_title,
        categories=tuple(row.label for row in rows),
        series=(_rows_series(series_name or title, rows),),
        as_of=as_of,
        threshold=threshold,
        target=result.target if with_target else None,
        note=note,
        rounding=rounding_of([result]),
    )


def trend_chart(
    labels: Sequence[str],
    series: dict[str, Sequence[MetricResult | None]],
    *,
    key: str,
    title: str,
    unit: Unit,
    x_title: str,
    as_of: dt.date,
    threshold: int,
    kind: ChartKind = "line",
    target: float | None = None,
    note: str | None = None,
) -> ChartDescription:
    """Several indicators (or one) over consecutive periods: weeks, months, committees."""
    built = tuple(
        Series(
            name=name,
            values=tuple(None if r is None or r.suppressed else r.value for r in results),
            suppressed=tuple(bool(r and r.suppressed) for r in results),
        )
        for name, results in series.items()
    )
    return ChartDescription(
        key=slugify(key),
        title=title,
        unit=unit,
        kind=kind,
        x_title=x_title,
        categories=tuple(labels),
        series=built,
        as_of=as_of,
        threshold=threshold,
        target=target,
        note=note,
        rounding=rounding_of(r for results in series.values() for r in results),
    )


def comparison_chart(
    labels: Sequence[str],
    current: Sequence[MetricResult | None],
    previous: Sequence[MetricResult | None],
    *,
    key: str,
    title: str,
    unit: Unit,
    current_name: str,
    previous_name: str,
    as_of: dt.date,
    threshold: int,
) -> ChartDescription:
    """Indicators of one unit side by side for two periods (e.g. this committee and the last);
    horizontal bars, because indicator labels are long."""
    return trend_chart(
        labels,
        {previous_name: previous, current_name: current},
        key=key,
        title=title,
        unit=unit,
        x_title="Indicateur",
        as_of=as_of,
        threshold=threshold,
        kind="hbar",
    )


def curve_chart(
    curves: Mapping[str, Sequence[tuple[float, float | None]]],
    *,
    key: str,
    title: str,
    as_of: dt.date,
    threshold: int,
    reference_days: float | None = None,
    target: float | None = None,
    note: str | None = None,
    x_title: str = "Jours depuis l'entrée",
    rounding: int | None = None,
) -> ChartDescription:
    """Kaplan–Meier curves: share of the cohort with the event by day since entry.

    Curves may have different time points; they are laid on the union of days and each curve
    is carried forward (a survival curve is a step function, constant between events).
    """
    days = sorted({t for points in curves.values() for t, _ in points})
    series = []
    for name, points in curves.items():
        lookup = dict(points)
        values: list[float | None] = []
        last: float | None = None
        for day in days:
            if day in lookup:
                last = lookup[day]
            values.append(last)
        series.append(Series(name=name, values=tuple(values)))
    return ChartDescription(
        key=slugify(key),
        title=title,
        unit="ratio",
        kind="step",
        x_title=x_title,
        categories=tuple(days),
        series=tuple(series),
        as_of=as_of,
        threshold=threshold,
        target=target,
        reference_x=reference_days,
        reference_label=f"{reference_days:g} j" if reference_days is not None else None,
        y_title="Part de la cohorte (%)",
        note=note,
        rounding=rounding,
    )


def breakdowns_trend(
    results: dict[str, MetricResult],
    breakdown: str,
    *,
    key: str,
    title: str,
    x_title: str,
    as_of: dt.date,
    threshold: int,
    kind: ChartKind = "line",
    note: str | None = None,
) -> ChartDescription:
    """Several indicators of one unit along the same breakdown (e.g. rates by entry month).

    Categories are the union of the breakdown keys in sorted order (``2024-03`` sorts as time);
    a key missing from one indicator is a gap, not a zero.
    """
    labels: dict[str, str] = {}
    for result in results.values():
        for row in result.breakdowns.get(breakdown, ()):
            labels.setdefault(row.key, row.label)
    keys = sorted(labels)
    series = []
    units = {r.unit for r in results.values()}
    for name, result in results.items():
        rows = {row.key: row for row in result.breakdowns.get(breakdown, ())}
        series.append(
            Series(
                name=name,
                values=tuple(
                    None if k not in rows or rows[k].suppressed else rows[k].value for k in keys
                ),
                suppressed=tuple(k in rows and rows[k].suppressed for k in keys),
            )
        )
    return ChartDescription(
        key=slugify(key),
        title=title,
        unit=units.pop() if len(units) == 1 else "count",
        kind=kind,
        x_title=x_title,
        categories=tuple(labels[k] for k in keys),
        series=tuple(series),
        as_of=as_of,
        threshold=threshold,
        note=note,
        rounding=rounding_of(results.values()),
    )
