"""Form state that survives errors, conflicts and page changes, and is cleared after a save.

Streamlit forms keep a widget's value in ``st.session_state`` under its key. Seeding that key
once (instead of passing a default on every run) means a form shows the stored state when it
is opened, keeps what the user typed through an error or a conflict, and is emptied only by
``clear`` after a successful save, so a second click has nothing new to write. Widget keys
vanish when the page is left; « remembered » values (the user's name, the selected step or
meeting) live in plain keys that outlast the page and re-seed their widget on return.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import streamlit as st

NAME_KEY = "governance_user_name"
NAME_LABEL = "Votre nom"
NAME_HELP = "Gardé dans l'historique ; retenu pour toute la session."


def seed(key: str, value: object) -> bool:
    """Give a widget its starting value unless it already holds one; True when seeded."""
    if key in st.session_state:
        return False
    st.session_state[key] = value
    return True


def clear(keys: Iterable[str]) -> None:
    """Empty a form after a successful save (its widgets are seeded afresh on the next run)."""
    for key in keys:
        st.session_state.pop(key, None)


def remembered_choice(key: str, options: Sequence[object], default: object = None) -> None:
    """Seed a chooser from its remembered value (kept for the session across pages)."""
    memory = f"{key}__remembered"
    value = st.session_state.get(key, st.session_state.get(memory, default))
    if value not in options:
        value = default if default in options else (options[0] if options else None)
    st.session_state[key] = value
    st.session_state[memory] = value


def remember(key: str) -> None:
    """Callback: keep a chooser's value beyond the page."""
    st.session_state[f"{key}__remembered"] = st.session_state.get(key)


def name_input(key: str) -> str:
    """« Votre nom », seeded from the name given earlier in the session."""
    seed(key, st.session_state.get(NAME_KEY, ""))
    name = st.text_input(NAME_LABEL, key=key, help=NAME_HELP, max_chars=120)
    return name.strip()


def remember_name(name: str) -> None:
    """Keep the user's name for the other forms and pages of the session."""
    if name:
        st.session_state[NAME_KEY] = name
