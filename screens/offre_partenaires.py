"""« Offre partenaires »: where persons with an obstacle find a partner service, and where not."""

import streamlit as st

from charts.coverage_map import (
    coverage_heatmap,
    coverage_map,
    heatmap_summary,
    heatmap_table,
    map_summary,
    map_table,
)
from data_access.exceptions import ReferenceDataError
from data_access.territories import boundaries_file, load_geojson
from formatting import NO_DATA, format_date, format_int, secret_label
from metrics.coverage import (
    SPECS,
    categories_from_results,
    category_label,
    commune_coverage,
    coverage_matrix,
    services_for,
)
from ui.chart_block import figure_block
from ui.context import get_context
from ui.indicators import indicator_cards
from ui.metrics_cache import cached_call, metric_results, show_failures
from ui.scope_bar import scope_bar, scope_caption
from ui.tables import data_table
from ui.thematic import breakdown_tabs

LEVELS = {"utas": "UTAS", "epci": "EPCI"}
MODES = {
    "en-presentiel": "en présentiel",
    "a-distance": "à distance",
}

context = get_context()
scope = scope_bar(context)
threshold = context.settings.secrecy_threshold

st.title("Offre partenaires")
st.caption(scope_caption())
st.markdown(
    "Besoins repérés au diagnostic (freins périphériques) face aux services partenaires "
    "actifs (référentiel data·inclusion) : une commune est **couverte** quand un service actif "
    "de la catégorie la couvre par sa zone d'éligibilité (commune, EPCI, département ou France)."
)
# Only the coverage family: every card and breakdown of this page is one of its indicators.
computed = metric_results(context, scope, only=tuple(spec.id for spec in SPECS))
show_failures(computed)
categories = categories_from_results(computed.results)
if not categories:
    st.info(NO_DATA + " Aucun besoin recensé à la date d'observation.")
    st.stop()

# Open on the category with the most white zones: the gap the committee should see first.
white_counts = [
    (result.value or 0) if (result := computed.get(f"white_zone_communes_{c}")) else 0
    for c in categories
]
category = st.selectbox(
    "Catégorie de besoin",
    categories,
    index=white_counts.index(max(white_counts)),
    format_func=category_label,
    key="offre-categorie",
)
st.header(category_label(category))
indicator_cards(
    [
        f"need_share_{category}",
        f"coverage_rate_{category}",
        f"in_person_coverage_{category}",
        f"white_zone_communes_{category}",
        f"services_{category}",
        f"capacity_per_need_{category}",
    ],
    computed,
    threshold,
    columns=3,
)

st.header("Carte des communes")
communes = cached_call(context, commune_coverage, scope, category)
try:
    boundaries = load_geojson(boundaries_file(context.settings))
except ReferenceDataError as exc:
    st.error(str(exc))
else:
    figure_block(
        coverage_map(communes, boundaries, category, scope.as_of, threshold),
        key="carte-couverture",
        file_stem=f"carte_couverture_{category}_{scope.as_of.isoformat()}",
        table=map_table(communes, threshold),
        summary=map_summary(communes, category),
    )

white = [c for c in communes if c.has_need and not c.covered]
st.markdown(f"**Zones blanches : {format_int(len(white))} commune(s)**")
if white:
    data_table(
        {
            "Commune": [c.name for c in white],
            "UTAS": [c.utas or "—" for c in white],
            "EPCI": [c.epci_name or "—" for c in white],
            "Personnes ayant ce besoin": [
                format_int(c.persons_in_need)
                if c.persons_in_need is not None
                else secret_label(threshold)
                for c in white
            ],
        },
        file_stem=f"zones-blanches-{category}",
        key="offre-white",
    )
    st.caption(
        "Les effectifs inférieurs au seuil du secret statistique sont masqués ; le détail "
        "par UTAS et par EPCI ci-dessous agrège ces communes."
    )
else:
    st.success("Chaque commune où un besoin est recensé est couverte par au moins un service.")

st.header("Couverture par territoire et par catégorie")
level = st.radio(
    "Niveau territorial",
    list(LEVELS),
    format_func=LEVELS.get,
    horizontal=True,
    key="offre-niveau",
)
cells = cached_call(context, coverage_matrix, scope, level)
if cells:
    figure_block(
        coverage_heatmap(cells, LEVELS[level], scope.as_of, threshold),
        key="carte-chaleur",
        file_stem=f"couverture_{level}_{scope.as_of.isoformat()}",
        table=heatmap_table(cells, LEVELS[level], threshold),
        summary=heatmap_summary(cells, LEVELS[level]),
    )
else:
    st.info(NO_DATA)

st.markdown("**Services derrière une case**")
territories = sorted({(c.territory_label, c.territory) for c in cells})
left, right = st.columns(2)
picked = left.selectbox(
    LEVELS[level],
    territories,
    format_func=lambda item: item[0],
    key="offre-case-territoire",
)
cell_category = right.selectbox(
    "Catégorie",
    categories,
    index=categories.index(category),
    format_func=category_label,
    key="offre-case-categorie",
)
if picked:
    services = cached_call(context, services_for, scope, cell_category, level, picked[1])
    if services:
        data_table(
            {
                "Service": [s.name for s in services],
                "Structure": [s.structure or "—" for s in services],
                "Accueil": [
                    ", ".join(MODES.get(m, m) for m in (s.modes_accueil or "").split("|") if m)
                    or "non précisé"
                    for s in services
                ],
                "Capacité": [
                    format_int(s.capacity) if s.capacity is not None else "—" for s in services
                ],
                "Fin": [format_date(s.end_date) if s.end_date else "—" for s in services],
            },
            file_stem=f"services-{category}",
            key="offre-services",
        )
    else:
        st.warning(
            f"Aucun service « {category_label(cell_category)} » actif ne couvre {picked[0]} "
            f"au {format_date(scope.as_of)}."
        )

st.header("Détail par UTAS et par EPCI")
breakdown_tabs(
    [
        f"coverage_rate_{category}",
        f"in_person_coverage_{category}",
        f"need_share_{category}",
        f"white_zone_communes_{category}",
        f"services_{category}",
    ],
    computed,
    scope,
    threshold,
    key="offre",
)
