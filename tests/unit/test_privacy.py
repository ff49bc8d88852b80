"""Statistical secrecy: primary masking of small groups and secondary suppression."""

from __future__ import annotations

from metrics.privacy import (
    is_secret,
    protect_result,
    protect_rows,
    publish,
    round_count,
    suppress_line,
    suppress_table,
)
from metrics.results import BreakdownRow, MetricResult
from metrics.spec import IndicatorSpec
from tests.conftest import make_settings

THRESHOLD = 11


def test_counts_one_to_ten_are_secret_zero_and_eleven_are_not():
    assert [n for n in range(0, 13) if is_secret(n, THRESHOLD)] == list(range(1, 11))
    assert not is_secret(None, THRESHOLD)


def test_masked_count_is_none_and_flagged_never_zero():
    result = protect_result(MetricResult("entrants", 7, "count"), THRESHOLD)
    assert result.value is None
    assert result.suppressed is True
    assert result.status == "secret"


def test_zero_count_is_published():
    result = protect_result(MetricResult("entrants", 0, "count"), THRESHOLD)
    assert result.value == 0
    assert not result.suppressed


def test_rate_masked_on_small_denominator_not_on_small_numerator():
    # 3 out of 10: the denominator 10 is below 11 → masked, numerator and denominator too.
    small = protect_result(MetricResult("r", 0.3, "ratio", 3, 10), THRESHOLD)
    assert (small.value, small.numerator, small.denominator, small.suppressed) == (
        None,
        None,
        None,
        True,
    )
    # 3 out of 200: a rate over 200 persons is published.
    large = protect_result(MetricResult("r", 0.015, "ratio", 3, 200), THRESHOLD)
    assert large.value == 0.015
    assert not large.suppressed


def test_delay_masked_on_small_cohort():
    result = protect_result(MetricResult("d", 12.0, "days", 4, 9), THRESHOLD)
    assert result.value is None and result.suppressed


def test_lone_masked_cell_takes_the_next_smallest_with_it():
    # Sizes 5, 40, 12, 30 with a published total of 87: 5 is masked (primary); alone it would
    # be 87 − 40 − 12 − 30. The smallest other cell, 12, is masked too: the reader now only
    # knows that the two sum to 17, which is not a small group.
    assert suppress_line([5, 40, 12, 30], THRESHOLD) == [True, False, True, False]


def test_two_masked_cells_summing_to_a_small_group_take_a_third():
    # 3 and 4 are both masked, but total − visible = 7 would reveal a group of 7 persons, so
    # the next smallest cell (20) is masked too: the hidden sum becomes 27.
    assert suppress_line([3, 4, 20, 100], THRESHOLD) == [True, True, True, False]


def test_zero_is_used_only_as_a_last_resort():
    # The lone masked 5 can only hide behind a zero: nothing else is left.
    assert suppress_line([5, 0], THRESHOLD) == [True, True]
    # A positive cell is preferred to the zero.
    assert suppress_line([5, 0, 30], THRESHOLD) == [True, False, True]


def test_nothing_to_hide_changes_nothing():
    assert suppress_line([0, 11, 50], THRESHOLD) == [False, False, False]
    assert suppress_line([5, 40], THRESHOLD, with_total=False) == [True, False]


def test_breakdown_rows_of_rates_use_denominators_for_secondary_suppression():
    rows = [
        BreakdownRow("A", "UTAS A", 0.5, 4, 8),  # denominator 8 → primary
        BreakdownRow("B", "UTAS B", 0.4, 20, 50),
        BreakdownRow("C", "UTAS C", 0.25, 5, 20),  # smallest other denominator → secondary
        BreakdownRow("D", "UTAS D", None, 0, 0),  # empty: stays empty, not secret
    ]
    protected = protect_rows(rows, "ratio", THRESHOLD)
    assert [row.suppressed for row in protected] == [True, False, True, False]
    assert protected[0].value is None and protected[0].denominator is None
    assert protected[2].value is None and protected[2].numerator is None
    assert protected[1] == rows[1]
    assert protected[3] == rows[3]


def test_two_way_table_no_masked_cell_recomputable_from_any_margin():
    #            Jan  Feb  Mar
    #   Guéret    30   25   40
    #   Boussac    3   14   12
    #   Aubusson  20   18   22
    # Boussac/Jan (3) is masked. Its row: the smallest other is Boussac/Mar (12) → masked.
    # Column Jan then has one masked cell (3) → Aubusson/Jan (20) masked. Column Mar has one
    # masked cell (12) → Aubusson/Mar (22) masked. Row Aubusson now hides 20 + 22 = 42: safe.
    cells = {
        ("Guéret", "01"): 30,
        ("Guéret", "02"): 25,
        ("Guéret", "03"): 40,
        ("Boussac", "01"): 3,
        ("Boussac", "02"): 14,
        ("Boussac", "03"): 12,
        ("Aubusson", "01"): 20,
        ("Aubusson", "02"): 18,
        ("Aubusson", "03"): 22,
    }
    masked = suppress_table(cells, THRESHOLD)
    assert masked == {
        ("Boussac", "01"),
        ("Boussac", "03"),
        ("Aubusson", "01"),
        ("Aubusson", "03"),
    }
    rows = {key[0] for key in cells}
    cols = {key[1] for key in cells}
    for line in [[(r, c) for c in cols] for r in rows] + [[(r, c) for r in rows] for c in cols]:
        hidden = [key for key in line if key in masked]
        assert len(hidden) != 1
        assert not is_secret(sum(cells[key] for key in hidden), THRESHOLD)


def test_publish_sets_target_status_and_masks_person_based_only():
    settings = make_settings("sqlite://")
    rate = IndicatorSpec(
        "x_rate",
        "Taux",
        "Définition",
        "a ÷ b",
        "ratio",
        target=lambda s: 0.9,
        target_source="Feuille de route",
    )
    shown = publish(rate, settings, 0.95, 19, 20)
    assert (shown.target, shown.status) == (0.9, "atteint")
    hidden = publish(rate, settings, 0.95, 9, 10)
    assert (hidden.value, hidden.status, hidden.suppressed) == (None, "secret", True)
    steps = IndicatorSpec("steps", "Étapes", "Définition", "n", "count", person_based=False)
    assert publish(steps, settings, 3).value == 3


def test_threshold_comes_from_settings():
    spec = IndicatorSpec("entrants", "Entrants", "Définition", "n", "count")
    assert publish(spec, make_settings("sqlite://", secrecy_threshold=3), 5).value == 5
    assert publish(spec, make_settings("sqlite://"), 5).value is None


def test_caseload_rests_on_persons_not_referents():
    # Median caseload 40 over 2 referents and 80 persons: the group is 80 persons, published.
    result = MetricResult("caseload_median", 40, "count", numerator=80, denominator=2)
    assert protect_result(result, THRESHOLD, "numerator").value == 40
    # 6 persons in all: masked even though the value (3) is not what decides.
    result = MetricResult("caseload_median", 3, "count", numerator=6, denominator=2)
    assert protect_result(result, THRESHOLD, "numerator").suppressed


# --- rounding of published person counts ----------------------------------------------------


def test_round_count_up_to_the_top_of_bands_aligned_on_the_threshold():
    assert [round_count(n, 5, 11) for n in (0, 3, 10, 11, 12, 15, 16, 57, 65)] == [
        0,
        5,
        10,
        15,
        15,
        15,
        20,
        60,
        65,
    ]
    assert [round_count(n, 10, 11) for n in (11, 20, 21)] == [20, 20, 30]
    # A threshold off the multiples: the bands still start at it (5–9, 10–14…).
    assert [round_count(n, 5, 5) for n in (4, 5, 9, 10)] == [4, 9, 9, 14]
    assert round_count(45.6, 5, 11) == 50  # persons implied by a share: whole persons first
    assert round_count(None, 5) is None
    assert round_count(57, 1) == 57


def test_every_published_band_holds_as_many_counts_as_the_base():
    # Were 11 and 12 the only counts shown as « 10 » (nearest multiple, 1–10 masked), « 10 »
    # minus « 10 » would give a masked 1 exactly. Each published value stands for 5 counts.
    for threshold, base in ((11, 5), (11, 10), (5, 5), (3, 4)):
        bands: dict[float, list[int]] = {}
        for n in range(threshold, 200):
            bands.setdefault(round_count(n, base, threshold), []).append(n)
        complete = [counts for value, counts in bands.items() if value < 190]
        assert all(len(counts) == base for counts in complete), (threshold, base, bands)


def test_masking_is_decided_on_the_exact_count_before_rounding():
    # 11 persons are publishable: shown as 15 (rounded up), not masked; 10 persons are masked.
    shown = protect_result(MetricResult("entrants", 11, "count"), THRESHOLD, rounding=5)
    assert (shown.value, shown.suppressed, shown.rounding) == (15, False, 5)
    hidden = protect_result(MetricResult("entrants", 10, "count"), THRESHOLD, rounding=5)
    assert (hidden.value, hidden.suppressed) == (None, True)


def test_secondary_suppression_uses_exact_sizes_then_visible_rows_are_rounded():
    rows = [BreakdownRow("A", "A", 5), BreakdownRow("B", "B", 12), BreakdownRow("C", "C", 43)]
    result = protect_result(
        MetricResult("entrants", 60, "count", breakdowns={"utas": rows}), 11, rounding=5
    )
    assert [(r.value, r.suppressed) for r in result.breakdowns["utas"]] == [
        (None, True),
        (None, True),  # 12 hides 5: total − C would give 17, not 5
        (45, False),
    ]
    assert result.value == 60 and result.breakdowns["utas"][2].rounding == 5


def test_a_plain_share_is_recomputed_from_its_rounded_terms():
    result = protect_result(MetricResult("r", 57 / 65, "ratio", 57, 65), THRESHOLD, rounding=5)
    assert (result.numerator, result.denominator) == (60, 65)
    assert result.value == 60 / 65


def test_a_kaplan_meier_share_rests_on_the_rounded_persons_it_implies():
    # 0.62 over 57 persons ≈ 35.3 persons → 35 out of 60.
    result = protect_result(MetricResult("r", 0.62, "ratio", 33, 57), THRESHOLD, rounding=5)
    assert (result.numerator, result.denominator) == (35, 60)
    assert result.value == 35 / 60


def test_a_mean_delay_is_given_to_a_tenth_of_a_day_and_its_terms_rounded():
    result = protect_result(MetricResult("d", 703 / 57, "days", None, 57), THRESHOLD, rounding=5)
    assert (result.value, result.numerator, result.denominator) == (12.3, None, 60)


def test_caseload_rounds_its_persons_not_its_referents_nor_its_median():
    result = MetricResult("caseload_median", 41, "count", numerator=83, denominator=2)
    published = protect_result(result, THRESHOLD, "numerator", rounding=5)
    assert (published.value, published.numerator, published.denominator) == (41, 85, 2)


def test_capacity_per_person_rounds_only_the_persons():
    result = MetricResult("capacity", 87 / 13, "ratio", 87, 13)
    published = protect_result(result, THRESHOLD, rounding=5, person_fields=("denominator",))
    assert (published.numerator, published.denominator) == (87, 15)
    assert published.value == 87 / 15


def test_status_is_decided_on_the_published_rate():
    settings = make_settings("sqlite://", secrecy_rounding=5)
    rate = IndicatorSpec(
        "x_rate",
        "Taux",
        "Définition",
        "a ÷ b",
        "ratio",
        target=lambda s: 0.9,
        target_source="Feuille de route",
    )
    # 58 of 64 = 90.6 % is shown as 60 of 65 = 92.3 %; 40 of 44 = 90.9 % as 40 of 45 = 88.9 %:
    # the verdict follows what the reader sees.
    assert publish(rate, settings, 58 / 64, 58, 64).status == "atteint"
    low = publish(rate, settings, 40 / 44, 40, 44)
    assert (low.value, low.status) == (40 / 45, "non_atteint")


def test_figures_that_count_no_one_are_not_rounded():
    steps = IndicatorSpec("steps", "Étapes", "Définition", "n", "count", person_based=False)
    result = publish(steps, make_settings("sqlite://", secrecy_rounding=5), 42)
    assert (result.value, result.rounding) == (42, None)


def test_no_difference_of_two_published_counts_narrows_a_masked_one_below_four_values():
    # Every (whole, part) with a masked remainder of 1 … 10: the reader knows each published
    # count stands for the band ending at it, at least the threshold; the remainder keeps at
    # least four possible values.
    def band(published: float) -> tuple[float, float]:
        return max(published - 4, THRESHOLD), published

    for whole in range(THRESHOLD, 300):
        for part in range(max(THRESHOLD, whole - 10), whole):
            whole_low, whole_high = band(round_count(whole, 5, THRESHOLD))
            part_low, part_high = band(round_count(part, 5, THRESHOLD))
            low, high = max(1, whole_low - part_high), min(10, whole_high - part_low)
            assert low <= whole - part <= high
            assert high - low + 1 >= 4, (whole, part)
