"""The quality page says how many persons lack each date of the legal delays, and which date
replaces it (both engines).

35 persons in Guéret, threshold 11:
- A (12): no date at all, each oriented on 01/02 without a notification date;
- B (12): information received and request dated, oriented with a notification;
- C (11): transferred in (transfer date only), not oriented.
Hence: receipt of the information missing (entry date used) 12 — A, since C's transfer date
starts their delay; request missing 23 — A and C; orientation without notification 12 — A.
"""

from __future__ import annotations

import pytest

from metrics.quality import describe_report, quality_report
from tests.conftest import listing_context
from tests.unit.metrics_data import Dataset


@pytest.fixture
def report(db):
    data = Dataset()
    for _ in range(12):
        pid = data.person("2025-01-10")
        data.orientation(pid, "2025-02-01")
    for _ in range(12):
        pid = data.person("2025-01-10", request="2024-12-20", right_info="2025-01-11")
        data.orientation(pid, "2025-02-01", notified="2025-02-03")
    for _ in range(11):
        data.person("2025-01-10", transfer_in="2025-01-12")
    data.save(db.engine)
    return quality_report(listing_context(db.engine, 11))


@pytest.mark.parametrize(
    ("check_id", "count"),
    [
        ("sans_reception_information", 12),
        ("sans_demande_rsa", 23),
        ("orientation_sans_notification", 12),
    ],
)
def test_missing_legal_dates_are_counted(report, check_id, count):
    check = next(c for c in report.fallbacks() if c.id == check_id)
    assert (check.total.count, check.total.persons) == (count, 35)
    gueret = next(c for c in check.by_utas if c.key == "Guéret")
    assert (gueret.count, gueret.suppressed) == (count, False)


def test_the_terminal_report_names_the_replacement(report):
    lines = describe_report(report, 11)
    assert "  Notification non datée → date de décision : 12" in lines
    definitions = " ".join(c.definition for c in report.fallbacks())
    assert "date d'entrée, utilisée à la place" in definitions
    assert "date de la décision, utilisée à la place" in definitions
