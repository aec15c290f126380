"""Smart Yunglai pages: village overview, one village (indices, map, trend), a household's survey form."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from gis_portal.errors import DomainError, ValidationProblems
from parcels.models import Household

from . import access, charts, larval
from .models import ContainerKind, VillageAlert


def _month_param(request: HttpRequest) -> date:
    raw = request.GET.get("month", "")
    try:
        year, month = (int(p) for p in raw.split("-"))
        return date(year, month, 1)
    except (ValueError, TypeError):
        return larval.month_of(timezone.localdate())


def _cards(ind: larval.Indices | None, limits: dict) -> list[dict]:
    cards = []
    for index in larval.INDICES:
        value = ind.value(index) if ind else None
        limit = limits.get(index)
        cards.append(
            {
                "index": index,
                "value": value,
                "limit": limit,
                "over": value is not None and limit is not None and value >= limit,
            }
        )
    return cards


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    villages = access.larval_villages(request.user)
    if not villages:
        return render(request, "health/forbidden.html", status=403)
    month = _month_param(request)
    rows = []
    by_org: dict[int, list] = {}
    for v in villages:
        by_org.setdefault(v.organisation_id, []).append(v)
    for org_id, vs in by_org.items():
        found = {
            i.village_id: i
            for i in larval.village_indices(org_id, village_ids=[v.pk for v in vs], since=month, until=month)
        }
        limits = larval.thresholds(org_id)
        rows += [{"village": v, "ind": found.get(v.pk), "cards": _cards(found.get(v.pk), limits)} for v in vs]
    alerts = VillageAlert.objects.filter(village__in=villages, acknowledged_at__isnull=True).select_related(
        "village"
    )[:20]
    return render(request, "health/overview.html", {"rows": rows, "month": month, "alerts": alerts})


@login_required
def village_page(request: HttpRequest, village_id: int) -> HttpResponse:
    village = access.larval_village(request.user, village_id)
    month = _month_param(request)
    limits = larval.thresholds(village.organisation_id)
    since = date(month.year - 1, month.month, 1)
    series = larval.village_indices(
        village.organisation_id, village_ids=[village.pk], since=since, until=month
    )
    current = next((s for s in series if s.month == month), None)
    houses = larval.village_households_status(village.pk, month)
    query = request.GET.get("q", "").strip()
    listed = [h for h in houses if h["house_number"].startswith(query)] if query else houses
    return render(
        request,
        "health/village.html",
        {
            "village": village,
            "month": month,
            "current": current,
            "cards": _cards(current, limits),
            "map": charts.village_map(village, houses),
            "chart": charts.trend_chart(series, limits),
            "houses": listed[:200],
            "more": max(len(listed) - 200, 0),
            "q": query,
            "alerts": VillageAlert.objects.filter(village=village).order_by("-month")[:6],
        },
    )


@login_required
def survey_form(request: HttpRequest, village_id: int, household_id: int) -> HttpResponse:
    village = access.larval_village(request.user, village_id)
    household = Household.objects.filter(pk=household_id, village=village, status="active").first()
    if household is None:
        raise Http404
    kinds = list(ContainerKind.objects.filter(organisation_id=village.organisation_id, active=True))
    problems: list[str] = []
    values = {}
    today = timezone.localdate()
    if request.method == "POST":
        values = request.POST
        try:
            surveyed_on = date.fromisoformat(request.POST.get("surveyed_on") or today.isoformat())
        except ValueError:
            problems.append("วันที่ไม่ถูกต้อง / not a date")
        else:
            try:
                survey = larval.survey_record(
                    household=household, surveyed_on=surveyed_on, counts=request.POST, user=request.user
                )
            except ValidationProblems as exc:
                problems = [f"{p.message_th} / {p.message_en}" for p in exc.problems]
            except DomainError as exc:
                problems = [exc.message]
            else:
                messages.success(
                    request,
                    f"บันทึกบ้านเลขที่ {household.house_number} แล้ว: พบลูกน้ำ "
                    f"{survey.containers_positive}/{survey.containers_inspected} ภาชนะ",
                )
                return redirect(f"/health/yunglai/v/{village.pk}/?month={survey.month:%Y-%m}")
    else:
        existing = (
            household.larval_surveys.filter(month=larval.month_of(today))
            .prefetch_related("counts__kind")
            .first()
        )
        if existing:
            for c in existing.counts.all():
                values[f"inspected_{c.kind.code}"] = c.inspected
                values[f"positive_{c.kind.code}"] = c.positive
    rows = [
        {
            "kind": k,
            "inspected": values.get(f"inspected_{k.code}", 0) or 0,
            "positive": values.get(f"positive_{k.code}", 0) or 0,
        }
        for k in kinds
    ]
    return render(
        request,
        "health/survey_form.html",
        {"village": village, "household": household, "rows": rows, "problems": problems, "today": today},
        status=400 if problems else 200,
    )
