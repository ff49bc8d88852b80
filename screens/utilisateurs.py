"""« Utilisateurs » (administrators): who may open the dashboard, with which role."""

import streamlit as st

from data_access.access import ROLE_LABELS, ROLES, grant_role, list_grants, revoke_role
from data_access.db import session_scope
from data_access.exceptions import DataAccessError
from formatting import format_datetime
from ui.auth import current_user, require_role
from ui.context import get_context
from ui.plain_text import escape_markdown
from ui.tables import data_table

FLASH_KEY = "users_flash"

context = get_context()
st.title("Utilisateurs")
require_role("admin")
st.caption(
    "Une personne connectée reçoit le rôle de son adresse électronique, à défaut celui de son "
    "domaine (@creuse.fr) ; sans l'un ni l'autre, l'accès lui est poliment refusé. Lecture : "
    "toutes les pages d'indicateurs ; pilotage : en plus, feuille de route et instances ; "
    "administration : en plus, imports, utilisateurs et journal d'audit."
)
if context.settings.admin_email:
    st.info(
        f"Premier administrateur défini par la configuration (PILOTAGE_ADMIN_EMAIL) : "
        f"{context.settings.admin_email}. Il reste administrateur quoi qu'indique cette liste."
    )
if flash := st.session_state.pop(FLASH_KEY, None):
    st.success(escape_markdown(flash))

grants = list_grants(context.engine)
if grants:
    data_table(
        {
            "Adresse ou domaine": [g.pattern for g in grants],
            "Rôle": [ROLE_LABELS[g.role] for g in grants],
            "Depuis le": [format_datetime(g.granted_at) for g in grants],
            "Par": [g.granted_by or "—" for g in grants],
        },
        file_stem="utilisateurs",
        key="utilisateurs",
    )
else:
    st.write("Aucune adresse ni aucun domaine n'a encore de rôle.")

left, right = st.columns(2)
with left, st.form("users_add", clear_on_submit=True):
    st.markdown("**Donner ou changer un rôle**")
    pattern = st.text_input(
        "Adresse électronique ou domaine", placeholder="prenom.nom@creuse.fr ou @creuse.fr"
    )
    role = st.selectbox("Rôle", ROLES, format_func=ROLE_LABELS.__getitem__)
    if st.form_submit_button("Enregistrer", type="primary"):
        require_role("admin")
        try:
            with session_scope(context.engine) as session:
                saved = grant_role(session, pattern, role, actor=current_user())
        except DataAccessError as exc:
            st.error(escape_markdown(exc))
        else:
            st.session_state[FLASH_KEY] = f"{saved.pattern} : {ROLE_LABELS[saved.role]}."
            st.rerun()

with right, st.form("users_remove"):
    st.markdown("**Retirer un rôle**")
    chosen = st.selectbox(
        "Adresse ou domaine",
        [g.pattern for g in grants],
        index=None,
        placeholder="Choisissez une adresse ou un domaine" if grants else "Aucun rôle à retirer",
        disabled=not grants,
    )
    if st.form_submit_button("Retirer", disabled=not grants):
        require_role("admin")
        if chosen is None:
            st.error("Choisissez l'adresse ou le domaine dont le rôle est retiré.")
        else:
            try:
                with session_scope(context.engine) as session:
                    revoke_role(session, chosen, actor=current_user())
            except DataAccessError as exc:
                st.error(escape_markdown(exc))
            else:
                st.session_state[FLASH_KEY] = f"{chosen} n'a plus de rôle."
                st.rerun()
