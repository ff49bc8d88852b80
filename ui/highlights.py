"""« Faits marquants » on the pages: the comments read as of the scope's date, and the forms
project leads use to write, rewrite or withdraw them.

Comments are free text typed by people: they are shown through ``ui/plain_text.py`` (escaped
inside captions, never read as Markdown or HTML). Every write checks the role again on the
server (``require_role``) right before it happens, so a form submitted from a session whose
role has become ``lecture`` writes nothing, and is recorded in the audit log without the text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import streamlit as st

from data_access.exceptions import DataAccessError
from data_access.highlights import (
    COMMITTEE_WIDE,
    MAX_LENGTH,
    HighlightConflictError,
    HighlightView,
    add_highlight,
    edit_highlight,
    highlight_history,
    highlights_as_of,
    withdraw_highlight,
)
from formatting import format_date, format_datetime
from metrics.catalog import label_of
from metrics.scope import Scope
from ui.auth import audit, can_edit_roadmap, require_role
from ui.context import AppContext, current_settings
from ui.forms import clear, name_input, remember_name
from ui.plain_text import escape_markdown

Notes = Mapping[str | None, Sequence[HighlightView]]


def highlights_for(
    context: AppContext, scope: Scope, metric_ids: Sequence[str | None] | None = None
) -> dict[str | None, list[HighlightView]]:
    """The comments of the scope's period as of its date, by indicator (None: committee-wide)."""
    wanted = tuple(metric_ids) if metric_ids is not None else None
    return by_subject(
        highlights_as_of(
            context.engine, scope.as_of, start=scope.start, end=scope.end, metric_ids=wanted
        )
    )


def by_subject(items: Sequence[HighlightView]) -> dict[str | None, list[HighlightView]]:
    """Comments grouped by indicator (None: committee-wide), each group oldest first."""
    grouped: dict[str | None, list[HighlightView]] = {}
    for item in items:
        grouped.setdefault(item.metric_id, []).append(item)
    return grouped


def show_note(item: HighlightView, container: Any = None, *, label: str | None = None) -> None:
    """One comment as text: « Fait marquant » (or the indicator's name), the text as typed,
    then who wrote it and when."""
    box = container or st
    title = f"**{escape_markdown(label)}** — " if label else "**Fait marquant** — "
    box.caption(title + escape_markdown(item.text))
    box.caption(escape_markdown(item.signature))


def label(metric_id: str | None) -> str:
    """The subject of a comment: the indicator's one label, or the committee as a whole."""
    return COMMITTEE_WIDE if metric_id is None else label_of(metric_id, current_settings())


def show_notes(notes: Notes, *, committee_first: bool = True) -> bool:
    """Every comment of ``notes``, committee-wide ones first, each under its indicator's
    name; False when there is none."""
    keys = sorted(notes, key=lambda k: (k is not None, k or "")) if committee_first else notes
    shown = False
    for metric_id in keys:
        for item in notes[metric_id]:
            with st.container(border=True):
                show_note(item, label=label(metric_id))
            shown = True
    return shown


def _excerpt(item: HighlightView) -> str:
    text = item.text.replace("\n", " ")
    short = text if len(text) <= 60 else text[:59] + "…"
    return f"n° {item.id} — {label(item.metric_id)} : {short}"


def highlight_editor(
    context: AppContext,
    scope: Scope,
    targets: Sequence[str | None],
    notes: Notes,
    *,
    key: str,
    today: dt.date | None = None,
) -> None:
    """For project leads: write a comment on one of ``targets`` (None: the committee as a
    whole) for the scope's period, or rewrite / withdraw one already shown."""
    if not can_edit_roadmap():
        return
    today = today or dt.date.today()
    flash_key = f"{key}_hl_flash"
    if flash := st.session_state.pop(flash_key, None):
        st.success(escape_markdown(flash))
    with st.expander("Écrire, modifier ou retirer un fait marquant"):
        st.caption(
            f"Pour la période du {format_date(scope.start)} au {format_date(scope.end)}. "
            f"Texte simple, {MAX_LENGTH} caractères au plus ; repris sous l'indicateur, dans "
            "le support du comité et ses notes. Chaque modification est conservée."
        )
        if scope.as_of < today:
            st.caption(
                f"Les données sont affichées au {format_date(scope.as_of)} : un commentaire "
                "écrit aujourd'hui n'apparaît qu'à partir de la date d'aujourd'hui."
            )
        _new_form(context, scope, targets, key=key, flash_key=flash_key)
        items = [item for group in notes.values() for item in group]
        if items:
            st.divider()
            _edit_form(context, items, key=key, flash_key=flash_key)


def _new_form(
    context: AppContext,
    scope: Scope,
    targets: Sequence[str | None],
    *,
    key: str,
    flash_key: str,
) -> None:
    keys = {"target": f"{key}_hl_target", "text": f"{key}_hl_text"}
    with st.form(f"{key}_hl_new", border=False):
        target = st.selectbox(
            "Sujet",
            list(targets),
            format_func=label,
            key=keys["target"],
        )
        text = st.text_area("Fait marquant", max_chars=MAX_LENGTH, key=keys["text"])
        author = name_input(f"{key}_hl_author")
        submitted = st.form_submit_button("Enregistrer le commentaire", type="primary")
    if not submitted:
        return
    require_role("pilotage")
    remember_name(author)
    try:
        saved = add_highlight(
            context.engine,
            text,
            metric_id=target,
            period_start=scope.start,
            period_end=scope.end,
            user=author,
        )
    except DataAccessError as exc:
        st.error(escape_markdown(exc))
        return
    audit("edit", f"fait marquant n° {saved.id} ajouté ({saved.metric_id or 'comité'})")
    clear([keys["text"]])
    st.session_state[flash_key] = f"Fait marquant n° {saved.id} enregistré."
    st.rerun()


def _edit_form(
    context: AppContext,
    items: list[HighlightView],
    *,
    key: str,
    flash_key: str,
) -> None:
    by_id = {item.id: item for item in items}
    chosen = st.selectbox(
        "Fait marquant à modifier ou retirer",
        list(by_id),
        format_func=lambda i: _excerpt(by_id[i]),
        key=f"{key}_hl_pick",
    )
    item = by_id[chosen]
    text_key = f"{key}_hl_edit_{item.id}_{item.version}"
    with st.form(f"{key}_hl_edit", border=False):
        text = st.text_area("Nouveau texte", value=item.text, max_chars=MAX_LENGTH, key=text_key)
        author = name_input(f"{key}_hl_edit_author")
        left, right = st.columns(2)
        save = left.form_submit_button("Enregistrer la nouvelle version", type="primary")
        withdraw = right.form_submit_button("Retirer ce fait marquant")
    if save or withdraw:
        require_role("pilotage")
        remember_name(author)
        try:
            if withdraw:
                saved = withdraw_highlight(
                    context.engine, item.id, user=author, expected_version=item.version
                )
            else:
                saved = edit_highlight(
                    context.engine, item.id, text, user=author, expected_version=item.version
                )
        except HighlightConflictError as exc:
            st.error(escape_markdown(exc))
            return
        except DataAccessError as exc:
            st.error(escape_markdown(exc))
            return
        if saved.version != item.version:
            what = "retiré" if withdraw else f"version {saved.version}"
            audit("edit", f"fait marquant n° {saved.id} {what}")
            st.session_state[flash_key] = (
                f"Fait marquant n° {saved.id} {'retiré' if withdraw else 'modifié'}."
            )
        clear([text_key])
        st.rerun()
    history = highlight_history(context.engine, item.id)
    if len(history) > 1:
        st.caption("Historique de ce fait marquant")
        st.dataframe(
            {
                "Version": [v.version for v in history],
                "Écrit le": [format_datetime(v.written_at) for v in history],
                "Par": [v.written_by for v in history],
                "Texte": [("(retiré) " if v.withdrawn else "") + v.text for v in history],
            },
            hide_index=True,
        )
