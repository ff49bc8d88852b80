"""One French sentence that says what a chart shows, for readers who cannot see it.

The data table under each chart gives every figure; the summary gives the reading a sighted
person takes in at a glance: the highest and lowest bars and those under the target, where a
trend starts and ends, where a delay curve stands at its reference day. Only published values
are named (a masked value is counted, never guessed), so a summary never leaks a secret.
"""

from __future__ import annotations

from collections.abc import Sequence

from charts.description import ChartDescription, Series
from formatting import format_int

MAX_NAMED = 4  # categories or series named in one sentence before « … »
TIME_AXES = {"Mois", "Mois d'entrée", "Semaine", "Comité", "Période", "Date"}


def _names(items: Sequence[str]) -> str:
    """« A, B et C », or the first ones and how many more."""
    items = list(items)
    if len(items) > MAX_NAMED:
        extra = len(items) - MAX_NAMED
        return f"{', '.join(items[:MAX_NAMED])} et {extra} {'autre' if extra == 1 else 'autres'}"
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} et {items[-1]}"


def _published(desc: ChartDescription, serie: Series) -> list[tuple[str, float]]:
    """(category, value) pairs with a published value, in chart order."""
    return [
        (str(category), value)
        for i, (category, value) in enumerate(zip(desc.categories, serie.values, strict=True))
        if value is not None and not serie.masked(i)
    ]


def _masked_count(desc: ChartDescription) -> int:
    return sum(1 for serie in desc.series for i in range(len(serie.values)) if serie.masked(i))


def _masked_sentence(desc: ChartDescription) -> str:
    masked = _masked_count(desc)
    if not masked:
        return ""
    return f" {format_int(masked)} valeur(s) masquée(s) par le secret statistique."


def _is_time_axis(desc: ChartDescription) -> bool:
    return desc.kind in ("line", "step") or desc.x_title in TIME_AXES


def _curve_sentence(desc: ChartDescription) -> str:
    """Delay curves: where each curve stands at the reference day (else at its last day).

    A curve that stops before the reference day says nothing of it: nobody has been followed
    that long yet, and its last point would contradict the mature cohort's card beside it."""
    day = desc.reference_x
    parts = []
    for serie in desc.series[:MAX_NAMED]:
        points = [
            (float(c), v)
            for c, v in zip(desc.categories, serie.values, strict=True)
            if v is not None and isinstance(c, int | float)
        ]
        if day is not None:
            if points and points[-1][0] < day:
                parts.append(
                    f"{serie.name} non mesurable (personne n'a encore été suivi {day:g} jours)"
                )
                continue
            points = [(c, v) for c, v in points if c <= day]
        if points:
            parts.append(f"{serie.name} {desc.format_value(points[-1][1])}")
    if not parts:
        return "Aucune courbe publiée."
    where = f"À {day:g} jours" if day is not None else "À la fin de la période observée"
    extra = len(desc.series) - MAX_NAMED
    more = f" ({extra} autres courbes)" if extra > 0 else ""
    return f"{where} : {', '.join(parts)}{more}."


def _trend_sentence(desc: ChartDescription) -> str:
    """Trends: first and last published value of each series."""
    parts = []
    for serie in desc.series[:MAX_NAMED]:
        points = _published(desc, serie)
        if not points:
            continue
        (first_label, first), (last_label, last) = points[0], points[-1]
        name = f"{serie.name} : " if len(desc.series) > 1 else ""
        if len(points) == 1:
            parts.append(f"{name}{desc.format_value(first)} ({first_label})")
        else:
            parts.append(
                f"{name}de {desc.format_value(first)} ({first_label}) "
                f"à {desc.format_value(last)} ({last_label})"
            )
    if not parts:
        return "Aucune valeur publiée."
    joined = " ; ".join(parts)
    return joined[:1].upper() + joined[1:] + "."


def _ranking_sentence(desc: ChartDescription, serie: Series, prefix: str = "") -> str:
    """Categories: highest, lowest, and those under the target."""
    points = _published(desc, serie)
    if not points:
        return f"{prefix}aucune valeur publiée."
    if len(points) == 1:
        label, value = points[0]
        return f"{prefix}{label} : {desc.format_value(value)}."
    high = max(points, key=lambda p: p[1])
    low = min(points, key=lambda p: p[1])
    sentence = (
        f"{prefix}valeur la plus élevée {high[0]} ({desc.format_value(high[1])}), "
        f"la plus basse {low[0]} ({desc.format_value(low[1])})"
    )
    if desc.target is not None:
        under = [label for label, value in points if value < desc.target]
        target = desc.format_value(desc.target)
        if not under:
            sentence += f" ; aucune sous la cible de {target}"
        elif len(under) == 1:
            sentence += f" ; seule sous la cible de {target} : {under[0]}"
        else:
            sentence += f" ; {len(under)} sur {len(points)} sous la cible de {target} : "
            sentence += _names(under)
    return sentence + "."


def _pair_sentence(desc: ChartDescription) -> str:
    """Two series over the same categories (two periods): each category, before → after."""
    first, second = desc.series
    parts = []
    for i, category in enumerate(desc.categories):
        a, b = first.values[i], second.values[i]
        if a is None and b is None:
            continue
        before = "—" if a is None else desc.format_value(a)
        after = "—" if b is None else desc.format_value(b)
        parts.append(f"{category} {before} → {after}")
    if not parts:
        return "Aucune valeur publiée."
    more = f" et {len(parts) - MAX_NAMED} autres" if len(parts) > MAX_NAMED else ""
    return f"{first.name} → {second.name.lower()} : {' ; '.join(parts[:MAX_NAMED])}{more}."


def chart_summary(desc: ChartDescription) -> str:
    """What the chart shows, in one or two French sentences."""
    if not desc.has_data:
        return "Aucune donnée sur la période."
    if desc.kind == "step":
        text = _curve_sentence(desc)
    elif _is_time_axis(desc):
        text = _trend_sentence(desc)
    elif len(desc.series) == 1:
        text = _ranking_sentence(desc, desc.series[0])
        text = text[:1].upper() + text[1:]
    elif len(desc.series) == 2:
        text = _pair_sentence(desc)
    else:
        text = " ".join(
            _ranking_sentence(desc, serie, prefix=f"{serie.name} : ")
            for serie in desc.series[:MAX_NAMED]
        )
    return text + _masked_sentence(desc)
