"""Statistical secrecy: nothing computed over persons leaves ``metrics/`` without it.

Why: the dashboard is shown to a committee and exported to slides; a count of 3 persons in a
small UTAS, or a rate over 4 persons, can point at someone the room knows. So, as the French
practice for fiscal and health data does:

- a count of persons from 1 to ``threshold − 1`` is masked (threshold from
  ``settings.secrecy_threshold``, default 11, hence 1–10 masked);
- a rate or a delay whose denominator (or cohort) is below the threshold is masked;
- zero is not secret (an empty group discloses no one);
- a masked figure is ``None`` with ``suppressed = True``, never a silent zero, so charts and
  exports can say « secret » instead of showing a false 0;
- in a table with totals, **secondary suppression** masks more cells so that no masked cell
  can be recomputed from the margins (total minus the visible cells);
- every published count of persons (a count, the numerator and denominator of a rate or a
  delay, in the total and in every breakdown row) is **rounded up** to the top of its band of
  ``settings.secrecy_rounding`` values (default 5), the bands aligned on the threshold
  (11–15 → 15, 57 → 60), and the figure says so (``rounding``).

Why rounding rather than more suppression: the scope is free (any payer, any period to the
day, any UTAS, EPCI or commune), so neighbouring scopes cannot all be known in advance. With
exact figures, all payers − CAF gives the masked MSA count, [1 Jan, 31 Mar] − [1 Jan, 30 Mar]
gives one day's entrants, the département minus the other UTAS gives a masked UTAS. Suppressing
the complements would need every neighbouring scope at once and cascade across territories
that do not nest (UTAS and EPCI). Rounding works figure by figure: a published count stands
for a whole band of ``base`` counts, so the difference of two of them is only known within
± (base − 1) (± 4 for base 5) and never pins a masked count down — whichever two scopes are
subtracted, and even when several such differences aim at the same count, at least four values
stay possible, because every band has the same width and the same alignment. (A total minus
several rounded parts is known within a wider interval, whose lower end can fall so that the
fact « a masked count is at least 1 » leaves only a few values: independent rounding cannot
exclude that in every case; the differencing test on the demo finds no count pinned down.)
That is why the bands
start at the threshold: rounded to the nearest multiple of 5, « 10 » would mean 11 or 12 only
(1–10 being masked), a band of two. The rounding is deterministic (same figure, same rounded
value), so asking again teaches nothing.

A rate stays consistent with what is shown beside it: a plain share is recomputed from its
rounded numerator and denominator; a Kaplan–Meier share, which is not numerator ÷ denominator,
is put on the same footing (the persons it implies, rounded, over the rounded cohort), so that
an exact rate cannot give the exact denominator back. Mean delays are published to a tenth of
a day for the same reason (an exact mean times a candidate cohort size gives an integer only
for the true size).

This protects persons only. Do not apply it to counts of communes, partner services,
companies, company actions or roadmap steps: those are not persons and hiding them would only
hide the département's own work.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Literal, TypeVar

from metrics.results import BreakdownRow, MetricResult, Unit
from metrics.spec import IndicatorSpec, status_against_target
from settings import Settings


def is_secret(size: float | None, threshold: int) -> bool:
    """True when a group of ``size`` persons is too small to publish (1 … threshold − 1).

    ``None`` (no data) and zero are not secret.
    """
    return size is not None and 0 < size < threshold


def secondary_line(
    sizes: Sequence[float | None], masked: Sequence[bool], threshold: int
) -> list[bool]:
    """Extend the masked cells of one line whose total is published, so none can be recomputed.

    A line is safe when it has no masked cell, or at least two masked cells whose sum (which a
    reader gets as total minus the visible cells) is itself not a small group. Otherwise the
    smallest visible cell is masked too, repeatedly: the cells that cost the least information.
    Positive cells are preferred because masking a zero does not widen the sum; a zero is taken
    only when it is the last way to hide a lone masked cell.
    """
    result = list(masked)
    while True:
        hidden = [i for i, flag in enumerate(result) if flag]
        if not hidden:
            return result
        hidden_sum = sum(sizes[i] or 0 for i in hidden)
        if len(hidden) >= 2 and not is_secret(hidden_sum, threshold):
            return result
        visible = [i for i, flag in enumerate(result) if not flag and sizes[i] is not None]
        positive = [i for i in visible if (sizes[i] or 0) > 0]
        if positive:
            pick = min(positive, key=lambda i: (sizes[i], i))
        elif len(hidden) == 1 and visible:
            pick = visible[0]
        else:
            return result
        result[pick] = True


def suppress_line(
    sizes: Sequence[float | None], threshold: int, with_total: bool = True
) -> list[bool]:
    """Primary then (when a total is published) secondary suppression of one line of sizes."""
    masked = [is_secret(size, threshold) for size in sizes]
    return secondary_line(sizes, masked, threshold) if with_total else masked


RowKey = TypeVar("RowKey", bound=Hashable)
ColumnKey = TypeVar("ColumnKey", bound=Hashable)


def suppress_table(
    cells: Mapping[tuple[RowKey, ColumnKey], float | None],
    threshold: int,
    unpublished: Iterable[tuple[RowKey, ColumnKey]] = (),
) -> set[tuple[RowKey, ColumnKey]]:
    """Masked cells of a two-way table of person counts published with row and column totals.

    Primary suppression first, then the one-line rule applied to every row and every column in
    turn until nothing changes: masking a cell to protect its row may leave its column with a
    lone masked cell, which the next pass fixes. Returns the keys of the masked cells.

    ``unpublished`` cells are never shown yet follow from the totals (a group with no
    indicator of its own, e.g. appointments whose booking mode is unknown): a non-empty one
    counts as masked from the start, so the visible cells of its line cannot give it away.
    """
    masked = {key for key, size in cells.items() if is_secret(size, threshold)}
    masked |= {key for key in unpublished if key in cells and (cells[key] or 0) > 0}
    rows = sorted({key[0] for key in cells}, key=str)
    cols = sorted({key[1] for key in cells}, key=str)
    lines = [[(r, c) for c in cols if (r, c) in cells] for r in rows]
    lines += [[(r, c) for r in rows if (r, c) in cells] for c in cols]
    changed = True
    while changed:
        changed = False
        for line in lines:
            flags = secondary_line(
                [cells[key] for key in line], [key in masked for key in line], threshold
            )
            for key, flag in zip(line, flags, strict=True):
                if flag and key not in masked:
                    masked.add(key)
                    changed = True
    return masked


SizeField = Literal["value", "numerator", "denominator"]


def size_field_for(unit: Unit) -> SizeField:
    """Where the number of persons behind a figure sits: a count is its own size, a rate or a
    delay rests on its denominator (the cohort)."""
    return "value" if unit == "count" else "denominator"


def group_size(figure: MetricResult | BreakdownRow, field: SizeField) -> float | None:
    """The number of persons a figure rests on."""
    return getattr(figure, field)


def round_count(count: float | None, base: int, threshold: int = 1) -> float | None:
    """``count`` rounded up to the top of its band of ``base`` values; None stays None.

    The bands are aligned on the secrecy threshold, so that the first published band starts
    exactly at it: with threshold 11 and base 5, 1–5 → 5, 6–10 → 10, 11–15 → 15, 16–20 → 20
    (the next multiple of 5). Every band holds ``base`` possible counts, the first published
    one included: with rounding to the nearest multiple instead, « 10 » would mean 11 or 12
    only (8 to 10 being masked), and two such figures would pin a masked count down.
    Zero stays zero (an empty group is public); a fraction (persons implied by a
    Kaplan–Meier share) is first rounded to a whole person.
    """
    if count is None or base <= 1:
        return count
    persons = round(count)
    if persons <= 0:
        return 0.0
    anchor = (threshold - 1) % base
    return float(anchor + base * math.ceil((persons - anchor) / base))


def person_fields_for(field: SizeField) -> tuple[SizeField, ...]:
    """Which figures count persons: a count itself (and its parts), both terms of a rate or a
    delay (events and cohort), or the persons of a caseload (not its referents)."""
    if field == "value":
        return ("value", "numerator", "denominator")
    if field == "denominator":
        return ("numerator", "denominator")
    return ("numerator",)


def _is_plain_share(value: float, numerator: float | None, denominator: float | None) -> bool:
    if numerator is None or not denominator:
        return False
    return math.isclose(value, numerator / denominator, rel_tol=1e-9, abs_tol=1e-12)


F = TypeVar("F", MetricResult, BreakdownRow)


def round_figure(
    figure: F, unit: Unit, fields: Sequence[SizeField], base: int, threshold: int = 1
) -> F:
    """The figure with its person counts rounded to ``base`` and its value made consistent.

    A masked figure is left as it is (nothing to round). A rate equal to numerator ÷
    denominator is recomputed from the rounded terms; another rate (Kaplan–Meier) becomes the
    rounded number of persons it implies over the rounded denominator. A delay is given to a
    tenth of a day.
    """
    if figure.suppressed or base <= 1:
        return figure
    exact: dict[str, float | None] = {
        name: getattr(figure, name) for name in ("value", "numerator", "denominator")
    }
    shown: dict[str, float | None] = {
        name: round_count(exact[name], base, threshold) if name in fields else exact[name]
        for name in exact
    }
    value = exact["value"]
    if unit == "ratio" and value is not None and "denominator" in fields:
        if _is_plain_share(value, exact["numerator"], exact["denominator"]):
            numerator, denominator = shown["numerator"], shown["denominator"]
            value = numerator / denominator if numerator is not None and denominator else None
        elif exact["denominator"]:
            implied = round_count(value * exact["denominator"], base, threshold) or 0.0
            denominator = shown["denominator"]
            value = implied / denominator if denominator else None
    elif unit == "days" and value is not None:
        value = round(value, 1)
    else:
        value = shown["value"]
    return replace(
        figure,
        value=value,
        numerator=shown["numerator"],
        denominator=shown["denominator"],
        rounding=base,
    )


def masked_row(row: BreakdownRow) -> BreakdownRow:
    """The row with its figures removed and flagged secret."""
    return replace(row, value=None, numerator=None, denominator=None, suppressed=True)


def protect_rows(
    rows: Iterable[BreakdownRow],
    unit: Unit,
    threshold: int,
    with_total: bool = True,
    size_field: SizeField | None = None,
) -> tuple[BreakdownRow, ...]:
    """Mask the rows of one breakdown (primary, then secondary since results carry a total)."""
    rows = tuple(rows)
    field = size_field or size_field_for(unit)
    sizes = [group_size(row, field) for row in rows]
    flags = suppress_line(sizes, threshold, with_total)
    return tuple(
        masked_row(row) if flag or row.suppressed else row
        for row, flag in zip(rows, flags, strict=True)
    )


def mask_result(result: MetricResult) -> MetricResult:
    """The result and every breakdown row masked: an indicator that would let a reader
    recompute a masked figure of another one (a sub-indicator equal to a masked row)."""
    return replace(
        result,
        value=None,
        numerator=None,
        denominator=None,
        suppressed=True,
        status="secret",
        breakdowns={
            name: tuple(masked_row(row) for row in rows) for name, rows in result.breakdowns.items()
        },
    )


def protect_result(
    result: MetricResult,
    threshold: int,
    size_field: SizeField | None = None,
    rounding: int = 1,
    person_fields: Sequence[SizeField] | None = None,
) -> MetricResult:
    """Mask a result and its breakdowns (on the exact sizes), then round what is published.

    ``size_field`` names where the number of persons sits when it is neither the count nor the
    denominator (a median caseload = persons ÷ referents rests on its numerator, the persons).
    ``person_fields`` names the figures that count persons when the default for ``size_field``
    is wrong (a capacity per person in need: places ÷ persons, only the persons are rounded).
    """
    field = size_field or size_field_for(result.unit)
    fields = tuple(person_fields or person_fields_for(field))
    breakdowns = {
        name: tuple(
            round_figure(row, result.unit, fields, rounding, threshold)
            for row in protect_rows(rows, result.unit, threshold, size_field=field)
        )
        for name, rows in result.breakdowns.items()
    }
    if is_secret(group_size(result, field), threshold) or result.suppressed:
        return replace(
            result,
            value=None,
            numerator=None,
            denominator=None,
            suppressed=True,
            status="secret",
            breakdowns=breakdowns,
        )
    return round_figure(
        replace(result, breakdowns=breakdowns), result.unit, fields, rounding, threshold
    )


def publish(
    spec: IndicatorSpec,
    settings: Settings,
    value: float | None,
    numerator: float | None = None,
    denominator: float | None = None,
    breakdowns: Mapping[str, Iterable[BreakdownRow]] | None = None,
    size_field: SizeField | None = None,
    person_fields: Sequence[SizeField] | None = None,
) -> MetricResult:
    """Build the result of one indicator: target, secrecy and rounding (if person-based), then
    status (on the published value, so the verdict matches what is shown).

    Family modules call this for every indicator so that no figure skips secrecy.
    """
    target = spec.target_for(settings)
    result = MetricResult(
        id=spec.id,
        value=value,
        unit=spec.unit,
        numerator=numerator,
        denominator=denominator,
        target=target,
        breakdowns={name: tuple(rows) for name, rows in (breakdowns or {}).items()},
    )
    if spec.person_based:
        result = protect_result(
            result,
            settings.secrecy_threshold,
            size_field,
            settings.secrecy_rounding,
            person_fields,
        )
    status = status_against_target(result.value, target, spec.higher_is_better, result.suppressed)
    return replace(result, status=status)  # type: ignore[arg-type]
