"""Free text shown as text: what a user typed or a file brought is never read as Markdown.

Streamlit reads Markdown almost everywhere: ``st.markdown``, ``st.write``, ``st.caption``, the
bodies of ``st.info``/``st.warning``/``st.error``/``st.success``, the cells of ``st.table``,
and the labels of expanders, tabs, metrics and widgets. Roadmap comments, meeting titles and
notes, decision wordings, service and structure names, file names and the messages that quote
them come from people or imports: rendered as Markdown, ``![x](https://…)`` would make every
reader's browser load an address chosen by whoever wrote it, and ``[text](https://…)`` would
show a link the dashboard never meant to offer. So free text goes through this module:

- :func:`escape_markdown` when free text sits inside a Markdown string (a bold label followed
  by a comment, a flash message quoting a title, an error naming a file);
- :func:`show_text` for a block of free text alone (``st.text``: no parsing at all);
- :func:`plain_cells` for the columns of an ``st.table``.

``st.dataframe`` cells and selectbox options are plain text already.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import streamlit as st

# Every ASCII punctuation character may be backslash-escaped in CommonMark, and the escaped
# character is always shown as itself: escaping them all leaves no construct to open (links,
# images, emphasis, code, HTML, entities, autolinks, tables, Streamlit's :colour[…] and
# :material/…: directives).
_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
# GFM turns bare addresses into links after parsing, whatever was escaped: « http://… »,
# « www.… » and « nom@domaine.fr » get an invisible word joiner that breaks the pattern.
WORD_JOINER = "\u2060"
_BARE_LINKS = re.compile(r"(?i)(?<=[a-z])(?=://)|(?<=\bwww)(?=\.)|(?<=[\w.+-])(?=@)")


def escape_markdown(text: object) -> str:
    """``text`` written so that Markdown shows it character for character, with no link.

    Line breaks are kept as hard breaks so that multi-line notes keep their shape."""
    unlinked = _BARE_LINKS.sub(WORD_JOINER, str(text))
    escaped = _PUNCTUATION.sub(r"\\\1", unlinked)
    return escaped.replace("\r\n", "\n").replace("\n", "  \n")


def show_text(text: object, container: Any = None) -> None:
    """A block of free text, shown as typed: no Markdown, no HTML, no link, no image."""
    (container or st).text(str(text))


def plain_cells(columns: Mapping[str, Sequence[Any]]) -> dict[str, list[Any]]:
    """Columns for ``st.table`` (whose cells are Markdown) with every text cell escaped."""
    return {
        name: [escape_markdown(value) if isinstance(value, str) else value for value in values]
        for name, values in columns.items()
    }
