"""Smart Kids pages: the household applies behind its sticker, a helper applies with consent, staff keep
the centre's list and seats."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from community.services import act_log, require_consent
from eservices.resident_access import verified_resident
from gis_portal.errors import DomainError, PermissionDeniedError
from gis_portal.roles import SERVICE_OFFICER
from parcels.models import Household, Membership, Party

from . import services
from .models import ChildCentre, Enrolment, EnrolmentStatus


def _school_year(request: HttpRequest, centre: ChildCentre | None = None) -> int:
    """The school year asked for, else the next one to start (CE)."""
    raw = request.GET.get("year") or request.POST.get("year") or ""
    if raw.isdigit() and 2000 <= int(raw) <= 2600:
        year = int(raw)
        return year - 543 if year > 2400 else year
    today = timezone.localdate()
    if centre and (today.month, today.day) >= (centre.year_starts_month, centre.year_starts_day):
        return today.year + 1
    return today.year


def _apply_page(
    request: HttpRequest, household: Household, ctx: dict, *, by_resident: bool, consent=None
) -> HttpResponse:  # noqa: ANN001
    centres = list(
        ChildCentre.objects.filter(organisation_id=household.organisation_id, active=True).order_by("name_th")
    )
    error = None
    if request.method == "POST":
        centre = next((c for c in centres if str(c.pk) == request.POST.get("centre")), None)
        child = Party.objects.filter(pk=request.POST.get("child") or 0, household=household).first()
        try:
            if centre is None or child is None:
                raise DomainError("choose", "Choose the centre and the child.", "กรุณาเลือกศูนย์และเด็ก")
            with transaction.atomic():
                enrolment = services.enrol(
                    centre=centre,
                    child=child,
                    household=household,
                    school_year=_school_year(request, centre),
                    user=None if by_resident else request.user,
                    by_resident=by_resident,
                )
                if consent is not None:
                    act_log(
                        user=request.user,
                        household=household,
                        consent=consent,
                        action="kids.enrol",
                        target=f"E{enrolment.pk}",
                    )
            return redirect(request.path)
        except DomainError as exc:
            error = exc.message_en if ctx.get("L") == "en" else exc.message_th
    ctx.update(
        centres=[
            {
                "c": c,
                "year": _school_year(request, c),
                "children": services.household_children(household, c, _school_year(request, c)),
                "taken": services.seats_taken(c, _school_year(request, c)),
            }
            for c in centres
        ],
        enrolments=Enrolment.objects.filter(household=household)
        .select_related("centre", "child")
        .order_by("-school_year"),
        error=error,
    )
    return render(request, "kids/apply.html", ctx, status=400 if error else 200)


@verified_resident
def resident_kids(request: HttpRequest, household, ctx: dict) -> HttpResponse:  # noqa: ANN001
    ctx["base"] = "eservices/resident_base.html"
    return _apply_page(request, household, ctx, by_resident=True)


@login_required
def helper_kids(request: HttpRequest, household_id: int) -> HttpResponse:
    """A leader or volunteer applies for a household that gave consent (every act logged)."""
    household = (
        Household.objects.filter(pk=household_id, status="active").select_related("organisation").first()
    )
    if household is None:
        raise Http404
    try:
        consent = require_consent(request.user, household)
    except PermissionDeniedError as exc:
        return render(request, "health/forbidden.html", {"reason": exc.message}, status=403)
    ctx = {
        "L": "th",
        "household": household,
        "org": household.organisation,
        "base": "field_base.html",
        "helper": True,
    }
    return _apply_page(request, household, ctx, by_resident=False, consent=consent)


def _officer_org_ids(user) -> list[int] | None:  # noqa: ANN001
    if user.is_superuser:
        return None
    return list(
        Membership.objects.filter(user=user, role__name=SERVICE_OFFICER).values_list(
            "organisation_id", flat=True
        )
    )


@login_required
def staff_centres(request: HttpRequest) -> HttpResponse:
    org_ids = _officer_org_ids(request.user)
    if org_ids is not None and not org_ids:
        return render(request, "eservices/staff_forbidden.html", status=403)
    qs = (
        ChildCentre.objects.all()
        if org_ids is None
        else ChildCentre.objects.filter(organisation_id__in=org_ids)
    )
    year = _school_year(request, qs.first())
    centres = qs.annotate(
        accepted=Count("enrolments", filter=Q(enrolments__school_year=year, enrolments__status="accepted")),
        waiting=Count(
            "enrolments",
            filter=Q(enrolments__school_year=year, enrolments__status__in=["applied", "waitlisted"]),
        ),
    ).order_by("name_th")
    return render(request, "kids/centres.html", {"centres": centres, "year": year})


@login_required
def staff_centre(request: HttpRequest, pk: int) -> HttpResponse:
    org_ids = _officer_org_ids(request.user)
    qs = (
        ChildCentre.objects.all()
        if org_ids is None
        else ChildCentre.objects.filter(organisation_id__in=org_ids)
    )
    centre = qs.filter(pk=pk).first()
    if centre is None:
        raise Http404
    year = _school_year(request, centre)
    error = None
    if request.method == "POST":
        enrolment = Enrolment.objects.filter(pk=request.POST.get("enrolment") or 0, centre=centre).first()
        if enrolment is None:
            raise Http404
        try:
            services.enrolment_set_status(enrolment=enrolment, status=request.POST.get("status", ""))
            return redirect(f"/kids/c/{centre.pk}/?year={year}")
        except DomainError as exc:
            error = exc.message
    rows = Enrolment.objects.filter(centre=centre, school_year=year).select_related(
        "child", "household__village"
    )
    return render(
        request,
        "kids/centre.html",
        {
            "centre": centre,
            "year": year,
            "rows": rows,
            "taken": services.seats_taken(centre, year),
            "statuses": EnrolmentStatus.choices,
            "error": error,
        },
        status=400 if error else 200,
    )
