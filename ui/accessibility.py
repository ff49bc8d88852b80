"""What the app does for accessibility on every page, beyond what each widget offers.

Streamlit serves every page as ``<html lang="en">``, names some of its own controls in English,
shows a faint focus on the sidebar links, lets focus fall to ``<body>`` after a form is submitted
and puts a « Link to heading » anchor in the tab order for each heading. ``page_setup()``
(called once per run by ``app.py``) corrects what the app can from inside the page:

- the page language is set to French (``document.documentElement.lang``); the production set-up
  also rewrites it at the reverse proxy, so the very first HTML already says ``fr`` (README);
- Streamlit's English labels the app can reach (``aria-label``, ``title``, placeholders and a
  few texts) are translated, including those drawn after the first render;
- focus is visible everywhere (3 px outline in bleu France, 14.9:1 on white);
- heading anchors and Plotly's toolbar are hidden, so they leave the tab order;
- after a form is submitted, focus goes to the message it produced (success or error) or back
  to the form, never to the top of the document;
- icons drawn with ligatures (« dashboard », « keyboard_arrow_right ») are hidden from screen
  readers, which would read their English names as part of the link or button;
- each chart drawing is one image named by its title, since the heading, summary and data table
  around it are its text alternative (the SVG's tick labels read one by one mean nothing).

The script lives in the main document (``st.html`` with JavaScript, not an iframe), installs
itself once per browser tab and keeps working across reruns through a ``MutationObserver``.
"""

from __future__ import annotations

import json

import streamlit as st

from charts.theme import BLEU_FRANCE

# Streamlit's English names and texts, as they appear in its frontend, with their French.
ENGLISH_LABELS: dict[str, str] = {
    "Skip to main content": "Aller au contenu principal",
    "Collapse sidebar": "Replier le menu latéral",
    "Expand sidebar": "Déplier le menu latéral",
    "Choose date": "Choisir une date",
    "Choose date range": "Choisir une période",
    "Download as CSV": "Télécharger en CSV",
    "Search": "Rechercher",
    "Fullscreen": "Plein écran",
    "Close fullscreen": "Quitter le plein écran",
    "Upload": "Parcourir",
    "Browse files": "Parcourir les fichiers",
    "Drag and drop files here": "Glissez-déposez les fichiers ici",
    "Drag and drop file here": "Glissez-déposez le fichier ici",
    "Main menu": "Menu principal",
    "Clear all": "Tout effacer",
    "Clear value": "Effacer",
    "Choose an option": "Choisissez une option",
    "Choose options": "Choisissez des options",
    "No results": "Aucun résultat",
    "Open": "Ouvrir",
    "Close": "Fermer",
    "Delete": "Supprimer",
    "Remove file": "Retirer le fichier",
    "Link to heading": "Lien vers ce titre",
    "Running...": "Calcul en cours…",
    "Stop": "Arrêter",
    "Previous month.": "Mois précédent.",
    "Next month.": "Mois suivant.",
    "Select a date.": "Choisissez une date.",
    "Calendar.": "Calendrier.",
    "Show password text": "Afficher le mot de passe",
    "Hide password text": "Masquer le mot de passe",
    "Show less": "Afficher moins",
    "Show more": "Afficher plus",
    "Copy to clipboard": "Copier dans le presse-papiers",
    "Show/hide columns": "Afficher ou masquer des colonnes",
    "App pages": "Pages du tableau de bord",
    "Sidebar": "Menu latéral",
    "Selected values": "Valeurs sélectionnées",
    "file upload": "dépôt de fichiers",
    "Decrement": "Diminuer",
    "Increment": "Augmenter",
}
# Labels that start with an English phrase followed by the app's own French text.
ENGLISH_PREFIXES: dict[str, str] = {
    "Help for ": "Aide : ",
    "Selected ": "Sélectionné : ",
    "Remove ": "Retirer ",
    "day, ": "jour, ",
    "month, ": "mois, ",
    "year, ": "année, ",
}

# English texts with a number in them, as JavaScript regular expressions and their French:
# the file uploader's « 100MB per file » (the limit set by server.maxUploadSize).
ENGLISH_PATTERNS: dict[str, str] = {
    r"^(\d+(?:\.\d+)?)\s?MB per file$": "$1 Mo par fichier",
    r"^(\d+(?:\.\d+)?)\s?KB per file$": "$1 Ko par fichier",
    r"^(\d+(?:\.\d+)?)\s?GB per file$": "$1 Go par fichier",
}

CSS = f"""
<style>
/* Visible focus on every control (Streamlit's sidebar links had a grey of about 1.1:1). */
a:focus-visible, button:focus-visible, summary:focus-visible, input:focus-visible,
textarea:focus-visible, [role="button"]:focus-visible, [role="tab"]:focus-visible,
[role="option"]:focus-visible, [tabindex]:focus-visible,
[data-testid="stSidebarNavLink"]:focus-visible {{
  outline: 3px solid {BLEU_FRANCE} !important;
  outline-offset: 2px !important;
  box-shadow: none !important;
}}
[data-testid="stSidebarNavLink"]:focus-visible {{ outline-offset: -3px !important; }}
/* Heading anchors: out of the tab order and of the accessibility tree. */
[data-testid="stHeaderActionElements"] {{ display: none !important; }}
/* Plotly's toolbar: our own PNG, SVG and CSV buttons replace it. */
.modebar-container, .modebar {{ display: none !important; }}
/* The element that carries this script takes no room. */
[data-testid="stElementContainer"]:has(.pilotage-a11y) {{ display: none; }}
/* Chart titles and summaries written above each chart. */
h3.pilotage-chart-title {{
  font-size: 1.15rem; font-weight: 700; margin: 0.75rem 0 0.25rem 0; padding: 0;
  line-height: 1.4;
}}
p.pilotage-chart-summary {{ margin: 0 0 0.25rem 0; }}
/* Card titles wrap instead of ending in « … »: three cards « Part des orientations… » could
   not be told apart at 1280 px. */
[data-testid="stMetricLabel"], [data-testid="stMetricLabel"] * {{
  white-space: normal !important; overflow: visible !important; text-overflow: clip !important;
  height: auto !important;
}}
</style>
"""

# The script must not come first (the HTML sanitiser parses the body as a document, and a
# leading <script> lands in its <head>, which is dropped), and its text must hold no « < »
# followed by a letter or « / »: the sanitiser removes such a script whole.
SCRIPT = """
<div hidden class="pilotage-a11y"></div>
<script id="pilotage-a11y">
(() => {
  const doc = window.document;
  doc.documentElement.lang = "fr";
  if (window.__pilotageA11y) { return; }
  window.__pilotageA11y = true;
  const LABELS = __LABELS__;
  const PREFIXES = __PREFIXES__;
  const PATTERNS = Object.entries(__PATTERNS__).map(
    ([source, frenchText]) => [new RegExp(source), frenchText]
  );
  const ATTRS = ["aria-label", "title", "placeholder"];

  const french = (value) => {
    if (!value) { return null; }
    const trimmed = value.trim();
    if (Object.prototype.hasOwnProperty.call(LABELS, trimmed)) { return LABELS[trimmed]; }
    for (const [english, frenchPrefix] of Object.entries(PREFIXES)) {
      if (trimmed.startsWith(english)) { return frenchPrefix + trimmed.slice(english.length); }
    }
    for (const [pattern, frenchText] of PATTERNS) {
      if (pattern.test(trimmed)) { return trimmed.replace(pattern, frenchText); }
    }
    return null;
  };

  const translate = (root) => {
    for (const attr of ATTRS) {
      for (const el of root.querySelectorAll(`[${attr}]`)) {
        const value = french(el.getAttribute(attr));
        if (value !== null && value !== el.getAttribute(attr)) { el.setAttribute(attr, value); }
      }
    }
    const walker = doc.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const value = french(node.nodeValue);
      if (value !== null) { node.nodeValue = node.nodeValue.replace(node.nodeValue.trim(), value); }
    }
  };

  // A chart drawing is one image named by its title; its text alternative is around it.
  const nameCharts = () => {
    for (const chart of doc.querySelectorAll('[data-testid="stPlotlyChart"]')) {
      const block = chart.closest('[data-testid="stVerticalBlock"]');
      let title = null;
      if (block) {
        const headings = [...block.querySelectorAll("h3.pilotage-chart-title")].filter(
          (h) => h.compareDocumentPosition(chart) & Node.DOCUMENT_POSITION_FOLLOWING
        );
        title = headings.length ? headings[headings.length - 1].textContent : null;
      }
      const label = title
        ? `Graphique : ${title}. Résumé au-dessus, données dans le tableau en dessous.`
        : "Graphique : voir le tableau de données en dessous.";
      if (chart.getAttribute("aria-label") !== label) {
        chart.setAttribute("role", "img");
        chart.setAttribute("aria-label", label);
      }
    }
  };

  // Focus after a form submit: the message the submit produced (an alert that was not on the
  // page before), else the form's first field. Streamlit may render twice (the submit, then
  // st.rerun), so the check repeats for a few seconds while focus sits on the body.
  let pending = null;
  const alertTexts = () =>
    new Set([...doc.querySelectorAll('[data-testid="stAlert"]')].map((a) => a.textContent));
  const formKey = (form) =>
    form ? [...form.classList].find((c) => c.startsWith("st-key-")) || "" : "";
  const submitted = (form) => {
    pending = { key: formKey(form), before: alertTexts(), until: Date.now() + 5000 };
    for (const delay of [300, 800, 1500, 2500, 4000]) { window.setTimeout(restoreFocus, delay); }
  };
  doc.addEventListener("click", (event) => {
    const button = event.target.closest('[data-testid="stFormSubmitButton"] button');
    if (button) { submitted(button.closest('[data-testid="stForm"]')); }
  }, true);
  doc.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && event.target.closest('[data-testid="stForm"] input')) {
      submitted(event.target.closest('[data-testid="stForm"]'));
    }
  }, true);
  const restoreFocus = () => {
    if (pending === null) { return; }
    if (Date.now() > pending.until) { pending = null; return; }
    const app = doc.querySelector('[data-testid="stApp"]');
    if (app && app.getAttribute("data-test-script-state") !== "notRunning") { return; }
    const active = doc.activeElement;
    if (active && active !== doc.body && active.isConnected) { return; }
    const main = doc.querySelector('[data-testid="stMain"]') || doc.body;
    let target = [...main.querySelectorAll('[data-testid="stAlert"]')].find(
      (a) => !pending.before.has(a.textContent)
    );
    const form = pending.key
      ? main.querySelector(`.${CSS.escape(pending.key)}`)
      : null;
    if (!target && form) {
      target = form.querySelector("input, textarea, [role='combobox'], button");
    }
    if (!target) { target = main.querySelector("h1"); }
    if (target) {
      if (!target.matches("input, textarea, button, [role='combobox'], a[href]")) {
        target.setAttribute("tabindex", "-1");
      }
      target.focus({ preventScroll: false });
    }
  };

  // Material icons are ligatures: their text (« dashboard », « keyboard_arrow_right ») would be
  // read as part of the link or button name.
  const hideIcons = () => {
    for (const icon of doc.querySelectorAll('[data-testid="stIconMaterial"]:not([aria-hidden])')) {
      icon.setAttribute("aria-hidden", "true");
    }
  };

  let scheduled = false;
  const update = () => {
    scheduled = false;
    if (doc.documentElement.lang !== "fr") { doc.documentElement.lang = "fr"; }
    translate(doc.body);
    hideIcons();
    nameCharts();
    if (pending !== null) { window.setTimeout(restoreFocus, 150); }
  };
  const schedule = () => {
    if (!scheduled) { scheduled = true; window.requestAnimationFrame(update); }
  };
  new MutationObserver(schedule).observe(doc.documentElement, {
    subtree: true, childList: true, characterData: true, attributes: true,
    attributeFilter: ["aria-label", "title", "placeholder", "lang", "data-test-script-state"],
  });
  update();
})();
</script>
"""


def page_script() -> str:
    """The page script with its dictionaries filled in."""
    return (
        SCRIPT.replace("__LABELS__", json.dumps(ENGLISH_LABELS, ensure_ascii=False))
        .replace("__PREFIXES__", json.dumps(ENGLISH_PREFIXES, ensure_ascii=False))
        .replace("__PATTERNS__", json.dumps(ENGLISH_PATTERNS, ensure_ascii=False))
    )


def page_setup() -> None:
    """Styles and script of every page (call once per run, before the page content)."""
    st.html(CSS)
    st.html(page_script(), unsafe_allow_javascript=True)


STATEMENT_DATE = "1er décembre 2026"

# Known defects of the framework the app cannot correct from inside the page, stated in the
# accessibility statement. The browser test allows exactly these axe rules, on elements inside
# these selectors, and fails on every other violation.
FRAMEWORK_VIOLATIONS: dict[str, tuple[str, ...]] = {
    # The sidebar menu: Streamlit puts its section titles and links in a <ul> whose children
    # are not all <li>, and <li> elements outside of a list.
    "list": ('[data-testid="stSidebarNav"]',),
    "listitem": ('[data-testid="stSidebarNav"]',),
    # The file uploader's drop zone: role="presentation" on an element that takes focus.
    "presentation-role-conflict": ('[data-testid="stFileUploader"]', ".stFileUploader"),
}
FRAMEWORK_DEFECTS: dict[str, str] = {
    "menu": "Menu latéral : les titres de section et les liens sont dans une liste mal formée "
    "(éléments de liste hors d'une liste, liste contenant autre chose que des éléments de "
    "liste) ; les liens restent utilisables au clavier et annoncés.",
    "upload": "Dépôt de fichiers (page « Imports ») : la zone de dépôt a un rôle de présentation "
    "tout en recevant le focus ; le bouton « Parcourir » à côté permet de choisir les fichiers.",
    "lang": "Langue de la page : le cadriciel sert chaque page avec une langue anglaise ; le "
    "tableau de bord la remplace par le français dès son chargement, et le mandataire inverse de "
    "production la corrige dans le code HTML servi.",
    "labels": "Libellés du cadriciel : quelques libellés internes restent en anglais le temps "
    "du chargement de la page ou dans des fenêtres peu utilisées (calendrier du champ de date, "
    "menu des tableaux interactifs), et le champ de date annonce le mois en anglais (« 06 – "
    "June ») ; ceux que le tableau de bord peut atteindre sont traduits.",
    "date": "Champ de date : les zones du jour et du mois mesurent moins de 24 × 24 pixels "
    "(critère 2.5.8 des WCAG 2.2, hors RGAA 4.1) ; le calendrier et le clavier restent "
    "utilisables.",
    "focus": "Après l'envoi d'un formulaire, le cadriciel recharge la page ; le tableau de bord "
    "replace alors le focus sur le message de confirmation ou d'erreur, ou sur le formulaire.",
}
