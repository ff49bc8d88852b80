"""On the demo, a comment on an indicator drawn in a chart goes on that chart's slide (a text
box above the chart, inside the slide) and in its speaker notes."""

from __future__ import annotations

import datetime as dt
import io

from pptx import Presentation

from data_access.highlights import add_highlight
from reports.deck import export_deck

FROM, TO = dt.date(2024, 5, 1), dt.date(2024, 6, 30)
TEXT = "Panne du logiciel de convocation du 6 au 17 mai."


def test_indicator_comment_is_on_its_chart_slide_and_in_its_notes(demo_copy):
    add_highlight(
        demo_copy.engine,
        TEXT,
        metric_id="convocation_within_15d_rate",
        period_start=FROM,
        period_end=TO,
        user="Cheffe de projet",
        now=dt.datetime(2024, 6, 20, 9),
    )
    content = export_deck(
        demo_copy.engine, demo_copy.settings, period_from=FROM, period_to=TO, as_of=TO
    )
    prs = Presentation(io.BytesIO(content))
    on_charts = []
    for slide in prs.slides:
        has_chart = any(shape.has_chart for shape in slide.shapes)
        boxes = [s for s in slide.shapes if s.has_text_frame and TEXT in s.text_frame.text]
        notes = slide.notes_slide.notes_text_frame.text if slide.has_notes_slide else ""
        if has_chart and boxes:
            on_charts.append(slide.shapes.title.text)
            assert TEXT in notes
            for box in boxes:  # inside the slide, above the chart
                assert box.left >= 0 and box.left + box.width <= prs.slide_width
                assert box.top + box.height <= prs.slide_height
                chart = next(s for s in slide.shapes if s.has_chart)
                assert box.top + box.height <= chart.top
    assert len(on_charts) == 1  # on one slide: the first chart that shows the indicator
