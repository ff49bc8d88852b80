"""Counts of the period for the weekly point (both engines).

Scope: January 2024, as-of 31 Jan.

  U1 (T0 2023-12-01): invitations 01-05 (first), 01-12 (reminder), 2023-12-10 (before the
      period); appointments 01-20 seen (orientation), 01-25 noshow; decided 01-28 pro;
      contract 01-30 CER
  U2 (T0 01-10, Aubusson): invitation 01-08 (before T0: not counted), 01-15; appointment
      01-22 seen (accompaniment); decided 02-02 (after the period); contract 01-31 PPAE
  U3 (not subject to obligations): invitation 01-15 → excluded
  U4 (T0 2023-11-01): decided 01-15 social

invitations_sent = 3 (2 first sends, 1 reminder); appointments_held = 2; orientations_decided
= 2; contracts_signed = 2.
"""

from __future__ import annotations

import pytest

from metrics import activity
from tests.unit.metrics_data import AUBUSSON, Dataset, compute, rows_of

START, END = "2024-01-01", "2024-01-31"


@pytest.fixture
def loaded(db):
    data = Dataset()
    u1 = data.person("2023-12-01")
    data.invitation(u1, "2024-01-05")
    data.invitation(u1, "2024-01-12", reminder=True)
    data.invitation(u1, "2023-12-10")
    data.appointment(u1, "2024-01-20", "seen")
    data.appointment(u1, "2024-01-25", "noshow")
    data.orientation(u1, "2024-01-28", "pro")
    data.contract(u1, "2024-01-30", "cer")
    u2 = data.person("2024-01-10", commune=AUBUSSON)
    data.invitation(u2, "2024-01-08")
    data.invitation(u2, "2024-01-15")
    data.appointment(u2, "2024-01-22", "seen", purpose="accompaniment")
    data.orientation(u2, "2024-02-02", "social")
    data.contract(u2, "2024-01-31", "ppae")
    u3 = data.person("2024-01-01", subject=False)
    data.invitation(u3, "2024-01-15")
    u4 = data.person("2023-11-01")
    data.orientation(u4, "2024-01-15", "social", "cd")
    data.save(db.engine)
    return db


def test_counts_of_the_period(loaded):
    results = compute(loaded, activity, START, END)
    assert {key: result.value for key, result in results.items()} == {
        "invitations_sent": 3,
        "appointments_held": 2,
        "orientations_decided": 2,
        "contracts_signed": 2,
    }


def test_breakdowns_are_masked_like_person_counts(loaded):
    results = compute(loaded, activity, START, END)
    # 2 first sends and 1 reminder: the reminder (1) is masked, and the first sends with it
    # since 3 − 2 would reveal it.
    sends = rows_of(results["invitations_sent"], "send_type")
    assert sends["first"][3] and sends["reminder"][3]
    # By UTAS: Guéret 2 (U1), Aubusson 1 (U2) → both masked.
    assert all(row[3] for row in rows_of(results["invitations_sent"], "utas").values())
    types = rows_of(results["orientations_decided"], "orientation_type")
    assert set(types) == {"pro", "social"}


def test_default_threshold_masks_small_counts(loaded):
    results = compute(loaded, activity, START, END, threshold=11)
    assert all(result.suppressed and result.value is None for result in results.values())


def test_as_of_before_the_end_of_the_period(loaded):
    # As-of 15 Jan: invitations of 01-05, 01-12 and 01-15 (U2, T0 01-10) exist → 3;
    # nothing held, decided 01-15 (U4) → 1, no contract yet.
    results = compute(loaded, activity, START, END, as_of="2024-01-15", threshold=2)
    assert results["invitations_sent"].value == 3
    assert results["appointments_held"].value == 0
    assert results["orientations_decided"].suppressed
    assert results["contracts_signed"].value == 0


@pytest.mark.parametrize("payer", ["msa"])
def test_payer_filter(loaded, payer):
    assert compute(loaded, activity, START, END, payer=payer)["invitations_sent"].value == 0
