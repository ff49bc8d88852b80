"""Page registration with the roles allowed to open each page.

``app.py`` keeps one ``PAGES`` dict (section → entries); an entry is either ``page(...)``
(a ``st.Page`` plus its allowed roles) or a bare ``st.Page``, which every role may open.
``pages_for_role`` keeps what the signed-in role may see, so a page a role may not open is not
even listed in its navigation.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from data_access.access import normalise_role
from ui.auth import ALL_ROLES

PAGES_DIR = Path(__file__).resolve().parent.parent / "screens"


@dataclass(frozen=True)
class PageEntry:
    """A page and the roles allowed to open it."""

    page: st.Page
    roles: tuple[str, ...]


def page(
    file_name: str,
    title: str,
    icon: str,
    *,
    roles: tuple[str, ...] = ALL_ROLES,
    url_path: str | None = None,
    default: bool = False,
) -> PageEntry:
    """Register ``screens/<file_name>`` under a French title for the given roles."""
    return PageEntry(
        page=st.Page(
            str(PAGES_DIR / file_name),
            title=title,
            icon=icon,
            url_path=url_path or Path(file_name).stem,
            default=default,
        ),
        roles=roles,
    )


def pages_for_role(
    pages: Mapping[str, Sequence[PageEntry | st.Page]], role: str
) -> dict[str, list[st.Page]]:
    """The navigation of one role: sections keep their order, empty sections disappear.

    Old role names (``chef_de_projet``, ``administrateur``) are read as their current ones."""
    role = normalise_role(role) or ""
    visible: dict[str, list[st.Page]] = {}
    for section, entries in pages.items():
        kept = [
            entry.page if isinstance(entry, PageEntry) else entry
            for entry in entries
            if not isinstance(entry, PageEntry) or role in {normalise_role(r) for r in entry.roles}
        ]
        if kept:
            visible[section] = kept
    return visible
