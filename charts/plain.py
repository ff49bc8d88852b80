"""Free text inside plotly labels: plotly reads a subset of HTML in every text it draws
(``<a href>`` becomes a link, ``<b>`` bold), so a step, a meeting title or an imported name is
escaped before it is placed in a title, a tick, a hover or an annotation. Plotly turns the
entities back into the characters, so readers see exactly what was typed."""

from __future__ import annotations

import html


def plain(text: object) -> str:
    """``text`` as plotly should show it: characters, never markup."""
    return html.escape(str(text), quote=False)
