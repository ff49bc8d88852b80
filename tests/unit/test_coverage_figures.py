"""The coverage map and heat map: statuses, secrecy in their tables, nothing fetched online."""

from __future__ import annotations

import datetime as dt
import itertools

from charts.coverage_map import (
    STATUSES,
    UTAS_BORDER_LABEL,
    commune_status,
    coverage_heatmap,
    coverage_map,
    heatmap_table,
    map_table,
)
from data_access.territories import GEOJSON_FILE, load_geojson
from formatting import secret_label
from metrics.coverage import CommuneCoverage, CoverageCell

AS_OF = dt.date(2024, 6, 30)


def commune(code: str, covered: bool, in_person: bool, persons: int | None, has_need: bool):
    return CommuneCoverage(
        code=code,
        name=f"Commune {code}",
        utas="Guéret",
        epci_name="Grand Guéret",
        covered=covered,
        in_person=in_person,
        services=1 if covered else 0,
        persons_in_need=persons,
        has_need=has_need,
    )


COMMUNES = [
    commune("23096", True, True, 15, True),  # covered in person
    commune("23002", True, False, 12, True),  # remote only
    commune("23001", False, False, None, True),  # white zone, count secret
    commune("23004", False, False, 0, False),  # nobody in need, not covered
]


def test_statuses() -> None:
    assert [commune_status(c) for c in COMMUNES] == [
        "in_person",
        "remote_only",
        "white_zone",
        "no_need",
    ]


def test_map_uses_no_geo_subplot_and_keeps_secrecy() -> None:
    figure = coverage_map(COMMUNES, load_geojson(GEOJSON_FILE), "mobilite", AS_OF, 11)
    # Plain scatter polygons: a geo subplot would fetch a world topojson from a CDN.
    assert {trace.type for trace in figure.data} == {"scatter"}
    legend = [t.name for t in figure.data if t.showlegend is not False]
    assert legend == [label for label, _ in STATUSES.values()] + [UTAS_BORDER_LABEL]
    hover = next(t for t in figure.data if t.showlegend is False).customdata
    assert [row[3] for row in hover] == ["15", "12", secret_label(11), "0"]
    header, rows = map_table(COMMUNES, 11)
    assert header[-1] == "Personnes ayant ce besoin"
    assert [row[-1] for row in rows] == [15, 12, secret_label(11), 0]


def test_heatmap_marks_secret_cells() -> None:
    cells = [
        CoverageCell("Guéret", "UTAS Guéret", "mobilite", 1.0, 15, 15, False),
        CoverageCell("Boussac", "UTAS Boussac", "mobilite", None, None, None, True),
    ]
    figure = coverage_heatmap(cells, "UTAS", AS_OF, 11)
    assert [list(row) for row in figure.data[0].text] == [["s"], ["100 %"]]
    _, rows = heatmap_table(cells, "UTAS", 11)
    assert rows[1][2] == secret_label(11)
    assert rows[0][2] == 100.0


def test_boundaries_follow_the_setting_and_a_bad_file_is_a_french_error(tmp_path) -> None:
    import pytest

    from data_access.exceptions import ReferenceDataError
    from data_access.territories import boundaries_file
    from tests.conftest import make_settings

    assert boundaries_file(make_settings("sqlite://")) == GEOJSON_FILE
    bad = tmp_path / "communes.geojson"
    bad.write_text("{pas du json", encoding="utf-8")
    settings = make_settings("sqlite://", communes_geojson_file=bad)
    assert boundaries_file(settings) == bad
    with pytest.raises(ReferenceDataError, match="Contours des communes illisibles"):
        load_geojson(bad)


def test_map_draws_utas_borders_and_names() -> None:
    """Every commune of Creuse in its UTAS: the thick line runs between UTAS, never between two
    communes of one UTAS; each UTAS is named once."""
    import csv
    from dataclasses import replace

    from data_access.territories import DEFAULT_COMMUNES

    with open(DEFAULT_COMMUNES, encoding="utf-8") as handle:
        utas_of = {row["code_insee"]: row["utas"] for row in csv.DictReader(handle)}
    everyone = [
        replace(commune(code, False, False, 0, False), utas=utas) for code, utas in utas_of.items()
    ]
    geojson = load_geojson(GEOJSON_FILE)
    figure = coverage_map(everyone, geojson, "mobilite", AS_OF, 11)
    (border,) = [t for t in figure.data if t.name == UTAS_BORDER_LABEL]
    points = list(zip(border.x, border.y, strict=True))
    drawn = {frozenset(points[i : i + 2]) for i in range(0, len(points), 3)}

    owners: dict[frozenset, set[str]] = {}
    for feature in geojson["features"]:
        geometry = feature["geometry"]
        polygons = (
            [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        )
        for polygon in polygons:
            ring = polygon[0]
            for a, b in itertools.pairwise(ring):
                edge = frozenset([tuple(a), tuple(b)])
                owners.setdefault(edge, set()).add(feature["properties"]["code_insee"])
    inside = [
        e
        for e, codes in owners.items()
        if len({utas_of[c] for c in codes}) == 1 and len(codes) == 2
    ]
    between = [e for e, codes in owners.items() if len({utas_of[c] for c in codes}) == 2]
    assert inside and between
    assert not set(inside) & drawn
    assert set(between) <= drawn
    names = [a.text for a in figure.layout.annotations if a.xref == "x"]
    assert sorted(names) == sorted(f"<b>{u}</b>" for u in set(utas_of.values()))


def test_utas_borders_are_drawn_once_per_boundaries_and_division(monkeypatch) -> None:
    """A page redraws its map at every run: the borders (which depend on neither the figures
    nor the date) are looked up once, and again when a commune changes UTAS."""
    from dataclasses import replace

    from charts import coverage_map as module

    calls = []
    real = module._utas_borders

    def counted(communes, outlines):
        calls.append(len(communes))
        return real(communes, outlines)

    monkeypatch.setattr(module, "_utas_borders", counted)
    monkeypatch.setattr(module, "_BORDERS", {})
    geojson = load_geojson(GEOJSON_FILE)
    first = coverage_map(COMMUNES, geojson, "mobilite", AS_OF, 11)
    other_day = [replace(c, services=c.services + 1) for c in COMMUNES]
    again = coverage_map(other_day, geojson, "mobilite", dt.date(2024, 7, 31), 11)
    assert len(calls) == 1
    assert [t.to_plotly_json() for t in again.data if t.name == UTAS_BORDER_LABEL] == [
        t.to_plotly_json() for t in first.data if t.name == UTAS_BORDER_LABEL
    ]
    moved = [replace(COMMUNES[0], utas="Aubusson"), *COMMUNES[1:]]
    coverage_map(moved, geojson, "mobilite", AS_OF, 11)
    assert len(calls) == 2
