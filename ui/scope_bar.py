"""The scope bar shared by every page: period, as-of date, territory and payer.

The choices live in the URL query parameters (``periode``, ``du``, ``au``, ``au_jour``,
``niveau``, ``territoire``, ``payeur``), so a link opens the same view, and in a session mirror,
so moving between pages keeps them. ``scope_bar`` returns the ``metrics.scope.Scope`` every
metric takes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import streamlit as st

from data_access.snapshots import last_committee_date
from data_access.territories import list_territories
from formatting import format_date
from metrics.committee import LAUNCH_DATE, deck_scope, two_months_before
from metrics.scope import Scope, Territory
from ui.context import AppContext

PRESETS = {
    "mois_complet": "Dernier mois complet",
    "comite": "Depuis le dernier comité",
    "7j": "7 derniers jours",
    "mois": "Mois en cours",
    "lancement": "Depuis le lancement",
    "perso": "Personnalisé",
}
# The landing period: the last complete month, what a weekly point or a committee reads; never
# a one-day « mois en cours » on the 1st of a month.
DEFAULT_PRESET = "mois_complet"
LEVELS = {
    "departement": "Département",
    "utas": "UTAS",
    "epci": "EPCI",
    "commune": "Commune",
}
PAYERS = {"": "Tous", "caf": "CAF", "msa": "MSA"}
_MIRROR = "scope_mirror"
_PARAMS = ("periode", "du", "au", "au_jour", "niveau", "territoire", "payeur")


@dataclass(frozen=True)
class ScopeChoice:
    """What the bar shows, as plain values (the query parameters, parsed)."""

    preset: str
    start: dt.date | None
    end: dt.date | None
    as_of: dt.date
    level: str
    territory: str
    payer: str


def preset_period(
    preset: str, as_of: dt.date, last_committee: dt.date | None
) -> tuple[dt.date, dt.date]:
    """The period a preset means at a given as-of date (the custom preset is not resolved here)."""
    if preset == "7j":
        return as_of - dt.timedelta(days=6), as_of
    if preset == "mois_complet":
        next_day = as_of + dt.timedelta(days=1)
        end = as_of if next_day.day == 1 else as_of.replace(day=1) - dt.timedelta(days=1)
        return end.replace(day=1), end
    if preset == "mois":
        return as_of.replace(day=1), as_of
    if preset == "comite":
        if last_committee is not None and last_committee < as_of:
            return last_committee + dt.timedelta(days=1), as_of
        return two_months_before(as_of) + dt.timedelta(days=1), as_of
    if preset == "lancement":
        return min(LAUNCH_DATE, as_of), as_of
    raise ValueError(preset)


def period_phrase(start: dt.date, end: dt.date) -> str:
    """« du 1er au 30 novembre 2026 », « du 25 novembre au 1er décembre 2026 »."""
    if start == end:
        return f"le {format_date(start)}"
    if start.year != end.year:
        return f"du {format_date(start)} au {format_date(end)}"
    first = format_date(start).removesuffix(f" {start.year}")
    if start.month == end.month:
        first = first.split(" ")[0]
    return f"du {first} au {format_date(end)}"


def preset_label(
    preset: str, as_of: dt.date, last_committee: dt.date | None, custom: tuple | None = None
) -> str:
    """The preset's name with the dates it means at ``as_of``: « Dernier mois complet (du 1er
    au 30 novembre 2026) »."""
    if preset == "perso":
        if custom and len(custom) == 2 and all(custom):
            return f"{PRESETS[preset]} ({period_phrase(*custom)})"
        return PRESETS[preset]
    start, end = preset_period(preset, as_of, last_committee)
    return f"{PRESETS[preset]} ({period_phrase(start, end)})"


def _parse_date(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


def read_choice(params: dict[str, str], today: dt.date) -> ScopeChoice:
    """Parse query parameters, ignoring unknown or malformed values (defaults instead)."""
    preset = params.get("periode", DEFAULT_PRESET)
    level = params.get("niveau", "departement")
    payer = params.get("payeur", "")
    return ScopeChoice(
        preset=preset if preset in PRESETS else DEFAULT_PRESET,
        start=_parse_date(params.get("du")),
        end=_parse_date(params.get("au")),
        as_of=_parse_date(params.get("au_jour")) or today,
        level=level if level in LEVELS else "departement",
        territory=params.get("territoire", "") if level in LEVELS else "",
        payer=payer if payer in PAYERS else "",
    )


def choice_params(choice: ScopeChoice) -> dict[str, str]:
    """The query parameters of a choice (only what differs from the defaults)."""
    params = {"periode": choice.preset, "au_jour": choice.as_of.isoformat()}
    if choice.preset == "perso" and choice.start and choice.end:
        params["du"] = choice.start.isoformat()
        params["au"] = choice.end.isoformat()
    if choice.level != "departement" and choice.territory:
        params["niveau"] = choice.level
        params["territoire"] = choice.territory
    if choice.payer:
        params["payeur"] = choice.payer
    return params


def build_scope(choice: ScopeChoice, last_committee: dt.date | None) -> Scope:
    """The Scope of a choice; a custom period ending after the as-of date is cut at as-of."""
    if choice.preset == "perso":
        end = min(choice.end or choice.as_of, choice.as_of)
        start = min(choice.start or choice.as_of.replace(day=1), end)
    else:
        start, end = preset_period(choice.preset, choice.as_of, last_committee)
    territory = (
        Territory(choice.level, choice.territory)
        if choice.level != "departement" and choice.territory
        else None
    )
    return Scope(
        start=start, end=end, as_of=choice.as_of, territory=territory, payer=choice.payer or None
    )


def describe_scope(scope: Scope, territory_label: str | None = None) -> str:
    """« Du 1 mars 2024 au 12 mars 2024 · données au 12 mars 2024 · UTAS Guéret · CAF »."""
    parts = [f"Du {format_date(scope.start)} au {format_date(scope.end)}"]
    if scope.as_of != scope.end:
        parts.append(f"données au {format_date(scope.as_of)}")
    parts.append(territory_label or "tout le département")
    if scope.payer:
        parts.append(PAYERS[scope.payer])
    return " · ".join(parts)


@st.cache_data(show_spinner=False, ttl=600)
def _territories(database_url: str, _context: AppContext) -> dict[str, list[tuple[str, str]]]:
    return list_territories(_context.engine)


def _widget_values(choice: ScopeChoice) -> dict[str, object]:
    return {
        "scope_preset": choice.preset,
        "scope_as_of": choice.as_of,
        "scope_level": choice.level,
        "scope_territory": choice.territory or None,
        "scope_payer": choice.payer,
        "scope_custom": (
            choice.start or choice.as_of.replace(day=1),
            choice.end or choice.as_of,
        ),
    }


def _sync_widgets(today: dt.date) -> None:
    """Give the widgets their values before they are drawn.

    A URL that differs from what this session last wrote (a shared link, a bookmark) sets
    every widget. Otherwise each widget keeps its state, re-assigned so that Streamlit does
    not drop it when the person moves to another page; a widget without state takes the
    session's last choice (or the defaults).
    """
    params = {k: st.query_params[k] for k in _PARAMS if k in st.query_params}
    mirror = st.session_state.get(_MIRROR)
    if params and (not isinstance(mirror, ScopeChoice) or params != choice_params(mirror)):
        st.session_state.update(_widget_values(read_choice(params, today)))
        return
    base = mirror if isinstance(mirror, ScopeChoice) else read_choice({}, today)
    for key, value in _widget_values(base).items():
        st.session_state[key] = st.session_state.get(key, value)


def scope_bar(context: AppContext, *, today: dt.date | None = None) -> Scope:
    """Draw the scope bar in the sidebar and return the chosen Scope."""
    today = today or dt.date.today()
    _sync_widgets(today)
    territories = _territories(context.settings.database_url, context)
    bar = st.sidebar
    # Bold text, not a heading: the sidebar comes before the page's h1 in the document.
    bar.markdown("**Périmètre**")
    as_of = bar.date_input("Données au", key="scope_as_of", format="DD/MM/YYYY")
    # each preset says its dates: the last committee of the scope being chosen
    drawn_level = st.session_state.get("scope_level", "departement")
    drawn_territory = st.session_state.get("scope_territory") or ""
    drawn_scope = deck_scope(
        Territory(drawn_level, drawn_territory)
        if drawn_level != "departement" and drawn_territory
        else None,
        st.session_state.get("scope_payer") or None,
    )
    committee = last_committee_date(context.engine, as_of, drawn_scope)
    custom = st.session_state.get("scope_custom")
    preset = bar.selectbox(
        "Période",
        list(PRESETS),
        format_func=lambda key: preset_label(key, as_of, committee, custom),
        key="scope_preset",
    )
    start = end = None
    if preset == "perso":
        picked = bar.date_input("Du … au …", key="scope_custom", format="DD/MM/YYYY")
        if isinstance(picked, tuple) and len(picked) == 2:
            start, end = picked
    level = bar.selectbox(
        "Territoire", list(LEVELS), format_func=LEVELS.__getitem__, key="scope_level"
    )
    territory = ""
    territory_label = None
    if level != "departement":
        options: dict[str, str] = dict(territories.get(level, []))
        if st.session_state.get("scope_territory") not in options:
            st.session_state["scope_territory"] = next(iter(options), None)
        territory = (
            bar.selectbox(
                LEVELS[level], list(options), format_func=options.__getitem__, key="scope_territory"
            )
            or ""
        )
        territory_label = options.get(territory)
    payer = bar.selectbox("Payeur", list(PAYERS), format_func=PAYERS.__getitem__, key="scope_payer")
    choice = ScopeChoice(preset, start, end, as_of, level, territory, payer)
    st.session_state[_MIRROR] = choice
    params = choice_params(choice)
    if {k: st.query_params.get(k) for k in _PARAMS if k in st.query_params} != params:
        st.query_params.from_dict(params)
    # a deck exported for another territory or payer is not this scope's last committee
    same_scope = deck_scope(build_scope(choice, None).territory, choice.payer)
    last = last_committee_date(context.engine, as_of, same_scope) if preset == "comite" else None
    scope = build_scope(choice, last)
    st.session_state["scope_label"] = describe_scope(scope, territory_label)
    st.session_state["scope_territory_label"] = territory_label
    bar.caption(f"Période : {period_phrase(scope.start, scope.end)}")
    if preset == "comite":
        bar.caption(
            f"Dernier comité : {format_date(last)}"
            if last
            else "Aucun comité enregistré : deux derniers mois."
        )
    return scope


_WIDGET_KEYS = (
    "scope_preset",
    "scope_as_of",
    "scope_level",
    "scope_territory",
    "scope_payer",
    "scope_custom",
)


def keep_scope() -> str:
    """On a page without the scope bar: keep the scope for the next page and in the URL.

    Streamlit forgets the state of widgets a run does not draw, and a page switch drops the
    query parameters: without this, the territory fell back to the first UTAS after a visit to
    « Méthodologie ». Re-assigning the widgets' keys keeps them; the URL is rewritten from the
    session's last choice (never over a link someone opened: the mirror is only read when the
    URL carries no scope). Returns the French description of the kept scope for the caption.
    """
    for key in _WIDGET_KEYS:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]
    mirror = st.session_state.get(_MIRROR)
    if isinstance(mirror, ScopeChoice) and not any(k in st.query_params for k in _PARAMS):
        st.query_params.from_dict(choice_params(mirror))
    label = scope_caption()
    return f"Périmètre des indicateurs, conservé pour les autres pages : {label}" if label else ""


def scope_caption() -> str:
    """The French description of the current scope, for page captions."""
    return st.session_state.get("scope_label", "")


def scope_text_for(scope: Scope) -> str:
    """The description of another scope of the page (the weekly point's twelve weeks) with
    the territory and payer chosen in the bar."""
    return describe_scope(scope, st.session_state.get("scope_territory_label"))


def kept_as_of(today: dt.date) -> dt.date:
    """The as-of date of the session's scope (today when none was chosen yet), for pages
    without the scope bar that still read data as of a date."""
    mirror = st.session_state.get(_MIRROR)
    return mirror.as_of if isinstance(mirror, ScopeChoice) else today
