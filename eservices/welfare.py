"""Who in a household may qualify for an allowance: rules as data that check what they claim.

Each :class:`WelfareRule` is an age band of a programme; a rule that needs a registered disability
suggests the allowance only to members with a valid disability card, and a rule with an income
limit checks the household's latest recorded income per person. Where the register lacks what a
rule needs (no income recorded), the hint says so instead of claiming eligibility.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from parcels.models import Household, Party, PartyKind

from .models import DisabilityCard, HouseholdIncome, WelfareEnrolment, WelfareRule


def age_on(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


@dataclass
class WelfareHint:
    party: Party
    age: int
    program: str
    program_label: str
    monthly_amount: Decimal
    condition_th: str
    condition_en: str
    needs_verify: bool
    enrolled: bool = False
    # "income_unknown" when the rule has an income limit and no income is recorded for the household
    unknown: str = ""
    extra: dict = field(default_factory=dict)


def latest_income(household: Household, today: date) -> HouseholdIncome | None:
    """The household's income of this year or last year (older figures are not used)."""
    return (
        HouseholdIncome.objects.filter(household=household, year__gte=today.year - 1)
        .order_by("-year")
        .first()
    )


def welfare_check(
    household: Household, today: date | None = None, members: list[Party] | None = None
) -> list[WelfareHint]:
    """Members who may qualify for an allowance and are not yet receiving it (a few queries)."""
    today = today or timezone.localdate()
    rules = list(WelfareRule.objects.all())
    if members is None:
        members = list(Party.objects.filter(household=household))
    members = [m for m in members if m.kind == PartyKind.PERSON and m.birth_date is not None]
    enrolled = set(WelfareEnrolment.objects.filter(party__in=members).values_list("party_id", "program"))
    carded = set(
        DisabilityCard.objects.filter(party__in=members, issued_on__lte=today)
        .filter(Q(expires_on__isnull=True) | Q(expires_on__gte=today))
        .values_list("party_id", flat=True)
    )
    income = (
        latest_income(household, today) if any(r.max_income_per_person is not None for r in rules) else None
    )
    hints: list[WelfareHint] = []
    for member in members:
        age = age_on(member.birth_date, today)
        for rule in rules:
            if age < rule.min_age or (rule.max_age is not None and age > rule.max_age):
                continue
            if (member.pk, rule.program) in enrolled:
                continue
            if rule.requires_disability_card and member.pk not in carded:
                continue
            unknown = ""
            if rule.max_income_per_person is not None:
                if income is None:
                    unknown = "income_unknown"
                elif income.per_person > rule.max_income_per_person:
                    continue
            hints.append(
                WelfareHint(
                    party=member,
                    age=age,
                    program=rule.program,
                    program_label=rule.get_program_display(),
                    monthly_amount=rule.monthly_amount,
                    condition_th=rule.condition_th,
                    condition_en=rule.condition_en,
                    needs_verify=rule.needs_verify,
                    unknown=unknown,
                )
            )
    return hints
