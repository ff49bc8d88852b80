"""« Télécharger le rapport (PDF) »: the printable committee report, on the committee page and
on the weekly point page.

The button is drawn only for a signed-in role that may read the figures, and the report is
built on click (a few seconds: each chart is drawn by Chromium), then recorded in the audit
log like every other export. Both pages give the same report for the same scope: the committee
being prepared at the weekly point is the one the committee page shows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import streamlit as st

from reports.pdf_report import report_file_name
from ui.auth import audited_download, has_role

REPORT_LABEL = "Télécharger le rapport (PDF)"
REPORT_AUDIT = "rapport du comité (PDF)"
REPORT_ROLE = "lecture"


def report_button(
    produce: Callable[[], bytes], committee_date: dt.date, *, key: str, help: str
) -> None:
    """The download button of the report built by ``produce`` (called on click)."""
    if not has_role(REPORT_ROLE):
        return
    st.download_button(
        REPORT_LABEL,
        data=audited_download(produce, REPORT_AUDIT),
        file_name=report_file_name(committee_date),
        mime="application/pdf",
        on_click="ignore",
        icon=":material/picture_as_pdf:",
        key=key,
        help=help,
    )
