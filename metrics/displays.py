"""Which indicators each page, the committee and the deck show, as importable constants.

Why here and not in the screens: ``catalog.validate`` checks that every id named below exists
(a renamed or mistyped id would otherwise just drop a card or a slide line without a word), and
``metrics/`` may not import the floors above it. Pages and the committee import their lists
from this module; the ids are the public interface of ``pilotage metrics --json``.
"""

from __future__ import annotations

# --- pages -------------------------------------------------------------------------------

OVERVIEW_HEADLINE = (
    "entrants",
    "convocation_within_15d_rate",
    "orientation_within_legal_delay_rate",
    "contract_within_legal_delay_rate",
    "no_show_rate",
    "stock_orientation_rate",
    "activity_15h_rate",
    "caseload_median",
    "convocation_median_days",
    "orientation_median_days",
    "roadmap_done_rate",
    "roadmap_late_steps",
)
OVERVIEW_COMPARED_RATES = (
    "convocation_within_15d_rate",
    "orientation_within_legal_delay_rate",
    "contract_within_legal_delay_rate",
    "activity_15h_rate",
    "no_show_rate",
)
CONVOCATION_KPIS = (
    "entrants",
    "convocation_within_15d_rate",
    "convocation_median_days",
    "first_appointment_median_days",
    "invitations_sent",
    "appointments_held",
    "no_show_rate",
    "no_show_rate_after_invitation",
    "no_show_rate_after_convocation",
)
CONVOCATION_BREAKDOWNS = (
    "convocation_within_15d_rate",
    "convocation_median_days",
    "first_appointment_median_days",
    "no_show_rate",
    "entrants",
)
ORIENTATION_KPIS = (
    "orientation_within_legal_delay_rate",
    "orientation_within_45d_rate",
    "orientation_within_30d_rate",
    "orientation_median_days",
    "orientation_mean_days",
    "orientation_mean_days_from_request",
    "orientation_within_3_months_rate",
    "orientations_decided",
    "orientation_share_pro",
    "orientation_share_socio_pro",
    "orientation_share_social",
    "stock_orientation_rate",
)
ORIENTATION_SHARES = (
    "orientation_share_pro",
    "orientation_share_socio_pro",
    "orientation_share_social",
)
ORIENTATION_STOCK = (
    "stock_orientation_rate_lt6m",
    "stock_orientation_rate_6to12m",
    "stock_orientation_rate_ge12m",
    "stock_orientation_rate",
)
ORIENTATION_BREAKDOWNS = (
    "orientation_within_legal_delay_rate",
    "orientation_within_45d_rate",
    "orientation_median_days",
    "orientation_mean_days",
    *ORIENTATION_SHARES,
    "stock_orientation_rate",
)
CONTRACT_KPIS = (
    "contract_within_legal_delay_rate",
    "contract_within_30d_rate",
    "contract_mean_days",
    "contracts_signed",
    "activity_15h_rate",
    "caseload_median",
)
CONTRACT_BREAKDOWNS = (
    "contract_within_legal_delay_rate",
    "contract_within_30d_rate",
    "contract_mean_days",
    "activity_15h_rate",
    "caseload_median",
)
COMPANY_KPIS = ("companies_engaged", "immersions", "job_offers", "hires", "mentoring")
COMPANY_ACTIONS = ("immersions", "job_offers", "hires", "mentoring")
ROADMAP_KPIS = (
    "roadmap_steps_total",
    "roadmap_done_rate",
    "roadmap_late_steps",
    "roadmap_blocked_steps",
    "roadmap_due_next_14d",
)
WEEK_KPIS = (
    "entrants",
    "invitations_sent",
    "convocation_median_days",
    "convocation_within_15d_rate",
    "appointments_held",
    "no_show_rate",
    "orientations_decided",
    "contracts_signed",
)
WEEK_TREND_COUNTS = (
    "entrants",
    "invitations_sent",
    "appointments_held",
    "orientations_decided",
    "contracts_signed",
)
WEEK_TREND_RATES = ("convocation_within_15d_rate", "no_show_rate")

# --- committee and deck ------------------------------------------------------------------

COMMITTEE_HEADLINE = (
    "entrants",
    "convocation_within_15d_rate",
    "convocation_median_days",
    "no_show_rate",
    "orientation_within_legal_delay_rate",
    "orientation_median_days",
    "stock_orientation_rate",
    "contract_within_legal_delay_rate",
    "activity_15h_rate",
    "caseload_median",
    "roadmap_done_rate",
    "roadmap_late_steps",
    "companies_engaged",
    "immersions",
    "hires",
)
COMMITTEE_COMPARED_RATES = (
    "convocation_within_15d_rate",
    "orientation_within_legal_delay_rate",
    "contract_within_legal_delay_rate",
    "activity_15h_rate",
    "no_show_rate",
)
COMMITTEE_LAUNCH_TRENDS = (
    "convocation_within_15d_rate",
    "orientation_within_legal_delay_rate",
    "contract_within_legal_delay_rate",
)
COMMITTEE_COMPANIES = ("companies_engaged", "immersions", "job_offers", "hires", "mentoring")
COMMITTEE_ORIENTATION_TYPES = (
    "orientation_share_pro",
    "orientation_share_socio_pro",
    "orientation_share_social",
)
COMMITTEE_BY_UTAS = ("convocation_within_15d_rate", "orientation_within_legal_delay_rate")

# Every list above under the name of the place that shows it: what ``catalog.validate`` checks.
DISPLAYS: dict[str, tuple[str, ...]] = {
    "Vue d'ensemble": (*OVERVIEW_HEADLINE, *OVERVIEW_COMPARED_RATES),
    "Convocation": (*CONVOCATION_KPIS, *CONVOCATION_BREAKDOWNS),
    "Orientation": (*ORIENTATION_KPIS, *ORIENTATION_STOCK, *ORIENTATION_BREAKDOWNS),
    "Contrats": (*CONTRACT_KPIS, *CONTRACT_BREAKDOWNS),
    "Entreprises": (*COMPANY_KPIS, *COMPANY_ACTIONS),
    "Feuille de route": ROADMAP_KPIS,
    "Point hebdomadaire": (*WEEK_KPIS, *WEEK_TREND_COUNTS, *WEEK_TREND_RATES),
    "Comité de suivi et diaporama": (
        *COMMITTEE_HEADLINE,
        *COMMITTEE_COMPARED_RATES,
        *COMMITTEE_LAUNCH_TRENDS,
        *COMMITTEE_COMPANIES,
        *COMMITTEE_ORIENTATION_TYPES,
        *COMMITTEE_BY_UTAS,
    ),
}
