"""Every export says its scope: a deck, its charts' CSV and the image footnote of UTAS Guéret ·
CAF name the territory, the payer, the period and the as-of date, and, made from the demo
database, say « Données de démonstration »."""

from __future__ import annotations

import datetime as dt
import io

from pptx import Presentation

from charts.committee import committee_charts
from charts.csv_export import chart_csv
from charts.deck import build_deck
from charts.figures import to_figure
from metrics.committee import gather_committee
from metrics.scope import Territory

FROM, TO = dt.date(2024, 5, 1), dt.date(2024, 6, 30)
SCOPE = "Du 1er mai 2024 au 30 juin 2024 · UTAS Guéret · CAF"
SINCE_LAUNCH = "Du 17 février 2023 au 30 juin 2024 · UTAS Guéret · CAF"


def _data(db):  # type: ignore[no-untyped-def]
    return gather_committee(
        db.engine,
        db.settings,
        TO,
        period_from=FROM,
        territory=Territory("utas", "Guéret"),
        payer="caf",
    )


def test_every_slide_of_a_territory_deck_says_its_scope_and_demo(demo_copy):
    prs = Presentation(io.BytesIO(build_deck(_data(demo_copy))))
    subtitle = prs.slides[0].placeholders[1].text_frame.text
    assert "UTAS Guéret · CAF" in subtitle and "Données de démonstration" in subtitle
    for slide in list(prs.slides)[1:]:
        text = " ".join(s.text_frame.text for s in slide.shapes if s.has_text_frame)
        title = slide.shapes.title.text
        assert SCOPE in text or (
            (title.startswith("Depuis le") or "depuis le" in title) and (SINCE_LAUNCH in text)
        ), title
        assert "données au 30 juin 2024" in text, title
        assert "Données de démonstration" in text, title


def test_chart_csv_and_image_carry_the_scope(demo_copy):
    charts = committee_charts(_data(demo_copy))
    assert charts
    for desc in charts:
        scope = SINCE_LAUNCH if "lancement" in desc.title else SCOPE
        csv = chart_csv(desc).decode("utf-8-sig")
        assert scope in csv and "Données de démonstration" in csv, desc.title
        figure = to_figure(desc)
        assert scope in figure.layout.title.text
        assert "Données de démonstration" in figure.layout.xaxis.title.text


def test_the_whole_departement_deck_says_so(demo_copy):
    data = gather_committee(demo_copy.engine, demo_copy.settings, TO, period_from=FROM)
    assert data.scope_text == "Du 1er mai 2024 au 30 juin 2024 · tout le département"
    assert all("tout le département" in d.footnote for d in committee_charts(data))


def test_charts_since_the_launch_say_so(demo_copy):
    data = gather_committee(demo_copy.engine, demo_copy.settings, TO, period_from=FROM)
    by_key = {d.key: d for d in committee_charts(data)}
    for key in ("comite-tendances-lancement", "entrants-cohort-month"):
        assert by_key[key].scope_text == "Du 17 février 2023 au 30 juin 2024 · tout le département"
    assert by_key["comite-taux-cles"].scope_text == data.scope_text
