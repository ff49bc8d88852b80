"""French formatting: the first of the month reads « 1er », one implementation for every layer."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from formatting import format_date, format_datetime, format_day_month, format_rate

ROOT = Path(__file__).resolve().parents[2]


def test_first_of_month_reads_premier():
    assert format_date(dt.date(2024, 1, 1)) == "1er janvier 2024"
    assert format_date(dt.date(2024, 3, 12)) == "12 mars 2024"
    assert format_date(dt.date(2024, 3, 2)) == "2 mars 2024"
    assert format_day_month(dt.date(2024, 3, 1)) == "1er mars"
    assert format_datetime(dt.datetime(2024, 10, 1, 9, 5)) == "1er octobre 2024 à 09:05"
    assert format_datetime(dt.datetime(2024, 10, 21, 14, 30)) == "21 octobre 2024 à 14:30"


def test_no_layer_formats_dates_or_percentages_by_hand():
    """Babel date patterns with a bare day (« d MMMM ») and hand-made percentages bypass the
    French conventions: only formatting.py may call Babel's date formatting with a day."""
    hand_made = re.compile(r"""(['"]d MMMM|format=['"]long['"]|\* 100:\.\d?f\} ?%)""")
    offenders = [
        str(path.relative_to(ROOT))
        for folder in ("charts", "data_access", "metrics", "screens", "ui")
        for path in (ROOT / folder).rglob("*.py")
        if hand_made.search(path.read_text(encoding="utf-8"))
    ] + [name for name in ("cli.py",) if hand_made.search((ROOT / name).read_text())]
    assert offenders == []


def test_whole_percent():
    assert format_rate(0.5, digits=0) == format_rate(0.5, digits=0).replace(",", "")
    assert format_rate(0.5, digits=0).startswith("50") and format_rate(None, digits=0) == "—"


def test_days_late_reads_as_a_sentence():
    from formatting import format_days_late

    assert format_days_late(12) == "en retard de 12 jours"
    assert format_days_late(1) == "en retard de 1 jour"
    assert format_days_late(1234) == "en retard de 1\u202f234 jours"
