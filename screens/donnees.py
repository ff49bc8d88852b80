"""« Données disponibles »: what the database holds (counts per table, period, last import)."""

import streamlit as st

from data_access.inventory import database_summary
from formatting import format_date, format_datetime, format_int
from ui.context import get_context
from ui.plain_text import show_text
from ui.scope_bar import keep_scope

context = get_context()
summary = database_summary(context.engine)

st.title("Données disponibles")
st.caption(keep_scope())
st.caption(f"Base opérationnelle du département : {context.settings.departement_name}.")

if summary.first_entry is None:
    st.info("Aucune donnée : la base ne contient encore aucun bénéficiaire.")
else:
    st.markdown(
        f"Entrées dans le RSA du **{format_date(summary.first_entry)}** "
        f"au **{format_date(summary.last_entry)}**."
    )

st.header("Enregistrements par table")
st.table(
    {
        "Table": list(summary.counts),
        "Enregistrements": [format_int(n) for n in summary.counts.values()],
    }
)

st.header("Dernier import")
if summary.last_import is None:
    st.write("Aucun import enregistré.")
else:
    run = summary.last_import
    when = format_datetime(run.finished_at) if run.finished_at else "en cours"
    show_text(f"{run.source} — {run.file_name} — {when} — statut : {run.status}")
