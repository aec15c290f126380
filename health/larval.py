"""Smart Yunglai: record a household's larval survey; House, Container and Breteau indices per village.

Indices are computed in one aggregate query over the survey totals (WHO definitions):
HI = positive houses / houses × 100, CI = positive containers / containers × 100,
BI = positive containers / houses × 100. A house with no water-holding container is still a house
inspected (it counts in HI and BI); CI is undefined when no container was inspected.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, Q, Sum

from gis_portal.errors import DomainError, Problem, ValidationProblems
from parcels.models import Household

from . import events
from .models import ContainerKind, IndexThreshold, LarvalCount, LarvalSurvey, VillageAlert

MAX_CONTAINERS = 500  # per kind and household: more is a typing slip, not a house
INDICES = ("HI", "CI", "BI")


def month_of(day: date) -> date:
    return day.replace(day=1)


THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")


def _count(raw: Any) -> int | None:
    """A whole number typed on a phone (Thai digits too); None for anything else."""
    text = str(raw if raw is not None else "").strip().translate(THAI_DIGITS)
    if text == "":
        return 0
    if not (text.isascii() and text.isdigit()) or len(text) > 6:
        return None if not (text.isascii() and text.isdigit()) else MAX_CONTAINERS + 1
    return int(text)


def counts_clean(
    kinds: Iterable[ContainerKind], raw: Mapping[str, Any]
) -> list[tuple[ContainerKind, int, int]]:
    """``inspected_<code>`` and ``positive_<code>`` for each kind, checked (raises with every problem)."""
    problems: list[Problem] = []
    rows = []
    for kind in kinds:
        inspected = _count(raw.get(f"inspected_{kind.code}"))
        positive = _count(raw.get(f"positive_{kind.code}"))
        if inspected is None or positive is None:
            problems.append(
                Problem(
                    kind.code,
                    "not_a_count",
                    f"{kind.name_en}: whole numbers only",
                    f"{kind.name_th}: ใส่จำนวนเต็มเท่านั้น",
                )
            )
            continue
        if inspected > MAX_CONTAINERS or positive > MAX_CONTAINERS:
            problems.append(
                Problem(
                    kind.code,
                    "too_many",
                    f"{kind.name_en}: more than {MAX_CONTAINERS} containers",
                    f"{kind.name_th}: เกิน {MAX_CONTAINERS} ภาชนะ",
                )
            )
            continue
        if positive > inspected:
            problems.append(
                Problem(
                    kind.code,
                    "positive_over_inspected",
                    f"{kind.name_en}: {positive} with larvae but only {inspected} inspected",
                    f"{kind.name_th}: พบลูกน้ำ {positive} ภาชนะ แต่สำรวจเพียง {inspected} ภาชนะ",
                )
            )
            continue
        if inspected:
            rows.append((kind, inspected, positive))
    if problems:
        raise ValidationProblems(problems)
    return rows


@transaction.atomic
def survey_record(
    *, household: Household, surveyed_on: date, counts: Mapping[str, Any], user: Any
) -> LarvalSurvey:
    """Store a household's survey for the month of ``surveyed_on`` (replacing that month's earlier one).

    ``counts`` holds ``inspected_<kind>`` and ``positive_<kind>`` for the organisation's container
    kinds. Checked first: nothing is written when any count is wrong. Alerts the office (after
    commit) when the village passes a threshold this month.
    """
    from django.utils import timezone

    if surveyed_on > timezone.localdate():
        raise DomainError("future_date", "The survey date is in the future.", "วันที่สำรวจเป็นวันในอนาคต")
    kinds = list(ContainerKind.objects.filter(organisation_id=household.organisation_id, active=True))
    rows = counts_clean(kinds, counts)
    month = month_of(surveyed_on)
    survey, _ = LarvalSurvey.objects.select_for_update().update_or_create(
        household=household,
        month=month,
        defaults={
            "organisation_id": household.organisation_id,
            "village_id": household.village_id,
            "surveyed_on": surveyed_on,
            "containers_inspected": sum(r[1] for r in rows),
            "containers_positive": sum(r[2] for r in rows),
            "recorded_by": user,
        },
    )
    survey.counts.all().delete()
    LarvalCount.objects.bulk_create(
        [LarvalCount(survey=survey, kind=kind, inspected=i, positive=p) for kind, i, p in rows]
    )
    alerts_check(organisation_id=household.organisation_id, village_id=household.village_id, month=month)
    return survey


@dataclass
class Indices:
    village_id: int
    month: date
    houses: int
    positive_houses: int
    containers: int
    positive_containers: int

    def _pct(self, num: int, den: int) -> Decimal | None:
        if not den:
            return None
        return (Decimal(num) * 100 / Decimal(den)).quantize(Decimal("0.1"), ROUND_HALF_UP)

    @property
    def HI(self) -> Decimal | None:  # noqa: N802 - the index's own name
        return self._pct(self.positive_houses, self.houses)

    @property
    def CI(self) -> Decimal | None:  # noqa: N802
        return self._pct(self.positive_containers, self.containers)

    @property
    def BI(self) -> Decimal | None:  # noqa: N802
        return self._pct(self.positive_containers, self.houses)

    def value(self, index: str) -> Decimal | None:
        return getattr(self, index)


def village_indices(
    organisation_id: int,
    *,
    village_ids: Iterable[int] | None = None,
    since: date | None = None,
    until: date | None = None,
) -> list[Indices]:
    """Indices of every village and month with surveys (one aggregate query), oldest month first."""
    qs = LarvalSurvey.objects.filter(organisation_id=organisation_id)
    if village_ids is not None:
        qs = qs.filter(village_id__in=list(village_ids))
    if since:
        qs = qs.filter(month__gte=month_of(since))
    if until:
        qs = qs.filter(month__lte=month_of(until))
    rows = (
        qs.values("village_id", "month")
        .annotate(
            houses=Count("id"),
            positive_houses=Count("id", filter=Q(containers_positive__gt=0)),
            containers=Sum("containers_inspected"),
            positive_containers=Sum("containers_positive"),
        )
        .order_by("month", "village_id")
    )
    return [Indices(**row) for row in rows]


def thresholds(organisation_id: int) -> dict[str, Decimal]:
    return dict(IndexThreshold.objects.filter(organisation_id=organisation_id).values_list("index", "value"))


def passed(
    ind: Indices, limits: Mapping[str, Decimal], min_houses: Mapping[str, int] | None = None
) -> list[tuple[str, Decimal, Decimal]]:
    """The indices at or above their threshold: ``[(index, value, threshold)]``.

    With ``min_houses``, an index counts only once that many houses were inspected in the month
    (one positive house out of the first two surveyed is not yet a village's index).
    """
    out = []
    for index in INDICES:
        value, limit = ind.value(index), limits.get(index)
        if min_houses is not None and ind.houses < min_houses.get(index, 0):
            continue
        if value is not None and limit is not None and value >= limit:
            out.append((index, value, limit))
    return out


def alerts_check(*, organisation_id: int, village_id: int, month: date) -> list[VillageAlert]:
    """New alerts for a village and month whose indices pass a threshold; the office hears after commit."""
    rows = IndexThreshold.objects.filter(organisation_id=organisation_id).values_list(
        "index", "value", "min_houses"
    )
    limits = {index: value for index, value, _ in rows}
    minimum = {index: houses for index, _, houses in rows}
    found = village_indices(organisation_id, village_ids=[village_id], since=month, until=month)
    if not found or not limits:
        return []
    new = []
    for index, value, limit in passed(found[0], limits, minimum):
        alert, created = VillageAlert.objects.get_or_create(
            village_id=village_id,
            month=month,
            index=index,
            defaults={"organisation_id": organisation_id, "value": value, "threshold": limit},
        )
        if created:
            new.append(alert)
    for alert in new:
        transaction.on_commit(
            lambda a=alert: events.village_threshold_passed.send(sender=VillageAlert, alert_id=a.pk)
        )
    return new


def village_households_status(village_id: int, month: date) -> list[dict[str, Any]]:
    """Every active household of the village with this month's survey result (for the village map)."""
    from parcels.models import Household as H

    surveys = dict(
        LarvalSurvey.objects.filter(village_id=village_id, month=month).values_list(
            "household_id", "containers_positive"
        )
    )
    rows = []
    for hh in H.objects.filter(village_id=village_id, status="active").only(
        "id", "house_number", "location_3857"
    ):
        positive = surveys.get(hh.pk)
        rows.append(
            {
                "id": hh.pk,
                "house_number": hh.house_number,
                "x": hh.location_3857.x,
                "y": hh.location_3857.y,
                "state": "none" if positive is None else ("pos" if positive > 0 else "neg"),
            }
        )
    return rows


def alert_summary(alert_id: int) -> dict[str, Any]:
    alert = VillageAlert.objects.select_related("village").get(pk=alert_id)
    return {
        "organisation_id": alert.organisation_id,
        "village_id": alert.village_id,
        "village": f"หมู่ {alert.village.number} {alert.village.name_th}",
        "month": alert.month,
        "index": alert.index,
        "value": alert.value,
        "threshold": alert.threshold,
    }
