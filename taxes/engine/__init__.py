"""Land and Building Tax (ภาษีที่ดินและสิ่งปลูกสร้าง, Act B.E. 2562) assessment engine.

Pure, deterministic and database-free: frozen dataclasses in, an itemised :class:`Assessment` out.
Money is :class:`decimal.Decimal` exact to the satang; ownership and use shares are exact rationals
(:class:`fractions.Fraction`); a ``float`` is refused everywhere. Rates, brackets, exemptions,
reductions, dates and penalties are data (:class:`TaxYearRules`, built from a plain dict by
:mod:`taxes.rules`, each rule with its legal source in :mod:`taxes.law`).

Modules, one job each (this package re-exports their public names):

- :mod:`.money`: amounts, shares, rounding, rai-ngan-wah;
- :mod:`.model`: the rules of a year (data), the taxpayer's properties (input), the assessment (output);
- :mod:`.compute`: the computation (see its docstring for the steps and the readings taken);
- :mod:`.texts`: the Thai and English text of every itemised line;
- :mod:`.calendar`: installments, months late, surcharge and penalty.
"""

from __future__ import annotations

from .calendar import (
    PENALTY_SECTIONS,
    DueLine,
    Installment,
    PenaltyTier,
    ReminderDates,
    due_lines,
    installment_schedule,
    late_costs,
    late_totals,
    months_late,
    penalty,
    penalty_percent,
    penalty_tier,
    surcharge,
    unpaid_installments,
)
from .compute import assess, vacant_escalation_steps
from .model import (
    Assessment,
    BuildingPortion,
    CondoPortion,
    CoOwner,
    GroupSummary,
    LandPortion,
    Line,
    Note,
    Property,
    Taxpayer,
    Valuation,
)
from .money import (
    DEFAULT_ROUNDING,
    HUNDRED,
    NIL,
    SATANG,
    ZERO,
    Rounding,
    parse_rai_ngan_wah,
    round_money,
    split_by_shares,
    to_share,
)
from .rules_model import (
    SCHEDULE_NAMES,
    SCHEDULE_ORDER,
    Bracket,
    Schedule,
    ScheduleRule,
    SpecialReductionRule,
    TaxpayerKind,
    TaxYearRules,
    Use,
)
from .texts import (
    NOTE_TEXTS,
    USE_NAMES_TH,
    bracket_text,
    building_text,
    co_owned_share_text,
    condo_text,
    exemption_text,
    land_text,
    reduction_text,
    render_text,
    special_reduction_text,
    transitional_text,
)

__all__ = [
    "DEFAULT_ROUNDING",
    "HUNDRED",
    "NIL",
    "NOTE_TEXTS",
    "PENALTY_SECTIONS",
    "SATANG",
    "SCHEDULE_NAMES",
    "SCHEDULE_ORDER",
    "USE_NAMES_TH",
    "ZERO",
    "Assessment",
    "Bracket",
    "BuildingPortion",
    "CoOwner",
    "CondoPortion",
    "DueLine",
    "GroupSummary",
    "Installment",
    "LandPortion",
    "Line",
    "Note",
    "PenaltyTier",
    "Property",
    "ReminderDates",
    "Rounding",
    "Schedule",
    "ScheduleRule",
    "SpecialReductionRule",
    "TaxYearRules",
    "Taxpayer",
    "TaxpayerKind",
    "Use",
    "Valuation",
    "assess",
    "bracket_text",
    "building_text",
    "co_owned_share_text",
    "condo_text",
    "due_lines",
    "exemption_text",
    "installment_schedule",
    "land_text",
    "late_costs",
    "late_totals",
    "months_late",
    "parse_rai_ngan_wah",
    "penalty",
    "penalty_percent",
    "penalty_tier",
    "reduction_text",
    "render_text",
    "round_money",
    "special_reduction_text",
    "split_by_shares",
    "surcharge",
    "to_share",
    "transitional_text",
    "unpaid_installments",
    "vacant_escalation_steps",
]
