"""Pages of community leaders and volunteers: their villages, the villages' open requests, consent."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from eservices.selectors import queue_requests
from gis_portal.errors import DomainError
from parcels.models import Household, Party, Village

from . import selectors, services
from .models import HouseholdConsent


def _village_or_404(user, village_id: int) -> Village:  # noqa: ANN001
    if not selectors.serves_village(user, village_id):
        raise Http404
    return Village.objects.get(pk=village_id)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    villages = list(selectors.helper_villages(request.user).defer("boundary", "boundary_3857"))
    return render(request, "community/home.html", {"villages": villages, "is_helper": bool(villages)})


@login_required
def village_requests(request: HttpRequest, village_id: int) -> HttpResponse:
    village = _village_or_404(request.user, village_id)
    rows = queue_requests([village.organisation_id], {"village": str(village.number), "status": "open"})[:200]
    return render(request, "community/village_requests.html", {"village": village, "rows": rows})


@login_required
def village_households(request: HttpRequest, village_id: int) -> HttpResponse:
    village = _village_or_404(request.user, village_id)
    query = request.GET.get("q", "").strip()
    rows = selectors.village_households(village.pk, query)[:300]
    return render(request, "community/households.html", {"village": village, "rows": rows, "q": query})


@login_required
def household_page(request: HttpRequest, household_id: int) -> HttpResponse:
    """A household the helper serves: its consent for this helper (record or revoke) and the acts logged."""
    household = Household.objects.filter(pk=household_id, status="active").select_related("village").first()
    if household is None or not selectors.serves_village(request.user, household.village_id):
        raise Http404
    members = list(
        Party.objects.filter(household=household, kind="person").order_by("-is_household_head", "id")
    )
    error = None
    if request.method == "POST":
        try:
            if request.POST.get("action") == "revoke":
                consent = HouseholdConsent.objects.filter(
                    household=household, helper=request.user, revoked_at__isnull=True
                ).first()
                if consent:
                    services.consent_revoke(consent=consent)
                messages.success(request, "ยกเลิกความยินยอมแล้ว / consent revoked")
            else:
                given_by = next((m for m in members if str(m.pk) == request.POST.get("given_by")), None)
                if given_by is None:
                    raise DomainError("not_a_member", "Choose who gave consent.", "กรุณาเลือกผู้ให้ความยินยอม")
                expires = request.POST.get("expires_on") or None
                services.consent_record(
                    household=household,
                    helper=request.user,
                    given_by=given_by,
                    evidence=request.POST.get("evidence", ""),
                    recorded_by=request.user,
                    expires_on=timezone.datetime.fromisoformat(expires).date() if expires else None,
                )
                messages.success(request, "บันทึกความยินยอมแล้ว / consent recorded")
            return redirect(f"/community/h/{household.pk}/")
        except DomainError as exc:
            error = exc.message
        except ValueError:
            error = "วันที่ไม่ถูกต้อง / not a date"
    return render(
        request,
        "community/household.html",
        {
            "household": household,
            "members": members,
            "consent": selectors.active_consent(request.user, household),
            "acts": selectors.household_acts(household),
            "error": error,
        },
        status=400 if error else 200,
    )
