"""Colours and plotly template of the State's design system (DSFR), colour-blind safe.

Bleu France and rouge Marianne anchor the identity; data series use bleu France followed by the
Okabe–Ito palette, whose hues stay distinct for the common colour-vision deficiencies. Rouge
Marianne is kept for targets and alerts only, so red never competes with a data series. The
same template is set on every figure, so PNG and SVG files look like the screen.
"""

from __future__ import annotations

import plotly.graph_objects as go
import plotly.io as pio

BLEU_FRANCE = "#000091"
ROUGE_MARIANNE = "#E1000F"
GREY_TEXT = "#161616"
GREY_MID = "#666666"
GREY_LIGHT = "#929292"
GREY_LINE = "#DDDDDD"
GREY_BACKGROUND = "#F6F6F6"
WHITE = "#FFFFFF"

# Bleu France, then Okabe–Ito (orange, sky blue, bluish green, vermilion, reddish purple,
# yellow darkened for contrast on white), then a neutral grey.
PALETTE: tuple[str, ...] = (
    BLEU_FRANCE,
    "#E69F00",
    "#56B4E9",
    "#009E73",
    "#D55E00",
    "#CC79A7",
    "#B59A00",
    GREY_MID,
)
TARGET_COLOR = ROUGE_MARIANNE
REFERENCE_COLOR = GREY_MID
STATUS_COLORS = {
    "atteint": "#18753C",
    "non_atteint": ROUGE_MARIANNE,
    "sans_cible": GREY_MID,
    "secret": GREY_LIGHT,
    "sans_donnees": GREY_LIGHT,
}
FONT_FAMILY = "Marianne, Arial, 'DejaVu Sans', sans-serif"
TEMPLATE_NAME = "pilotage"
EXPORT_WIDTH = 1100
EXPORT_HEIGHT = 620


def _template() -> go.layout.Template:
    axis = {
        "gridcolor": GREY_LINE,
        "linecolor": GREY_LIGHT,
        "zerolinecolor": GREY_LIGHT,
        "tickfont": {"color": GREY_TEXT},
        "title": {"font": {"color": GREY_TEXT}},
        "automargin": True,
    }
    return go.layout.Template(
        layout={
            "colorway": list(PALETTE),
            "font": {"family": FONT_FAMILY, "color": GREY_TEXT, "size": 14},
            "title": {"font": {"size": 18, "color": GREY_TEXT}, "x": 0.01, "xanchor": "left"},
            "paper_bgcolor": WHITE,
            "plot_bgcolor": WHITE,
            "separators": ", ",
            "xaxis": axis,
            "yaxis": axis,
            "legend": {
                "orientation": "h",
                "yanchor": "bottom",
                "y": 1.01,
                "xanchor": "left",
                "x": 0,
                "bgcolor": "rgba(0,0,0,0)",
            },
            "hoverlabel": {"font": {"family": FONT_FAMILY}},
            "margin": {"l": 70, "r": 30, "t": 90, "b": 40},
        }
    )


def register_template() -> str:
    """Register the template with plotly (idempotent) and return its name."""
    if TEMPLATE_NAME not in pio.templates:
        pio.templates[TEMPLATE_NAME] = _template()
    return TEMPLATE_NAME
