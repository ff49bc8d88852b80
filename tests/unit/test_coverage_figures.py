"""The coverage map and heat map: statuses, secrecy in their tables, nothing fetched online."""

from __future__ import annotations

import datetime as dt

from charts.coverage_map import (
    STATUSES,
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
    assert legend == [label for label, _ in STATUSES.values()]
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
