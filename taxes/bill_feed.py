"""Bills to tell households about: notices issued lately and installments falling due soon.

A read for the notifications (one query each); it returns plain dicts, never tax models.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from .models import Assessment, AssessmentStatus, Installment


def bills_issued_since(organisation_id: int, since: Any) -> list[dict[str, Any]]:
    """Notices issued at or after ``since`` to taxpayers registered in a household."""
    rows = (
        Assessment.objects.filter(
            organisation_id=organisation_id,
            status=AssessmentStatus.ISSUED,
            issued_at__gte=since,
            party__household__isnull=False,
        )
        .exclude(notice_number="")
        .values("notice_number", "total", "tax_year__year", "party__household_id")
    )
    return [
        {
            "household_id": r["party__household_id"],
            "number": r["notice_number"],
            "amount": r["total"],
            "tax_year": r["tax_year__year"],
        }
        for r in rows
    ]


def installments_due_soon(organisation_id: int, today: date, days: int) -> list[dict[str, Any]]:
    """Installments due from today to ``today + days`` and not yet covered by the payments made."""
    rows = Installment.objects.filter(
        assessment__organisation_id=organisation_id,
        assessment__status=AssessmentStatus.ISSUED,
        assessment__party__household__isnull=False,
        due_date__gte=today,
        due_date__lte=today + timedelta(days=days),
    ).values(
        "id",
        "number",
        "due_date",
        "amount",
        "assessment_id",
        "assessment__notice_number",
        "assessment__paid",
        "assessment__party__household_id",
    )
    ids = {r["assessment_id"] for r in rows}
    schedule: dict[int, list[tuple[int, Any]]] = {}
    for inst in Installment.objects.filter(assessment_id__in=ids).values("assessment_id", "number", "amount"):
        schedule.setdefault(inst["assessment_id"], []).append((inst["number"], inst["amount"]))
    out = []
    for r in rows:
        upto = sum(a for n, a in schedule.get(r["assessment_id"], []) if n <= r["number"])
        owed = upto - r["assessment__paid"]
        if owed > 0:
            out.append(
                {
                    "household_id": r["assessment__party__household_id"],
                    "number": r["assessment__notice_number"],
                    "installment": r["number"],
                    "due_date": r["due_date"],
                    "amount": min(owed, r["amount"]),
                }
            )
    return out
