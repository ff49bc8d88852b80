"""Colours and plotly template of the State's design system (DSFR), colour-blind safe and
contrasted enough for RGAA 4.1 (WCAG 2.1 AA).

Bleu France and rouge Marianne anchor the identity; data series use bleu France followed by the
Okabe–Ito hues, darkened until each reaches 4.5:1 against white: a series is a graphical object
(3:1 needed) and its colour may also write its values (4.5:1 needed for text). Colour is never
the only cue: each series also gets its own marker symbol, line dash or bar pattern, so the
legend reads in grey scale too. Rouge Marianne is kept for targets and alerts only, so red
never competes with a data series. The same template is set on every figure, so PNG and SVG
files look like the screen.
"""

from __future__ import annotations

import itertools

import plotly.graph_objects as go
import plotly.io as pio

BLEU_FRANCE = "#000091"
ROUGE_MARIANNE = "#E1000F"
GREY_TEXT = "#161616"
GREY_MID = "#666666"
# Lines and outlines of graphical objects: 3.4:1 against white (3:1 needed).
GREY_LIGHT = "#8C8C8C"
GREY_LINE = "#DDDDDD"
GREY_BACKGROUND = "#F6F6F6"
WHITE = "#FFFFFF"
BLACK = "#000000"

# Bleu France, then Okabe–Ito hues darkened to at least 4.5:1 on white (orange, blue, bluish
# green, vermilion, reddish purple, yellow turned olive), then a neutral grey.
PALETTE: tuple[str, ...] = (
    BLEU_FRANCE,
    "#A86400",
    "#0072B2",
    "#007D5B",
    "#C15400",
    "#A8527F",
    "#7F6C00",
    GREY_MID,
)
# The second cue of each series, in palette order: lines get a marker symbol, step curves (too
# many points for markers) a dash style, bars a fill pattern.
SERIES_SYMBOLS: tuple[str, ...] = (
    "circle",
    "square",
    "diamond",
    "triangle-up",
    "x",
    "triangle-down",
    "star",
    "cross",
)
SERIES_DASHES: tuple[str, ...] = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")
SERIES_PATTERNS: tuple[str, ...] = ("", "/", ".", "x", "\\", "-", "|", "+")
TARGET_COLOR = ROUGE_MARIANNE
REFERENCE_COLOR = GREY_MID
STATUS_COLORS = {
    "atteint": "#18753C",
    "non_atteint": ROUGE_MARIANNE,
    "sans_cible": GREY_MID,
    "secret": GREY_LIGHT,
    "sans_donnees": GREY_LIGHT,
}
MIN_GRAPHIC_CONTRAST = 3.0  # WCAG 1.4.11, graphical objects
MIN_TEXT_CONTRAST = 4.5  # WCAG 1.4.3, text
# plotly.js speaks English unless given a dictionary: the French of every text it may draw
# (toolbar, « Double-click to zoom back out », hover labels of some traces), and the French
# names of days and months of date axes. Passed with the chart (``locales`` in the config),
# since nothing registers a plotly.js locale in the page.
PLOTLY_FRENCH: dict[str, object] = {
    "dictionary": {
        "Autoscale": "Échelle automatique",
        "Box Select": "Sélection rectangulaire",
        "Click to enter Colorscale title": "Cliquer pour saisir le titre de l'échelle",
        "Click to enter Plot title": "Cliquer pour saisir le titre du graphique",
        "Click to enter X axis title": "Cliquer pour saisir le titre de l'axe horizontal",
        "Click to enter Y axis title": "Cliquer pour saisir le titre de l'axe vertical",
        "Compare data on hover": "Comparer les données au survol",
        "Double-click on legend to isolate one trace": (
            "Double-cliquer sur la légende pour isoler une série"
        ),
        "Double-click to zoom back out": "Double-cliquer pour revenir à la vue d'ensemble",
        "Download plot": "Télécharger le graphique",
        "Download plot as a png": "Télécharger le graphique en PNG",
        "Draw circle": "Tracer un cercle",
        "Draw closed freeform": "Tracer une forme fermée",
        "Draw line": "Tracer une ligne",
        "Draw open freeform": "Tracer une forme ouverte",
        "Draw rectangle": "Tracer un rectangle",
        "Erase active shape": "Effacer la forme active",
        "Lasso Select": "Sélection au lasso",
        "Pan": "Déplacer",
        "Produced with Plotly.js": "Réalisé avec Plotly.js",
        "Reset": "Réinitialiser",
        "Reset axes": "Réinitialiser les axes",
        "Reset view": "Réinitialiser la vue",
        "Show closest data on hover": "Afficher la donnée la plus proche au survol",
        "Snapshot succeeded": "Image enregistrée",
        "Sorry, there was a problem downloading your snapshot!": (
            "Le téléchargement de l'image a échoué."
        ),
        "Taking snapshot - this may take a few seconds": (
            "Création de l'image : quelques secondes…"
        ),
        "Toggle Spike Lines": "Afficher ou masquer les lignes de repère",
        "Toggle show closest data on hover": (
            "Afficher ou masquer la donnée la plus proche au survol"
        ),
        "Zoom": "Zoom",
        "Zoom in": "Zoom avant",
        "Zoom out": "Zoom arrière",
        "close": "clôture",
        "high": "haut",
        "incoming flow count": "flux entrants",
        "kde": "densité",
        "lower fence": "borne basse",
        "low": "bas",
        "max": "max.",
        "mean": "moyenne",
        "median": "médiane",
        "min": "min.",
        "new text": "nouveau texte",
        "open": "ouverture",
        "outgoing flow count": "flux sortants",
        "q1": "1er quartile",
        "q3": "3e quartile",
        "source:": "source :",
        "target:": "cible :",
        "trace": "série",
        "upper fence": "borne haute",
    },
    "format": {
        "days": ["dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"],
        "shortDays": ["dim.", "lun.", "mar.", "mer.", "jeu.", "ven.", "sam."],
        "months": [
            "janvier",
            "février",
            "mars",
            "avril",
            "mai",
            "juin",
            "juillet",
            "août",
            "septembre",
            "octobre",
            "novembre",
            "décembre",
        ],
        "shortMonths": [
            "janv.",
            "févr.",
            "mars",
            "avr.",
            "mai",
            "juin",
            "juil.",
            "août",
            "sept.",
            "oct.",
            "nov.",
            "déc.",
        ],
        "date": "%d/%m/%Y",
        "decimal": ",",
        "thousands": "\u202f",
    },
}
# Plotly's own toolbar is not shown: it would add eight tab stops per chart, and the page's own
# PNG, SVG and CSV buttons cover what it offered. Were it shown, it would speak French.
PLOTLY_CONFIG: dict[str, object] = {
    "displayModeBar": False,
    "displaylogo": False,
    "locale": "fr",
    "locales": {"fr": PLOTLY_FRENCH},
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


def _channels(colour: str) -> tuple[int, int, int]:
    """(r, g, b) of « #RRGGBB » or « rgb(r, g, b) »."""
    text = colour.strip()
    if text.startswith("#"):
        return int(text[1:3], 16), int(text[3:5], 16), int(text[5:7], 16)
    r, g, b = (int(float(part)) for part in text[text.index("(") + 1 : -1].split(",")[:3])
    return r, g, b


def relative_luminance(colour: str) -> float:
    """Relative luminance of a colour as WCAG 2.1 defines it (0 for black, 1 for white)."""

    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in _channels(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(first: str, second: str) -> float:
    """WCAG contrast ratio of two colours, from 1 (same) to 21 (black on white)."""
    light, dark = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def readable_text_color(background: str) -> str:
    """Black or white, whichever contrasts more with ``background`` (always 4.58:1 or more;
    pure black, since the page's near-black text would fall under 4.5:1 on some reds)."""
    return (
        BLACK if contrast_ratio(BLACK, background) >= contrast_ratio(WHITE, background) else WHITE
    )


def colorscale_at(scale: list[list[float | str]], position: float) -> str:
    """The colour plotly draws at ``position`` (0–1) of a colour scale (linear in RGB)."""
    position = min(max(position, 0.0), 1.0)
    for (low, low_colour), (high, high_colour) in itertools.pairwise(scale):
        if float(low) <= position <= float(high):
            span = float(high) - float(low)
            t = 0.0 if span == 0 else (position - float(low)) / span
            a, b = _channels(str(low_colour)), _channels(str(high_colour))
            r, g, bl = (round(x + (y - x) * t) for x, y in zip(a, b, strict=True))
            return f"#{r:02X}{g:02X}{bl:02X}"
    return str(scale[-1][1])
