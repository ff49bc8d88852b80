"""« Faits marquants » in the committee deck: the lead's words next to the figure they explain.

A comment on an indicator drawn in a chart goes on the first chart slide that shows it, in a
text box above the chart; comments on the committee as a whole, and those on indicators
without a chart slide, go on « Faits marquants » slides right after the headline table. Every
slide that carries comments also has them in its speaker notes, for whoever presents. The
text is plain text (cleaned when it was written) put into text runs: PowerPoint never reads
it as markup. Sizes are estimated from the number of characters, as for the footnotes, so
that nothing goes past the slide.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from pptx.dml.color import RGBColor
from pptx.slide import Slide
from pptx.text.text import _Paragraph
from pptx.util import Emu, Inches, Length, Pt

from charts.description import ChartDescription
from charts.theme import BLEU_FRANCE, GREY_TEXT

COMMITTEE_WIDE = "Comité dans son ensemble"
SLIDE_TITLE = "Faits marquants"
# 13 pt over the content width (12.3 in) of a 16:9 slide; 14 pt on the dedicated slides.
BOX_CHARS_PER_LINE = 150
SLIDE_CHARS_PER_LINE = 125
BOX_LINE = Inches(0.24)
SLIDE_LINE = Inches(0.27)
# Lines a chart slide gives to comments before the chart gets too small to read.
BOX_MAX_LINES = 6
# Lines a « Faits marquants » slide holds between its title and its footnote.
SLIDE_MAX_LINES = 16
BLUE = RGBColor.from_string(BLEU_FRANCE.lstrip("#"))
GREY = RGBColor.from_string(GREY_TEXT.lstrip("#"))


class Comment(Protocol):
    """What the deck needs of a « fait marquant » (``data_access.highlights.HighlightView``)."""

    @property
    def metric_id(self) -> str | None: ...
    @property
    def text(self) -> str: ...
    @property
    def signature(self) -> str: ...


def subject(comment: Comment, label: Callable[[str], str]) -> str:
    """« Comité dans son ensemble » or the indicator's label."""
    return COMMITTEE_WIDE if comment.metric_id is None else label(comment.metric_id)


def line(comment: Comment, label: Callable[[str], str]) -> str:
    """One comment as one paragraph of text (speaker notes)."""
    return f"{subject(comment, label)} : {comment.text} ({comment.signature})"


def _lines(text: str, per_line: int) -> int:
    """Estimated lines of ``text`` wrapped at ``per_line`` characters (its own breaks kept)."""
    return sum(max(1, -(-len(part) // per_line)) for part in text.split("\n"))


def chart_indicators(
    desc: ChartDescription, ids: Sequence[str], label: Callable[[str], str]
) -> set[str]:
    """The indicators among ``ids`` a chart shows: their label is one of its categories or
    series (the committee's charts name indicators by their one label)."""
    names = {str(c) for c in desc.categories} | {s.name for s in desc.series} | {desc.title}
    return {metric_id for metric_id in ids if label(metric_id) in names}


def place(
    comments: Sequence[Comment], charts: Sequence[ChartDescription], label: Callable[[str], str]
) -> tuple[dict[str, list[Comment]], list[Comment]]:
    """Comments by chart key (the first chart showing their indicator, as long as the box
    keeps to ``BOX_MAX_LINES``), and those left for the « Faits marquants » slides."""
    ids = sorted({c.metric_id for c in comments if c.metric_id is not None})
    shown = [(desc.key, chart_indicators(desc, ids, label)) for desc in charts]
    on_charts: dict[str, list[Comment]] = {}
    rest: list[Comment] = []
    for comment in comments:
        key = next((k for k, found in shown if comment.metric_id in found), None)
        if key is not None:
            candidate = [*on_charts.get(key, []), comment]
            if box_lines(candidate, label) <= BOX_MAX_LINES:
                on_charts[key] = candidate
                continue
        rest.append(comment)
    return on_charts, rest


def box_lines(comments: Sequence[Comment], label: Callable[[str], str]) -> int:
    """Estimated lines of the comment box of a chart slide."""
    return sum(_lines(_box_text(c, label), BOX_CHARS_PER_LINE) for c in comments)


def box_height(comments: Sequence[Comment], label: Callable[[str], str]) -> Emu:
    """The room the comment box takes above a chart (nothing without comments)."""
    if not comments:
        return Emu(0)
    return Emu(int(BOX_LINE * box_lines(comments, label) + Inches(0.15)))


def _box_text(comment: Comment, label: Callable[[str], str]) -> str:
    return f"Fait marquant — {subject(comment, label)} : {comment.text} ({comment.signature})"


def comment_box(
    slide: Slide,
    comments: Sequence[Comment],
    label: Callable[[str], str],
    *,
    left: Length,
    top: Length,
    width: Length,
) -> None:
    """The comments of a chart slide, one paragraph each: « Fait marquant — subject : »
    in blue, the text, then who wrote it and when in grey."""
    box = slide.shapes.add_textbox(left, top, width, box_height(comments, label))
    frame = box.text_frame
    frame.word_wrap = True
    for index, comment in enumerate(comments):
        paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
        _runs(paragraph, f"Fait marquant — {subject(comment, label)} : ", comment, Pt(13))


def _runs(paragraph: _Paragraph, lead: str, comment: Comment, size: Length) -> None:
    head = paragraph.add_run()
    head.text = lead
    head.font.bold, head.font.size, head.font.color.rgb = True, size, BLUE
    body = paragraph.add_run()
    body.text = comment.text
    body.font.size, body.font.color.rgb = size, GREY
    sign = paragraph.add_run()
    sign.text = f" ({comment.signature})"
    sign.font.size, sign.font.italic, sign.font.color.rgb = size, True, GREY


def speaker_notes(slide: Slide, comments: Sequence[Comment], label: Callable[[str], str]) -> None:
    """Add the comments to the slide's speaker notes, after what is already there."""
    if not comments:
        return
    frame = slide.notes_slide.notes_text_frame
    if frame is None:  # a notes page without a body placeholder: nowhere to write
        return
    lines = [SLIDE_TITLE, *(f"— {line(c, label)}" for c in comments)]
    existing = frame.text
    frame.text = "\n".join([existing, "", *lines] if existing else lines)


def slide_pages(comments: Sequence[Comment], label: Callable[[str], str]) -> list[list[Comment]]:
    """Committee-wide comments first, then by indicator, cut into slides that fit."""
    ordered = sorted(comments, key=lambda c: c.metric_id is not None)
    pages: list[list[Comment]] = []
    used = SLIDE_MAX_LINES + 1
    for comment in ordered:
        need = _lines(f"{line(comment, label)}", SLIDE_CHARS_PER_LINE) + 1  # + paragraph space
        if used + need > SLIDE_MAX_LINES and (not pages or pages[-1]):
            pages.append([])
            used = 0
        pages[-1].append(comment)
        used += need
    return pages


def fill_slide(
    slide: Slide,
    comments: Sequence[Comment],
    label: Callable[[str], str],
    *,
    left: Length,
    top: Length,
    width: Length,
    height: Length,
) -> None:
    """The body of a « Faits marquants » slide: one paragraph per comment."""
    box = slide.shapes.add_textbox(left, top, width, height)
    frame = box.text_frame
    frame.word_wrap = True
    for index, comment in enumerate(comments):
        paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
        paragraph.space_after = Pt(8)
        _runs(paragraph, f"{subject(comment, label)} : ", comment, Pt(14))
