"""« Journal d'audit » (administrators): sign-ins, sensitive pages, exports, edits, imports,
undos and role changes — who, when, what; downloadable as a formula-safe CSV."""

import datetime as dt

import streamlit as st

from charts.csv_export import table_csv
from data_access.audit import ACTION_LABELS, list_audit
from formatting import format_datetime, format_int
from ui.auth import audited_download, require_role
from ui.context import get_context
from ui.tables import data_table

SHOWN = 1000

context = get_context()
st.title("Journal d'audit")
require_role("admin")
st.caption(
    "Connexions, pages sensibles consultées, exports (graphique ou support, périmètre), "
    "modifications, imports, annulations et changements de rôle : qui, quand, quoi. Le journal "
    "ne contient aucune donnée de bénéficiaire. Heures en temps universel (UTC)."
)

entries = list_audit(context.engine)
actions = st.multiselect(
    "Actions",
    list(ACTION_LABELS),
    format_func=ACTION_LABELS.__getitem__,
    placeholder="Toutes les actions",
    key="journal_actions",
)
shown = [e for e in entries if not actions or e.action in actions]
st.write(
    f"{format_int(len(shown))} événement(s) ; les {format_int(SHOWN)} plus récents ci-dessous."
)
if shown:
    data_table(
        {
            "Quand": [format_datetime(e.occurred_at) for e in shown[:SHOWN]],
            "Qui": [e.actor for e in shown[:SHOWN]],
            "Action": [e.action_label for e in shown[:SHOWN]],
            "Détail": [e.detail for e in shown[:SHOWN]],
        },
        file_stem="journal-audit",
        key="journal",
        download=False,
    )
    csv = table_csv(
        ["Quand (UTC)", "Qui", "Action", "Détail"],
        [[e.occurred_at.isoformat(sep=" "), e.actor, e.action_label, e.detail] for e in shown],
    )
    st.download_button(
        "Télécharger le journal (CSV)",
        data=audited_download(csv, "journal d'audit (CSV)"),
        file_name=f"journal-audit_{dt.date.today().isoformat()}.csv",
        mime="text/csv",
        icon=":material/table:",
        on_click="ignore",
        key="journal_csv",
    )
