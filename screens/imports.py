"""« Imports » (administrators): upload, check the report, confirm, see the history, undo."""

import hashlib

import streamlit as st

from data_access.exceptions import DataAccessError
from data_access.import_history import list_runs, run_rejections, uploaded_files
from data_access.importers.bundle import BundleImporter
from data_access.importers.data_inclusion import DataInclusionImporter
from data_access.importers.pipeline import describe_result, preview, run_import
from data_access.importers.rdv_insertion import RdvInsertionImporter
from data_access.importers.reading import ReadLimits
from data_access.importers.undo import describe_undo, undo_run
from data_access.inventory import is_demo_database
from formatting import format_datetime, format_int
from metrics.quality import source_label
from settings import DEFAULT_KEY_REFUSAL, DEFAULT_KEY_WARNING, DEMO_DATABASE_REFUSAL
from ui.auth import audit, current_user, require_role
from ui.context import get_context
from ui.plain_text import escape_markdown
from ui.scope_bar import keep_scope
from ui.tables import data_table

SOURCES = {
    "rdv_insertion": "RDV-Insertion (export des usagers, et des rendez-vous en option)",
    "bundle": "Lot de fichiers d'échange (.zip de CSV ou plusieurs fichiers)",
    "data_inclusion": "data·inclusion / DORA (structures et services partenaires)",
}
PREVIEW_KEY = "imports_preview"
SHOWN = 1000  # rows of errors or warnings listed on screen (all are counted)

context = get_context()
st.title("Imports")
st.caption(keep_scope())
require_role("admin")
demo_database = is_demo_database(context.engine)
if context.settings.uses_default_pseudonymisation_key and not demo_database:
    st.error(DEFAULT_KEY_REFUSAL)
    st.stop()
if not context.settings.uses_default_pseudonymisation_key and demo_database:
    # The demo opens without sign-in (anyone may choose « Administration »): no real data there.
    st.error(DEMO_DATABASE_REFUSAL)
    st.stop()
if context.settings.uses_default_pseudonymisation_key:
    st.warning(DEFAULT_KEY_WARNING)
st.caption(
    "Chaque import est vérifié avant d'être écrit : vous voyez le compte rendu (lignes "
    "acceptées, lignes rejetées avec leur ligne, leur champ et la raison, colonnes inconnues) "
    "avant de confirmer. Un import s'écrit en entier ou pas du tout, et peut être annulé."
)

source = st.radio("Source", list(SOURCES), format_func=SOURCES.__getitem__, key="imports_source")
uploads: list[tuple[str, bytes]] = []
appointments: tuple[str, bytes] | None = None
if source == "rdv_insertion":
    users_file = st.file_uploader(
        "Export des usagers (CSV ou .xlsx)", type=["csv", "txt", "xlsx"], key="imports_users"
    )
    rdvs_file = st.file_uploader(
        "Export des rendez-vous (facultatif)", type=["csv", "txt", "xlsx"], key="imports_rdvs"
    )
    if users_file is not None:
        uploads = [(users_file.name, users_file.getvalue())]
    if rdvs_file is not None:
        appointments = (rdvs_file.name, rdvs_file.getvalue())
else:
    accepted = ["csv", "txt", "xlsx", "zip"] + (["json"] if source == "data_inclusion" else [])
    chosen = st.file_uploader(
        "Fichiers", type=accepted, accept_multiple_files=True, key=f"imports_files_{source}"
    )
    uploads = [(f.name, f.getvalue()) for f in chosen or []]

skip_invalid = st.checkbox(
    "Écrire les lignes valides même si d'autres sont rejetées",
    help="Les lignes rejetées sont conservées dans le compte rendu de l'import.",
    key="imports_skip_invalid",
)


def _importer():
    """The importer for the chosen source and the uploaded files."""
    if source == "rdv_insertion":
        name, data = uploads[0]
        return RdvInsertionImporter(
            data,
            name,
            context.settings.pseudonymisation_key,
            appointments[1] if appointments else None,
            appointments[0] if appointments else None,
            context.settings.orientation_types,
        )
    files = uploaded_files(uploads, ReadLimits.from_settings(context.settings))
    if source == "bundle":
        name = " + ".join(n for n, _ in uploads)
        return BundleImporter(files, name, context.settings)
    return DataInclusionImporter(files, context.settings)


def _fingerprint() -> str:
    digest = hashlib.sha256(source.encode())
    for name, data in [*uploads, *([appointments] if appointments else [])]:
        digest.update(name.encode() + hashlib.sha256(data).digest())
    return digest.hexdigest()


def _show_report(report, warnings) -> None:
    """The validation report: counts per file, errors, unknown columns, notes."""
    cols = st.columns(3)
    cols[0].metric("Lignes lues", format_int(report.rows_read))
    cols[1].metric("Lignes acceptées", format_int(report.rows_read - report.rows_rejected))
    cols[2].metric("Lignes rejetées", format_int(report.rows_rejected))
    data_table(
        {
            "Fichier": [f.file_name for f in report.files],
            "Lues": [format_int(f.rows_read) for f in report.files],
            "Rejetées": [format_int(f.rows_rejected) for f in report.files],
            "Colonnes inconnues (ignorées)": [
                ", ".join(f.unknown_columns) or "—" for f in report.files
            ],
        },
        file_stem="import-fichiers",
        key="imports-files",
    )
    if report.errors:
        shown = " (les 1 000 premières ci-dessous)" if len(report.errors) > SHOWN else ""
        st.error(f"{format_int(len(report.errors))} erreur(s) : lignes rejetées{shown}.")
        errors = report.errors[:SHOWN]
        data_table(
            {
                "Fichier": [e.file for e in errors],
                "Ligne": [e.line if e.line is not None else "—" for e in errors],
                "Champ": [e.field or "—" for e in errors],
                "Raison": [e.message for e in errors],
            },
            file_stem="import-erreurs",
            key="imports-errors",
        )
    if warnings:
        shown = " (les 1 000 premiers ci-dessous)" if len(warnings) > SHOWN else ""
        st.warning(
            f"{format_int(len(warnings))} avertissement(s) : lignes importées quand même{shown}."
        )
        warnings = warnings[:SHOWN]
        data_table(
            {
                "Fichier": [w.file for w in warnings],
                "Ligne": [w.line for w in warnings],
                "Champ": [w.field or "—" for w in warnings],
                "Remarque": [w.message for w in warnings],
            },
            file_stem="import-avertissements",
            key="imports-warnings",
        )
    other_notes = [n for n in report.notes if not n.startswith("  ")]
    for note in other_notes:
        if "avertissement" not in note:
            st.info(escape_markdown(note))


if uploads and st.button("Vérifier", type="primary", key="imports_check"):
    try:
        importer = _importer()
        report = preview(context.engine, importer)
        # Keep the report and warnings only: the importer holds every parsed row.
        warnings = list(getattr(importer, "warnings", []))
        st.session_state[PREVIEW_KEY] = (_fingerprint(), report, warnings)
        del importer
    except DataAccessError as exc:
        st.session_state.pop(PREVIEW_KEY, None)
        st.error(escape_markdown(exc))

checked = st.session_state.get(PREVIEW_KEY)
if checked and uploads and checked[0] == _fingerprint():
    _, report, warnings = checked
    st.header("Compte rendu de vérification")
    _show_report(report, warnings)
    writable = report.ok or (skip_invalid and report.rows_rejected < report.rows_read)
    if not writable:
        st.info(
            "Corrigez le fichier, ou cochez « Écrire les lignes valides… » pour importer les "
            "lignes acceptées seulement."
        )
    if st.button("Confirmer l'import", disabled=not writable, key="imports_confirm"):
        require_role("admin")
        try:
            result = run_import(
                context.engine, _importer(), user=current_user(), skip_invalid=skip_invalid
            )
        except DataAccessError as exc:
            st.error(escape_markdown(exc))
            audit("import_refused", f"{SOURCES[source]} — import refusé")
        else:
            audit(
                "import",
                f"import n° {result.run_id} — {SOURCES[source]} — "
                f"{result.report.rows_read} lignes lues",
            )
            st.session_state.pop(PREVIEW_KEY, None)
            st.session_state["imports_done"] = describe_result(result)
            st.rerun()

if done := st.session_state.pop("imports_done", None):
    st.success(escape_markdown(done[0]))
    if len(done) > 1:
        st.text("\n".join(done[1:]))

st.header("Historique des imports")
runs = list_runs(context.engine)
if not runs:
    st.write("Aucun import enregistré.")
else:
    data_table(
        {
            "N°": [r.id for r in runs],
            "Source": [source_label(r.source) for r in runs],
            "Fichier": [r.file_name for r in runs],
            "Date": [format_datetime(r.finished_at or r.started_at) for r in runs],
            "Par": [r.user or "—" for r in runs],
            "Statut": [r.status_label for r in runs],
            "Lues": [format_int(r.rows_read) for r in runs],
            "Écrites": [format_int(r.rows_written) for r in runs],
            "Rejetées": [format_int(r.rows_rejected) for r in runs],
        },
        file_stem="historique-des-imports",
        key="imports-history",
    )
    by_id = {r.id: r for r in runs}
    selected = st.selectbox(
        "Import",
        [r.id for r in runs],
        format_func=lambda i: f"n° {i} — {source_label(by_id[i].source)} — {by_id[i].file_name}",
        key="imports_selected",
    )
    rejections = run_rejections(context.engine, selected)
    if rejections:
        with st.expander(f"Lignes rejetées de l'import n° {selected}"):
            data_table(
                {
                    "Fichier": [r.file_name for r in rejections],
                    "Ligne": [r.line for r in rejections],
                    "Champ": [r.field or "—" for r in rejections],
                    "Raison": [r.message for r in rejections],
                },
                file_stem=f"import-{selected}-lignes-rejetees",
                key="imports-rejections",
            )
    if by_id[selected].status != "undone" and st.button(
        f"Annuler l'import n° {selected}", key="imports_undo"
    ):
        require_role("admin")
        try:
            undone = undo_run(context.engine, selected, user=current_user())
        except DataAccessError as exc:
            st.error(escape_markdown(exc))
        else:
            audit("undo", f"import n° {selected}")
            st.session_state["imports_undone"] = describe_undo(undone)
            st.rerun()
    if message := st.session_state.pop("imports_undone", None):
        st.success(escape_markdown(message))
