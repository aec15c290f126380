"""Outbreak follow-up pages for health officers and village volunteers; every view is audited (PDPA)."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from eservices.resident_access import verified_resident
from gis_portal.audit import log as audit_log
from gis_portal.audit.models import ActorKind
from gis_portal.errors import DomainError, ValidationProblems
from parcels.models import Household, Party

from . import access, outbreak
from .models import CaseRole, Disease, EndReason, Feeling


def _problems(exc: DomainError) -> list[str]:
    if isinstance(exc, ValidationProblems):
        return [f"{p.message_th} / {p.message_en}" for p in exc.problems]
    return [exc.message]


def _date(raw: str | None, default: date | None = None) -> date | None:
    if not raw:
        return default
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise DomainError("not_a_date", "Not a date.", "วันที่ไม่ถูกต้อง") from None


def _audit(request: HttpRequest, cases: list, purpose: str) -> None:
    ids: dict[int, list[int]] = {}
    for c in cases:
        ids.setdefault(c.organisation_id, []).append(c.pk)
    audit_log.record(
        request,
        kind=audit_log.HEALTH_CASE,
        ids_by_organisation=ids,
        purpose=purpose,
        detail={"person_party_ids": sorted({c.person_id for c in cases})},
    )


def _scope_or_403(request: HttpRequest) -> HttpResponse | None:
    if not access.may_see_cases(request.user):
        return render(request, "health/forbidden.html", status=403)
    return None


@never_cache
@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    if (denied := _scope_or_403(request)) is not None:
        return denied
    village = request.GET.get("village")
    cases = list(
        outbreak.cases_for(request.user, village_id=int(village) if (village or "").isdigit() else None)
    )
    _audit(request, cases, "outbreak case list")
    today = timezone.localdate()
    rows = [
        {
            "c": c,
            "day": (today - c.isolation_start).days + 1,
            "days": (c.isolation_end - c.isolation_start).days + 1,
            "checked_today": any(ch.day == today for ch in c.checkins.all()),
        }
        for c in cases
    ]
    return render(request, "health/cases.html", {"rows": rows, "today": today})


@never_cache
@login_required
def case_new(request: HttpRequest) -> HttpResponse:
    if (denied := _scope_or_403(request)) is not None:
        return denied
    org_ids, village_ids = access.case_scope(request.user)
    households = Household.objects.filter(status="active")
    if org_ids is not None:
        households = households.filter(organisation_id__in=org_ids) | households.filter(
            village_id__in=village_ids
        )
    house = request.GET.get("house", "").strip() or request.POST.get("house", "").strip()
    found = list(households.filter(house_number=house).select_related("village")[:10]) if house else []
    household = (
        next((h for h in found if str(h.pk) == request.POST.get("household")), None)
        if request.method == "POST"
        else None
    )
    problems: list[str] = []
    if request.method == "POST":
        if household is None:
            raise Http404
        try:
            person = Party.objects.filter(pk=request.POST.get("person") or 0, household=household).first()
            disease = Disease.objects.filter(
                pk=request.POST.get("disease") or 0, organisation_id=household.organisation_id
            ).first()
            if person is None or disease is None:
                raise DomainError("choose", "Choose the person and the disease.", "กรุณาเลือกบุคคลและโรค")
            case = outbreak.case_report(
                household=household,
                person=person,
                disease=disease,
                role=request.POST.get("role", ""),
                isolation_start=_date(request.POST.get("isolation_start"), timezone.localdate()),
                isolation_end=_date(request.POST.get("isolation_end")),
                note=request.POST.get("note", ""),
                user=request.user,
            )
            return redirect(f"/health/cases/{case.pk}/")
        except DomainError as exc:
            problems = _problems(exc)
    rows = [{"h": h, "members": list(Party.objects.filter(household=h, kind="person"))} for h in found]
    diseases = Disease.objects.filter(organisation_id__in={h.organisation_id for h in found}, active=True)
    return render(
        request,
        "health/case_new.html",
        {
            "house": house,
            "rows": rows,
            "diseases": diseases,
            "roles": CaseRole.choices,
            "problems": problems,
            "today": timezone.localdate(),
            "post": request.POST,
        },
        status=400 if problems else 200,
    )


@never_cache
@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = outbreak.case_for(request.user, pk)
    problems: list[str] = []
    if request.method == "POST":
        try:
            if request.POST.get("action") == "end":
                outbreak.case_end(
                    case=case,
                    ended_on=_date(request.POST.get("ended_on"), timezone.localdate()),
                    reason=request.POST.get("reason", ""),
                )
            else:
                outbreak.checkin_record(
                    case=case,
                    day=_date(request.POST.get("day"), timezone.localdate()),
                    feeling=request.POST.get("feeling", ""),
                    temperature=request.POST.get("temperature"),
                    symptoms=request.POST.getlist("symptoms"),
                    note=request.POST.get("note", ""),
                    user=request.user,
                )
            return redirect(f"/health/cases/{case.pk}/")
        except DomainError as exc:
            problems = _problems(exc)
    _audit(request, [case], "outbreak case page")
    return render(request, "health/case.html", _case_ctx(case, problems), status=400 if problems else 200)


def _case_ctx(case, problems: list[str]) -> dict:  # noqa: ANN001
    return {
        "case": case,
        "checkins": [{"c": c, "feeling": Feeling(c.feeling).label} for c in case.checkins.all()],
        "feelings": [("better", "smile"), ("same", "meh"), ("worse", "frown")],
        "symptoms": case.disease.symptoms or [],
        "reasons": EndReason.choices,
        "problems": problems,
        "today": timezone.localdate(),
    }


@verified_resident
def resident_checkin(request: HttpRequest, household, ctx: dict) -> HttpResponse:  # noqa: ANN001
    """The household's own daily check-in behind the sticker (verified members only), audited."""
    lang, token = ctx["L"], ctx["token"]
    cases = outbreak.household_open_cases(household)
    problems: list[str] = []
    if request.method == "POST":
        case = next((c for c in cases if str(c.pk) == request.POST.get("case")), None)
        if case is None:
            raise Http404
        try:
            outbreak.checkin_record(
                case=case,
                day=timezone.localdate(),
                feeling=request.POST.get("feeling", ""),
                temperature=request.POST.get("temperature"),
                symptoms=request.POST.getlist("symptoms"),
                by_resident=True,
            )
            return redirect(f"/h/{token}/health/")
        except DomainError as exc:
            problems = [
                p.message_en if lang == "en" else p.message_th for p in getattr(exc, "problems", [])
            ] or [exc.message_en if lang == "en" else exc.message_th]
    if cases:
        audit_log.record(
            request,
            kind=audit_log.HEALTH_CASE,
            ids_by_organisation={household.organisation_id: [c.pk for c in cases]},
            purpose="resident isolation check-in page",
            actor=(ActorKind.RESIDENT, None, f"household {household.pk}"),
        )
    ctx.update(
        cases=cases,
        problems=problems,
        today=timezone.localdate(),
        feelings=[("better", "smile"), ("same", "meh"), ("worse", "frown")],
    )
    return render(request, "health/resident_checkin.html", ctx, status=400 if problems else 200)
