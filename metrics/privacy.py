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
  can be recomputed from the margins (total minus the visible cells).

This protects persons only. Do not apply it to counts of communes, partner services,
companies, company actions or roadmap steps: those are not persons and hiding them would only
hide the département's own work.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Literal

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


def suppress_table(
    cells: Mapping[tuple[Hashable, Hashable], float | None],
    threshold: int,
    unpublished: Iterable[tuple[Hashable, Hashable]] = (),
) -> set[tuple[Hashable, Hashable]]:
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
    result: MetricResult, threshold: int, size_field: SizeField | None = None
) -> MetricResult:
    """Mask a result and its breakdowns.

    ``size_field`` names where the number of persons sits when it is neither the count nor the
    denominator (a median caseload = persons ÷ referents rests on its numerator, the persons).
    """
    field = size_field or size_field_for(result.unit)
    breakdowns = {
        name: protect_rows(rows, result.unit, threshold, size_field=field)
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
    return replace(result, breakdowns=breakdowns)


def publish(
    spec: IndicatorSpec,
    settings: Settings,
    value: float | None,
    numerator: float | None = None,
    denominator: float | None = None,
    breakdowns: Mapping[str, Iterable[BreakdownRow]] | None = None,
    size_field: SizeField | None = None,
) -> MetricResult:
    """Build the result of one indicator: target, secrecy (if person-based), then status.

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
        result = protect_result(result, settings.secrecy_threshold, size_field)
    status = status_against_target(result.value, target, spec.higher_is_better, result.suppressed)
    return replace(result, status=status)  # type: ignore[arg-type]
