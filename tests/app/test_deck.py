"""The committee deck opened with python-pptx: 16:9, slide titles, native chart series equal
to the metric values, masked values absent; its snapshot feeds the next committee; the CLI."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import replace

import pytest
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE
from pptx.util import Inches

from charts import images
from charts.committee import committee_charts, headline_rows
from cli import main
from data_access.snapshots import last_committee_date, list_snapshots
from formatting import secret_label
from metrics import catalog
from metrics.committee import COMPARED_RATES, gather_committee
from metrics.scope import Scope, Territory
from metrics.spec import MetricContext
from reports.deck import deck_and_snapshot, export_deck, snapshot_figures

FROM, TO = dt.date(2024, 5, 1), dt.date(2024, 6, 30)


def _open(content: bytes):  # type: ignore[no-untyped-def]
    return Presentation(io.BytesIO(content))


def _titles(prs) -> list[str]:  # type: ignore[no-untyped-def]
    return [s.shapes.title.text for s in prs.slides if s.shapes.title is not None]


def _chart(prs, title: str):  # type: ignore[no-untyped-def]
    for slide in prs.slides:
        if slide.shapes.title is not None and slide.shapes.title.text == title:
            return next(shape.chart for shape in slide.shapes if shape.has_chart)
    raise AssertionError(f"pas de diapositive « {title} »")


def _table(prs, title: str) -> list[list[str]]:  # type: ignore[no-untyped-def]
    """The table of a slide and of its « (suite) » slides, header once."""
    rows: list[list[str]] = []
    for slide in prs.slides:
        if slide.shapes.title is not None and slide.shapes.title.text in (
            title,
            f"{title} (suite)",
        ):
            table = next(shape.table for shape in slide.shapes if shape.has_table)
            found = [[cell.text for cell in row.cells] for row in table.rows]
            rows.extend(found if not rows else found[1:])
    if not rows:
        raise AssertionError(f"pas de diapositive « {title} »")
    return rows


def _results(db, scope: Scope):  # type: ignore[no-untyped-def]
    return catalog.compute_all(MetricContext(db.engine, db.settings, scope))


def test_deck_slides_and_native_series_equal_metric_values(demo_copy):
    content = export_deck(demo_copy.engine, demo_copy.settings, period_from=FROM, period_to=TO)
    prs = _open(content)
    assert (prs.slide_width, prs.slide_height) == (Inches(13.333), Inches(7.5))
    titles = _titles(prs)
    assert titles[0] == "Comité de suivi RSA — Creuse"
    assert titles[1] == "Indicateurs clés"
    for expected in (
        "Taux clés : période du comité et période précédente",
        "Depuis le lancement : délais tenus, par mois d'entrée",
        "Convocation sous 15 jours, par UTAS — entrants de mai 2024, observés 15 jours",
        "Orientation dans le délai légal (six semaines), par UTAS — entrants d'avril 2024, "
        "observés 42 jours",
        "Feuille de route : avancement par axe",
        "Décisions et actions ouvertes",
    ):
        assert expected in titles
    assert any(t.startswith("Étapes en retard") for t in titles)
    map_slides = [t for t in titles if t.startswith("Offre partenaire : couverture « ")]
    if images.chromium_path() is not None:  # the map is the one slide drawn as a picture
        assert len(map_slides) == 1
        slide = prs.slides[titles.index(map_slides[0])]
        assert any(shape.shape_type == MSO_SHAPE_TYPE.PICTURE for shape in slide.shapes)

    current = _results(demo_copy, Scope.build(FROM, TO))
    previous = _results(demo_copy, Scope.build(FROM, TO).previous())
    chart = _chart(prs, "Taux clés : période du comité et période précédente")
    series = {s.name: list(s.values) for s in chart.plots[0].series}
    rates = [i for i in COMPARED_RATES if i in current]
    assert series["Période du comité"] == pytest.approx([current[i].reported.value for i in rates])
    assert series["Période précédente"] == pytest.approx(
        [previous[i].reported.value for i in rates]
    )

    utas = _chart(
        prs, "Convocation sous 15 jours, par UTAS — entrants de mai 2024, observés 15 jours"
    ).plots[0]
    rows = current["convocation_within_15d_rate"].reported.breakdowns["utas"]
    assert list(utas.categories) == [r.label for r in rows]
    assert list(utas.series[0].values) == pytest.approx(
        [None if r.suppressed else r.value for r in rows]
    )

    table = _table(prs, "Indicateurs clés")
    assert table[0][:3] == ["Indicateur", "Période précédente", "Période du comité"]
    entrants = next(r for r in table if r[0] == "Entrants soumis aux droits et devoirs")
    assert entrants[2] == f"{int(current['entrants'].value)}"


def test_masked_values_are_absent_from_the_deck(demo_copy):
    territory = Territory("commune", "23031")  # Boussac: a few entrants in two months
    content = export_deck(
        demo_copy.engine, demo_copy.settings, period_from=FROM, period_to=TO, territory=territory
    )
    prs = _open(content)
    current = _results(demo_copy, Scope(FROM, TO, TO, territory))
    masked = [i for i, r in current.items() if r.reported.suppressed]
    assert masked, "le scénario doit comporter des valeurs masquées"
    table = {row[0]: row for row in _table(prs, "Indicateurs clés")}
    data = gather_committee(
        demo_copy.engine, demo_copy.settings, TO, period_from=FROM, territory=territory
    )
    for row in headline_rows(data):
        if row.metric_id in masked:
            assert table[row.label][2].startswith(secret_label(11))
    masked_points = 0
    for desc in committee_charts(data):
        if not desc.has_data or desc.kind == "step":
            continue
        plot = _chart(prs, desc.title).plots[0]
        for serie, drawn in zip(desc.series, plot.series, strict=True):
            for index, value in enumerate(drawn.values):
                if serie.masked(index):
                    masked_points += 1
                    assert value is None
                else:
                    assert value == pytest.approx(serie.values[index])
    assert masked_points > 0


def test_snapshot_is_what_the_next_committee_compares_with(demo_copy):
    first = dt.date(2024, 4, 30)
    export_deck(
        demo_copy.engine, demo_copy.settings, period_from=dt.date(2024, 3, 1), period_to=first
    )
    snapshots = list_snapshots(demo_copy.engine)
    assert [s.committee_date for s in snapshots] == [first]
    presented = _results(demo_copy, Scope.build(dt.date(2024, 3, 1), first))
    assert snapshots[0].figures["entrants"]["value"] == presented["entrants"].value

    assert last_committee_date(demo_copy.engine, TO) == first
    data = gather_committee(demo_copy.engine, demo_copy.settings, TO)
    assert data.previous_committee == first
    assert data.scope.start == dt.date(2024, 5, 1)
    assert data.presented is not None and data.presented.committee_date == first
    row = next(r for r in headline_rows(data) if r.metric_id == "entrants")
    assert row.presented == f"{int(presented['entrants'].value)}"


def test_a_territory_deck_is_only_compared_with_decks_of_the_same_territory(demo_copy):
    # A deck for the commune 23008 only: the next département-wide committee must not show the
    # commune's entrants as « présenté le … » (they were 16 against 477 in the review), while
    # the commune's next deck does compare with it. (The demo's committee meets on 30 April.)
    first = dt.date(2024, 5, 15)
    commune = Territory("commune", "23008")
    export_deck(
        demo_copy.engine,
        demo_copy.settings,
        period_from=dt.date(2024, 3, 1),
        period_to=first,
        territory=commune,
    )
    wide = gather_committee(demo_copy.engine, demo_copy.settings, TO)
    assert wide.presented is None
    assert wide.previous_committee == dt.date(2024, 4, 30)
    assert next(r for r in headline_rows(wide) if r.metric_id == "entrants").presented == "—"

    local = gather_committee(demo_copy.engine, demo_copy.settings, TO, territory=commune)
    assert local.previous_committee == first
    assert local.presented is not None and local.presented.committee_date == first
    assert (
        gather_committee(
            demo_copy.engine, demo_copy.settings, TO, territory=commune, payer="msa"
        ).presented
        is None
    )


def test_cli_export_deck_writes_the_file(demo_copy, tmp_path, capsys):
    output = tmp_path / "comite.pptx"
    main(["export", "deck", "--from", "2024-05-01", "--to", "2024-06-30", "--output", str(output)])
    assert "Support du comité écrit" in capsys.readouterr().out
    assert _titles(_open(output.read_bytes()))[0] == "Comité de suivi RSA — Creuse"


def test_cli_export_deck_keeps_one_snapshot_of_the_figures_it_drew(demo_copy, tmp_path):
    main(
        [
            "export",
            "deck",
            "--from",
            "2024-05-01",
            "--to",
            "2024-06-30",
            "--output",
            str(tmp_path / "d.pptx"),
        ]
    )
    snapshots = list_snapshots(demo_copy.engine)
    stored = [(s.committee_date, s.period_from, s.period_to) for s in snapshots]
    assert stored == [(TO, FROM, TO)]
    data = gather_committee(demo_copy.engine, demo_copy.settings, TO, period_from=FROM)
    assert snapshots[0].figures == snapshot_figures(data)


def test_the_page_s_deck_is_drawn_from_its_figures_and_keeps_one_snapshot(demo_copy):
    """The committee page gathers once (with its cached results) and hands the same figures to
    reports/deck.py: the deck and the stored snapshot are those of the page."""
    data = gather_committee(demo_copy.engine, demo_copy.settings, TO, period_from=FROM)
    prs = _open(deck_and_snapshot(demo_copy.engine, data))
    assert _titles(prs)[0] == "Comité de suivi RSA — Creuse"
    table = {row[0]: row for row in _table(prs, "Indicateurs clés")}
    for row in headline_rows(data):
        assert table[row.label][2] == row.current
    snapshots = list_snapshots(demo_copy.engine)
    assert [s.committee_date for s in snapshots] == [TO]
    assert snapshots[0].figures == snapshot_figures(data)


def test_cli_export_deck_bad_date_is_one_french_line(demo_copy, tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["export", "deck", "--from", "01/05/2024", "--to", "2024-06-30", "--output", "x"])
    assert exit_info.value.code == 1
    assert capsys.readouterr().err.strip() == (
        "Erreur : Date invalide pour --from : « 01/05/2024 » (format attendu AAAA-MM-JJ)."
    )


def _slide_text(prs, title: str) -> str:  # type: ignore[no-untyped-def]
    slide = prs.slides[_titles(prs).index(title)]
    return " ".join(shape.text_frame.text for shape in slide.shapes if shape.has_text_frame)


def test_a_committee_before_2025_reads_the_legal_delays_as_indicative(demo_copy):
    """The six-week and one-month rules apply since 1 January 2025 (décret n° 2024-1244): a
    2024 committee's « délai légal » figures say what the rule would have given."""
    prs = _open(export_deck(demo_copy.engine, demo_copy.settings, period_from=FROM, period_to=TO))
    assert "applicables depuis le 1er janvier 2025" in _slide_text(prs, "Indicateurs clés")
    data = gather_committee(demo_copy.engine, demo_copy.settings, TO, period_from=FROM)
    assert data.legal_note
    in_2025 = replace(
        data,
        scope=Scope.build(dt.date(2025, 3, 1), dt.date(2025, 4, 30)),
        previous_scope=Scope.build(dt.date(2025, 1, 1), dt.date(2025, 2, 28)),
    )
    assert in_2025.legal_note == ""


def test_the_launch_trend_stops_at_each_share_s_mature_cohort(demo_copy):
    """The June 2024 committee's table reads convocation on May and the legal orientation on
    April; the trend since the launch must not draw the younger months beside them."""
    data = gather_committee(demo_copy.engine, demo_copy.settings, TO, period_from=FROM)
    chart = next(c for c in committee_charts(data) if c.key == "comite-tendances-lancement")
    last_drawn = {
        serie.name: max(
            (chart.categories[i] for i, v in enumerate(serie.values) if v is not None),
            key=lambda label: chart.categories.index(label),
        )
        for serie in chart.series
    }
    assert last_drawn["Part des entrants convoqués sous 15 jours"] == "mai 2024"
    assert last_drawn["Part des bénéficiaires orientés dans le délai légal (six semaines)"] == (
        "avril 2024"
    )


def test_native_charts_write_numbers_the_french_way(demo_copy):
    """« 76,9 % » and « 1 234 » in LibreOffice and French PowerPoint, not « 76.9% »."""
    prs = _open(export_deck(demo_copy.engine, demo_copy.settings, period_from=FROM, period_to=TO))
    chart = _chart(prs, "Taux clés : période du comité et période précédente")
    assert chart.value_axis.tick_labels.number_format == "[$-40C]0.0\\ %"
    assert chart.plots[0].data_labels.number_format == "[$-40C]0.0\\ %"


def test_an_unusable_outlines_file_is_said_on_the_map_slide(demo_copy, tmp_path):
    """The outlines are read while gathering; the deck still says why the map is missing."""
    bad = tmp_path / "communes.geojson"
    bad.write_text("{pas du json", encoding="utf-8")
    settings = demo_copy.settings.model_copy(update={"communes_geojson_file": bad})
    prs = _open(export_deck(demo_copy.engine, settings, period_from=FROM, period_to=TO))
    title = next(t for t in _titles(prs) if t.startswith("Offre partenaire : couverture « "))
    assert "Contours des communes illisibles (communes.geojson)" in _slide_text(prs, title)
