"""« Accessibilité »: the accessibility statement in the form the RGAA 4.1 asks for.

Why a page of the app: a public service must publish its statement where its users are, with
the conformity status, what is not accessible (ours and the framework's), a contact and the
recourse to the Défenseur des droits. The framework's known defects come from
``ui.accessibility.FRAMEWORK_DEFECTS``, the same list the browser test allows, so the statement
and the test cannot drift apart.
"""

import streamlit as st

from ui.accessibility import FRAMEWORK_DEFECTS, STATEMENT_DATE
from ui.context import get_context
from ui.scope_bar import keep_scope

context = get_context()
settings = context.settings
owner = f"Le Conseil départemental ({settings.departement_name})"

st.title("Déclaration d'accessibilité")
st.caption(keep_scope())
st.markdown(
    f"{owner} s'engage à rendre ses services numériques accessibles, conformément à "
    "l'article 47 de la loi n° 2005-102 du 11 février 2005. Cette déclaration d'accessibilité "
    "s'applique au tableau de bord **Pilotage RSA**."
)

st.header("État de conformité")
st.markdown(
    "Le tableau de bord Pilotage RSA est **non conforme** avec le RGAA 4.1 (référentiel général "
    "d'amélioration de l'accessibilité) : il n'a pas encore fait l'objet de l'audit complet qui "
    "permettrait de mesurer son taux de conformité. Les non-conformités connues sont listées "
    "ci-dessous."
)

st.header("Résultats des tests")
st.markdown(
    "À chaque modification, un test automatique ouvre chaque page dans un navigateur réel, y "
    "exécute le moteur de contrôle axe-core (règles WCAG 2.1 niveaux A et AA et bonnes "
    "pratiques) et échoue sur toute anomalie qui dépend du tableau de bord. Il vérifie aussi "
    "la langue de la page, la hiérarchie des titres et l'absence d'ancres de titre et de barre "
    "d'outils Plotly dans l'ordre de tabulation. Ce contrôle automatique ne remplace pas un audit."
)

st.header("Contenus non accessibles")
st.subheader("Non-conformités")
st.markdown(
    """
- **Graphiques** : le dessin d'un graphique n'est pas navigable au clavier ni lisible par un
  lecteur d'écran. Chaque graphique a une alternative : son titre, une phrase qui résume ce
  qu'il montre et le tableau de ses données (« Données du graphique : ‹titre› »), ainsi qu'un
  export CSV. Le détail au survol (infobulles) n'existe qu'à la souris ; les mêmes valeurs sont
  dans le tableau.
- **Tableaux interactifs** : les tableaux triables (historique des imports, qualité des
  données, réunions…) sont dessinés dans un canevas par le cadriciel ; leur lecture par les
  lecteurs d'écran est partielle. Les tableaux de données des graphiques sont de vrais tableaux
  HTML.
- **Support du comité (PowerPoint)** : son accessibilité n'a pas été vérifiée. Ses graphiques
  sont des graphiques natifs dont les données se lisent dans PowerPoint ; la carte des communes
  y est une image, dont le tableau est sur la page « Offre partenaires ».
"""
)
st.subheader("Défauts du cadriciel (Streamlit)")
st.markdown(
    "Ces défauts viennent du cadriciel sur lequel le tableau de bord est construit ; le tableau "
    "de bord les corrige quand il le peut, sinon ils sont signalés ici :"
)
st.markdown("\n".join(f"- {text}" for text in FRAMEWORK_DEFECTS.values()))
st.subheader("Dérogations pour charge disproportionnée")
st.markdown("Aucune.")
st.subheader("Contenus non soumis à l'obligation d'accessibilité")
st.markdown("Aucun.")

st.header("Établissement de cette déclaration")
st.markdown(
    f"Cette déclaration a été établie le {STATEMENT_DATE}.\n\n"
    "- Technologies utilisées : HTML, CSS, JavaScript, SVG (graphiques Plotly), WAI-ARIA.\n"
    "- Environnement de test : navigateur Chromium sous Linux, au clavier et avec le moteur "
    "axe-core ; contrastes calculés selon la formule des WCAG 2.1.\n"
    "- Pages vérifiées : toutes les pages du menu."
)

st.header("Retour d'information et contact")
contact = settings.accessibility_contact
st.markdown(
    "Si vous n'arrivez pas à accéder à un contenu ou à un service, vous pouvez contacter le "
    "responsable du tableau de bord pour être orienté vers une alternative accessible ou obtenir "
    "le contenu sous une autre forme : "
    + (
        f"**{contact}**."
        if contact
        else f"l'équipe projet RSA du Conseil départemental ({settings.departement_name}), "
        "qui administre ce tableau de bord."
    )
)

st.header("Voies de recours")
st.markdown(
    """
Si vous constatez un défaut d'accessibilité vous empêchant d'accéder à un contenu ou à une
fonctionnalité, que vous nous le signalez et que vous ne parvenez pas à obtenir une réponse de
notre part, vous êtes en droit de faire parvenir vos doléances ou une demande de saisine au
Défenseur des droits. Plusieurs moyens sont à votre disposition :

- écrire un message au Défenseur des droits (formulaire en ligne sur
  [defenseurdesdroits.fr](https://formulaire.defenseurdesdroits.fr/)) ;
- contacter le délégué du Défenseur des droits dans votre région
  ([liste des délégués](https://www.defenseurdesdroits.fr/saisir/delegues)) ;
- envoyer un courrier par la poste (gratuit, ne pas mettre de timbre) : Défenseur des droits,
  Libre réponse 71120, 75342 Paris CEDEX 07.
"""
)
