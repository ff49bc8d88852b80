"""The printable committee report: an A4 PDF in French (reportlab).

It prints what the « Comité de suivi » page and the deck show, from the same gathering
(``CommitteeData``) and the same chart descriptions: the headline table, each committee chart
with its one-sentence summary, its image (the chart export of ``charts/images.py``) and its data
table, the late roadmap steps, the decisions and open actions, and the definitions of the
headline indicators. Every page repeats what a loose sheet needs to be read on its own: the
scope (period, territory, payer, as-of date, demonstration data) at its head, the source and
secrecy at its foot, and « Page 2 sur 7 ».

Secrecy is the one of ``metrics/``: only published results reach this module, a masked value is
written « < 11 (secret statistique) » (and drawn as a gap marked « s »), never as a number.
The report is dated by its as-of date, not by the day it is printed, so two prints of one scope
are the same document.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    Image,
    KeepTogether,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from sqlalchemy import Engine

from charts.builders import rounding_of
from charts.committee import committee_charts, headline_rows
from charts.deck_highlights import SLIDE_TITLE as HIGHLIGHTS_TITLE
from charts.deck_highlights import subject
from charts.description import DEMO_NOTE, ROUNDING_NOTE, SOURCE, ChartDescription
from charts.summaries import chart_summary
from charts.theme import BLEU_FRANCE, EXPORT_HEIGHT, EXPORT_WIDTH, GREY_LINE, GREY_MID, GREY_TEXT
from formatting import NO_DATA, format_date, format_int, secret_label
from metrics import catalog
from metrics.committee import CommitteeData, gather_committee
from metrics.coverage import category_label
from metrics.scope import Territory
from settings import Settings

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_X = 18 * mm
HEADER_HEIGHT = 20 * mm  # room above the frame for the title and scope lines
FOOTER_HEIGHT = 20 * mm  # room under the frame for the source, secrecy and page number
MARGIN_Y = 12 * mm  # from the paper's edge to the header and footer text
FRAME_WIDTH = PAGE_WIDTH - 2 * MARGIN_X
IMAGE_WIDTH = FRAME_WIDTH
IMAGE_HEIGHT = FRAME_WIDTH * EXPORT_HEIGHT / EXPORT_WIDTH

# The fonts ship with reportlab (Bitstream Vera, embedded in the file): nothing is read from
# the system or downloaded, and the PDF looks the same on every reader.
FONT, FONT_BOLD = "Vera", "VeraBd"
SYMBOL = "Symbol"  # one of the fonts every PDF reader has
# Babel writes French numbers with a narrow no-break space (« 1 234 », « 87,5 % »), which Vera
# lacks: the ordinary no-break space keeps the figure on one line all the same.
_GLYPH_SUBSTITUTES = str.maketrans({"\u202f": "\u00a0", "\u2009": " ", "\u2060": ""})

REPORT_TITLE = "Rapport du comité de suivi RSA"
SECTION_HEADLINE = "Indicateurs clés"
SECTION_CHARTS = "Graphiques du comité"
SECTION_LATE = "Feuille de route : étapes en retard"
SECTION_ACTIONS = "Décisions et actions ouvertes"
SECTION_DEFINITIONS = "Définitions des indicateurs clés"
IMAGE_MISSING = "Image du graphique indisponible : {reason} Les valeurs figurent dans le tableau."


def pdf_text(text: str) -> str:
    """Text ready for a reportlab paragraph: markup characters escaped (people type « < »,
    « & » in an action), spaces the embedded font lacks replaced, and the few signs it lacks
    (« → » of the chart summaries) taken from the PDF's standard Symbol font."""
    glyphs = _glyphs()
    parts = []
    for char in text.translate(_GLYPH_SUBSTITUTES):
        if ord(char) in glyphs or char in "\n\t":
            parts.append(escape(char))
        else:
            parts.append(f'<font face="{SYMBOL}">{escape(char)}</font>')
    return "".join(parts)


@functools.cache
def _glyphs() -> frozenset[int]:
    """The characters the embedded font can draw."""
    _register_fonts()
    font = pdfmetrics.getFont(FONT)
    return frozenset(font.face.charToGlyph)  # type: ignore[attr-defined]


@functools.cache
def _register_fonts() -> None:
    pdfmetrics.registerFont(TTFont(FONT, "Vera.ttf"))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, "VeraBd.ttf"))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD)


@dataclass(frozen=True)
class Styles:
    """The paragraph styles of the report (one place for sizes and colours)."""

    title: ParagraphStyle
    subtitle: ParagraphStyle
    h1: ParagraphStyle
    h2: ParagraphStyle
    body: ParagraphStyle
    note: ParagraphStyle
    cell: ParagraphStyle
    cell_head: ParagraphStyle
    running: ParagraphStyle
    running_right: ParagraphStyle


def _styles() -> Styles:
    _register_fonts()
    text, mid, blue = (colors.HexColor(c) for c in (GREY_TEXT, GREY_MID, BLEU_FRANCE))
    base = ParagraphStyle("body", fontName=FONT, fontSize=9.5, leading=12.5, textColor=text)
    return Styles(
        title=ParagraphStyle(
            "title", base, fontName=FONT_BOLD, fontSize=18, leading=22, textColor=blue
        ),
        subtitle=ParagraphStyle("subtitle", base, fontSize=11.5, leading=15, spaceAfter=4),
        h1=ParagraphStyle(
            "h1",
            base,
            fontName=FONT_BOLD,
            fontSize=14,
            leading=18,
            textColor=blue,
            spaceBefore=10,
            spaceAfter=5,
        ),
        h2=ParagraphStyle(
            "h2", base, fontName=FONT_BOLD, fontSize=10.5, leading=13.5, spaceBefore=8, spaceAfter=2
        ),
        body=ParagraphStyle("body", base, spaceAfter=4),
        note=ParagraphStyle("note", base, fontSize=7.5, leading=9.5, textColor=mid, spaceAfter=3),
        cell=ParagraphStyle("cell", base, fontSize=7.5, leading=9.2),
        cell_head=ParagraphStyle(
            "cell_head", base, fontName=FONT_BOLD, fontSize=7.5, leading=9.2, textColor=colors.white
        ),
        running=ParagraphStyle("running", base, fontSize=7.5, leading=9.5, textColor=mid),
        running_right=ParagraphStyle(
            "running_right", base, fontSize=7.5, leading=9.5, textColor=mid, alignment=TA_RIGHT
        ),
    )


# --- what every page repeats ---------------------------------------------------------------


def scope_line(data: CommitteeData) -> str:
    """« Période du 1er mai 2024 au 30 juin 2024 · Territoire : tout le département · Payeur :
    tous · Données au 30 juin 2024 », and « Données de démonstration » on the demo."""
    payer = data.scope.payer.upper() if data.scope.payer else "tous (CAF et MSA)"
    parts = [
        f"Période {data.period_text}",
        f"Territoire : {data.territory_label}",
        f"Payeur : {payer}",
        f"Données au {format_date(data.scope.as_of)}",
    ]
    if data.demo:
        parts.append("Données de démonstration")
    return " · ".join(parts)


def source_line(data: CommitteeData) -> str:
    """The source, secrecy and rounding rules, and the demonstration warning: every page's
    foot, so that a page read alone says where its figures come from."""
    parts = [
        SOURCE.format(as_of=format_date(data.scope.as_of)),
        f"Secret statistique : effectifs inférieurs à {data.threshold} masqués "
        f"(« {secret_label(data.threshold)} »).",
    ]
    base = rounding_of(data.current.values())
    if base and base > 1:
        parts.append(ROUNDING_NOTE.format(base=base))
    if data.demo:
        parts.append(DEMO_NOTE)
    return " ".join(parts)


def page_label(number: int, total: int) -> str:
    """« Page 2 sur 7 »."""
    return f"Page {number} sur {total}"


class _NumberedCanvas(Canvas):
    """A canvas that holds its pages until the end, to write « Page n sur N » on each."""

    def __init__(self, *args: Any, as_of: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict[str, Any]] = []
        # the file's creation date is the as-of date: a report printed later for a past
        # committee says when its figures stood, and two prints of one scope are identical
        self.setDateFormatter(lambda *_: f"D:{as_of:%Y%m%d}000000+00'00'")

    def showPage(self) -> None:
        self._pages.append(dict(self.__dict__))
        # reportlab's own « page n of N » recipe: start the next page without writing this one
        self._startPage()  # type: ignore[attr-defined]

    def save(self) -> None:
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            self._draw_page_number(total)
            super().showPage()
        super().save()

    def _draw_page_number(self, total: int) -> None:
        style = _styles().running_right
        para = Paragraph(pdf_text(page_label(self.getPageNumber(), total)), style)
        width = 30 * mm
        para.wrap(width, FOOTER_HEIGHT)
        para.drawOn(self, PAGE_WIDTH - MARGIN_X - width, MARGIN_Y)


class _ReportTemplate(BaseDocTemplate):
    """A4 portrait, one frame between the running head and foot."""

    def __init__(self, buffer: io.BytesIO, data: CommitteeData, styles: Styles) -> None:
        super().__init__(
            buffer,
            pagesize=A4,
            leftMargin=MARGIN_X,
            rightMargin=MARGIN_X,
            topMargin=MARGIN_Y + HEADER_HEIGHT,
            bottomMargin=MARGIN_Y + FOOTER_HEIGHT,
            title=f"{REPORT_TITLE} — {data.departement_name}",
            subject=scope_line(data),
            author=f"Pilotage RSA — {data.departement_name}",
            creator="Pilotage RSA",
            lang="fr-FR",
            invariant=True,
        )
        self._data, self._styles = data, styles
        frame = Frame(
            self.leftMargin,
            self.bottomMargin,
            self.width,
            self.height,
            leftPadding=0,
            rightPadding=0,
            topPadding=0,
            bottomPadding=0,
            id="content",
        )
        self.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=self._running)])

    def _running(self, canvas: Canvas, _doc: BaseDocTemplate) -> None:
        data, styles = self._data, self._styles
        canvas.saveState()
        head = Paragraph(
            f"<b>{pdf_text(f'{REPORT_TITLE} — {data.departement_name}')}</b> · "
            f"{pdf_text(f'comité du {format_date(data.committee_date)}')}<br/>"
            f"{pdf_text(scope_line(data))}",
            styles.running,
        )
        _, height = head.wrap(FRAME_WIDTH, HEADER_HEIGHT)
        head.drawOn(canvas, MARGIN_X, PAGE_HEIGHT - MARGIN_Y - height)
        rule_y = PAGE_HEIGHT - MARGIN_Y - HEADER_HEIGHT + 4 * mm
        canvas.setStrokeColor(colors.HexColor(GREY_LINE))
        canvas.setLineWidth(0.6)
        canvas.line(MARGIN_X, rule_y, PAGE_WIDTH - MARGIN_X, rule_y)
        foot = Paragraph(pdf_text(source_line(data)), styles.running)
        foot.wrap(FRAME_WIDTH - 32 * mm, FOOTER_HEIGHT)
        foot.drawOn(canvas, MARGIN_X, MARGIN_Y)
        foot_rule_y = MARGIN_Y + FOOTER_HEIGHT - 3 * mm
        canvas.line(MARGIN_X, foot_rule_y, PAGE_WIDTH - MARGIN_X, foot_rule_y)
        canvas.restoreState()


# --- tables ------------------------------------------------------------------------------


def _table(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    widths: Sequence[float],
    styles: Styles,
) -> Table:
    """A table that wraps its cells, repeats its header on each page and fills the frame."""
    total = sum(widths)
    col_widths = [FRAME_WIDTH * w / total for w in widths]
    cells: list[list[Flowable]] = [[Paragraph(pdf_text(h), styles.cell_head) for h in header]]
    cells += [[Paragraph(pdf_text(str(c)), styles.cell) for c in row] for row in rows]
    table = Table(cells, colWidths=col_widths, repeatRows=1, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor(BLEU_FRANCE)),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 1), (-1, -1), 0.4, colors.HexColor(GREY_LINE)),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    return table


def _category_text(category: str | float) -> str:
    if isinstance(category, float):
        return format_int(category) if category.is_integer() else f"{category}".replace(".", ",")
    return str(category)


def chart_table(desc: ChartDescription) -> tuple[list[str], list[list[str]]]:
    """The data behind a chart as French text, masked cells written with the secrecy label:
    the table the page shows in « Données du graphique »."""
    header = [desc.x_title] + [serie.name for serie in desc.series]
    rows = []
    for i, category in enumerate(desc.categories):
        row = [_category_text(category)]
        for serie in desc.series:
            if serie.masked(i):
                row.append(secret_label(desc.threshold))
            else:
                row.append(desc.format_value(serie.values[i]))
        rows.append(row)
    return header, rows


# --- sections ----------------------------------------------------------------------------


def _opening(data: CommitteeData, styles: Styles) -> list[Flowable]:
    previous = (
        f"depuis le comité du {format_date(data.previous_committee)}"
        if data.previous_committee
        else "aucun comité précédent enregistré : les deux derniers mois"
    )
    story: list[Flowable] = [
        Paragraph(pdf_text(f"{REPORT_TITLE} — {data.departement_name}"), styles.title),
        Paragraph(
            pdf_text(
                f"Comité du {format_date(data.committee_date)} · données au "
                f"{format_date(data.scope.as_of)}"
            ),
            styles.subtitle,
        ),
        Paragraph(
            pdf_text(
                f"Période {data.period_text}, {previous}. Comparée à la période précédente de "
                f"même durée, {data.previous_text}. Territoire : {data.territory_label}."
                + (f" Payeur : {data.scope.payer.upper()}." if data.scope.payer else "")
            ),
            styles.body,
        ),
        Paragraph(
            pdf_text(
                "Les chiffres et les graphiques sont ceux de la page « Comité de suivi » et du "
                "support du comité pour le même périmètre, lus à la date d'observation ; le "
                "secret statistique y est appliqué."
            ),
            styles.body,
        ),
    ]
    if data.legal_note:
        story.append(Paragraph(pdf_text(data.legal_note), styles.body))
    if data.demo:
        story.append(Paragraph(f"<b>{pdf_text(DEMO_NOTE)}</b>", styles.body))
    return story


def _headline(data: CommitteeData, styles: Styles) -> list[Flowable]:
    story: list[Flowable] = [Paragraph(pdf_text(SECTION_HEADLINE), styles.h1)]
    rows = headline_rows(data)
    if not rows:
        return [*story, Paragraph(pdf_text(NO_DATA), styles.body)]
    presented = (
        f"Présenté le {format_date(data.presented.committee_date)}"
        if data.presented
        else "Présenté au dernier comité"
    )
    story.append(
        _table(
            [
                "Indicateur",
                "Période précédente",
                "Période du comité",
                "Évolution",
                presented,
                "Cible",
            ],
            [[r.label, r.previous, r.current, r.change, r.presented, r.target] for r in rows],
            [4.6, 2.1, 2.1, 1.6, 2.1, 2.4],
            styles,
        )
    )
    story.append(
        Paragraph(
            pdf_text(
                f"Période du comité {data.period_text} ; période précédente "
                f"{data.previous_text}. * Parts et délais « sous X jours » : dernière cohorte "
                "mensuelle suivie X jours, son mois entre parenthèses."
            ),
            styles.note,
        )
    )
    return story


def _highlights(data: CommitteeData, styles: Styles) -> list[Flowable]:
    """The leads' « faits marquants », committee-wide first, as typed and as written by the
    as-of date: the report tells the same story as the deck."""
    if not data.highlights:
        return []
    story: list[Flowable] = [Paragraph(pdf_text(HIGHLIGHTS_TITLE), styles.h1)]
    for comment in sorted(data.highlights, key=lambda c: c.metric_id is not None):
        story.append(
            Paragraph(
                f"<b>{pdf_text(subject(comment, data.label))}</b> : {pdf_text(comment.text)} "
                f"({pdf_text(comment.signature)})",
                styles.body,
            )
        )
    return story


def _chart_image(desc: ChartDescription) -> Flowable | str:
    """The chart drawn by the screen's figure and exported by ``charts/images.py``, or the
    French reason why it cannot be drawn here (no Chromium on the server)."""
    from charts.figures import to_figure
    from charts.images import ImageExportUnavailable, figure_image

    try:
        png = figure_image(to_figure(desc, show_title=False), "png")
    except ImageExportUnavailable as exc:
        return str(exc)
    return Image(io.BytesIO(png), width=IMAGE_WIDTH, height=IMAGE_HEIGHT)


def _chart(desc: ChartDescription, styles: Styles, with_images: bool) -> list[Flowable]:
    heading = Paragraph(pdf_text(desc.title), styles.h2)
    if not desc.has_data:
        return [
            KeepTogether([heading, Paragraph(pdf_text(NO_DATA), styles.body)]),
            Paragraph(pdf_text(desc.footnote), styles.note),
        ]
    drawing: Flowable | str | None = _chart_image(desc) if with_images else None
    block: list[Flowable] = [heading, Paragraph(pdf_text(chart_summary(desc)), styles.body)]
    if isinstance(drawing, str):
        block.append(Paragraph(pdf_text(IMAGE_MISSING.format(reason=drawing)), styles.note))
    elif drawing is not None:
        block.append(drawing)
    block.append(Paragraph(pdf_text(desc.footnote), styles.note))
    header, rows = chart_table(desc)
    table = _table(header, rows, [2.2] + [1.0] * len(desc.series), styles)
    return [KeepTogether(block), table, Spacer(1, 3 * mm)]


def _coverage_map(data: CommitteeData, styles: Styles, with_images: bool) -> list[Flowable]:
    """The deck's map of the least covered need, by commune (an image, as in the deck)."""
    if data.map_category is None or not data.map_communes or not with_images:
        return []
    from charts.coverage_map import coverage_map
    from charts.images import ImageExportUnavailable, figure_image

    label = category_label(data.map_category)
    block: list[Flowable] = [
        Paragraph(pdf_text(f"Offre partenaire : couverture « {label} » par commune"), styles.h2)
    ]
    if data.map_geojson is None:  # the outlines file was unusable: say why
        return [*block, Paragraph(pdf_text(data.map_error or NO_DATA), styles.body)]
    try:
        figure = coverage_map(
            data.map_communes, data.map_geojson, data.map_category, data.scope.as_of, data.threshold
        )
        figure.update_layout(title={"text": ""})  # the heading above says it
        png = figure_image(figure, "png")
    except ImageExportUnavailable as exc:
        return [*block, Paragraph(pdf_text(IMAGE_MISSING.format(reason=str(exc))), styles.note)]
    block.append(Image(io.BytesIO(png), width=IMAGE_WIDTH, height=IMAGE_HEIGHT))
    block.append(
        Paragraph(
            pdf_text(
                f"Besoin le moins couvert sur la période. {data.scope_text}. "
                f"{SOURCE.format(as_of=format_date(data.scope.as_of))}"
            ),
            styles.note,
        )
    )
    return [KeepTogether(block), Spacer(1, 3 * mm)]


def _late_steps(data: CommitteeData, styles: Styles) -> list[Flowable]:
    story: list[Flowable] = [CondPageBreak(40 * mm), Paragraph(pdf_text(SECTION_LATE), styles.h1)]
    steps = data.late_steps
    if not steps:
        return [*story, Paragraph("Aucune étape en retard.", styles.body)]
    as_of = data.scope.as_of
    story.append(
        _table(
            ["Id", "Axe", "Étape", "Échéance", "Retard", "Responsables", "Statut"],
            [
                [
                    s.step_id,
                    s.axis,
                    s.step,
                    s.due_label or format_date(s.due_date),
                    f"{(as_of - s.due_date).days} j" if s.due_date else "—",
                    ", ".join(s.owners),
                    s.status_label,
                ]
                for s in steps
            ],
            [1.1, 2.4, 5.0, 1.9, 1.1, 2.0, 1.4],
            styles,
        )
    )
    story.append(
        Paragraph(
            pdf_text(
                f"Étapes dues avant le {format_date(as_of)} et non terminées, statuts à cette date."
            ),
            styles.note,
        )
    )
    return story


def _actions(data: CommitteeData, styles: Styles) -> list[Flowable]:
    story: list[Flowable] = [
        CondPageBreak(40 * mm),
        Paragraph(pdf_text(SECTION_ACTIONS), styles.h1),
    ]
    items = [("Décision", a) for a in data.decisions] + [("Action", a) for a in data.actions]
    if not items:
        return [*story, Paragraph("Aucune décision ni action ouverte.", styles.body)]
    as_of = data.scope.as_of
    story.append(
        _table(
            ["Type", "Libellé", "Responsable", "Échéance", "Retard", "Étape"],
            [
                [
                    kind,
                    a.text,
                    a.owner_label,
                    format_date(a.due_date),
                    f"{a.days_late(as_of)} j" if kind == "Action" and a.days_late(as_of) else "—",
                    a.step_id or "—",
                ]
                for kind, a in items
            ],
            [1.3, 6.2, 2.2, 1.9, 1.1, 1.1],
            styles,
        )
    )
    story.append(
        Paragraph(
            pdf_text(
                f"Décisions et actions enregistrées au {format_date(as_of)}, actions ouvertes à "
                "cette date."
            ),
            styles.note,
        )
    )
    return story


def _definitions(data: CommitteeData, styles: Styles) -> list[Flowable]:
    rows = [
        [data.label(row.metric_id), definition]
        for row in headline_rows(data)
        if (definition := catalog.definition_of(row.metric_id, data.settings))
    ]
    if not rows:
        return []
    return [
        CondPageBreak(40 * mm),
        Paragraph(pdf_text(SECTION_DEFINITIONS), styles.h1),
        _table(["Indicateur", "Définition"], rows, [1.0, 2.6], styles),
    ]


def build_report(data: CommitteeData, *, with_images: bool = True) -> bytes:
    """The committee report as PDF bytes (A4, French); ``with_images=False`` leaves the chart
    drawings out (their summary, footnote and data table stay)."""
    styles = _styles()
    buffer = io.BytesIO()
    document = _ReportTemplate(buffer, data, styles)
    story: list[Flowable] = [
        *_opening(data, styles),
        *_headline(data, styles),
        *_highlights(data, styles),
    ]
    story += [CondPageBreak(90 * mm), Paragraph(pdf_text(SECTION_CHARTS), styles.h1)]
    for desc in committee_charts(data):
        story += _chart(desc, styles, with_images)
    story += _coverage_map(data, styles, with_images)
    story += _late_steps(data, styles)
    story += _actions(data, styles)
    story += _definitions(data, styles)
    document.build(story, canvasmaker=functools.partial(_NumberedCanvas, as_of=data.scope.as_of))
    return buffer.getvalue()


def report_file_name(committee_date: dt.date) -> str:
    """« rapport-comite-de-suivi_2024-06-30.pdf »: French, dated by the committee."""
    return f"rapport-comite-de-suivi_{committee_date.isoformat()}.pdf"


def committee_report(
    engine: Engine,
    settings: Settings,
    committee_date: dt.date,
    *,
    period_from: dt.date | None = None,
    period_to: dt.date | None = None,
    as_of: dt.date | None = None,
    territory: Territory | None = None,
    payer: str | None = None,
    with_images: bool = True,
) -> bytes:
    """Gather one committee's figures (the page's and the deck's gathering) and print them.
    Nothing is stored: the report is read-only, unlike the deck and its snapshot."""
    data = gather_committee(
        engine,
        settings,
        committee_date,
        period_from=period_from,
        period_to=period_to,
        as_of=as_of,
        territory=territory,
        payer=payer,
    )
    return build_report(data, with_images=with_images)


def export_report(
    engine: Engine,
    settings: Settings,
    *,
    period_from: dt.date,
    period_to: dt.date,
    as_of: dt.date | None = None,
    committee_date: dt.date | None = None,
    territory: Territory | None = None,
    payer: str | None = None,
    with_images: bool = True,
) -> bytes:
    """The report of an explicit period (the CLI's entry point); the committee is dated by
    the period's end unless told."""
    return committee_report(
        engine,
        settings,
        committee_date or period_to,
        period_from=period_from,
        period_to=period_to,
        as_of=as_of,
        territory=territory,
        payer=payer,
        with_images=with_images,
    )
