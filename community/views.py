"""Pages of community leaders and volunteers: their villages, the villages' open requests, consent."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from eservices.selectors import queue_requests, service_catalogue_types
from eservices.services import request_form, service_request_submit
from gis_portal.errors import DomainError, PermissionDeniedError, ValidationProblems
from gis_portal.once import services as once
from gis_portal.roles import SERVICE_OFFICER
from parcels.models import Household, Membership, Party, Village

from . import selectors, services
from .models import HelperKind, HouseholdConsent


def _village_or_404(user, village_id: int) -> Village:  # noqa: ANN001
    if not selectors.serves_village(user, village_id):
        raise Http404
    return Village.objects.get(pk=village_id)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The helper's villages, and for office staff the community services their roles open."""
    villages = list(selectors.helper_villages(request.user).defer("boundary", "boundary_3857"))
    roles = set(Membership.objects.filter(user=request.user).values_list("role__name", flat=True))
    if request.user.is_superuser:
        roles |= {SERVICE_OFFICER, "health officer"}
    return render(
        request,
        "community/home.html",
        {
            "villages": villages,
            "is_helper": bool(villages),
            "volunteer_village_ids": selectors.helper_village_ids(
                request.user, kinds=(HelperKind.VOLUNTEER,)
            ),
            "is_leader": bool(selectors.helper_village_ids(request.user, kinds=(HelperKind.LEADER,))),
            "is_service_officer": SERVICE_OFFICER in roles,
            "is_health_officer": "health officer" in roles,
            "org_slugs": list(
                Membership.objects.filter(user=request.user)
                .values_list("organisation__slug", flat=True)
                .distinct()
            ),
        },
    )


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


def _household_with_consent(user, household_id: int):  # noqa: ANN001, ANN202
    household = Household.objects.filter(pk=household_id, status="active").select_related("village").first()
    if household is None or not selectors.serves_village(user, household.village_id):
        raise Http404
    return household, services.require_consent(user, household)


@login_required
def act_request(request: HttpRequest, household_id: int, code: str = "") -> HttpResponse:
    """File an e-service request for a household that gave this helper its consent (logged on its behalf)."""
    try:
        household, consent = _household_with_consent(request.user, household_id)
    except PermissionDeniedError as exc:
        return render(request, "health/forbidden.html", {"reason": exc.message}, status=403)
    types = service_catalogue_types(household.organisation_id).exclude(kind="tax")
    if not code:
        return render(request, "community/act_services.html", {"household": household, "types": types})
    st = types.filter(code=code).first()
    if st is None:
        raise Http404
    problems: list[str] = []
    if request.method == "POST":
        try:
            with transaction.atomic():
                req, created = service_request_submit(
                    household=household,
                    service_type=st,
                    nonce=request.POST.get("nonce", ""),
                    form=dict(request.POST.items()),
                    contact_phone=request.POST.get("phone", ""),
                    photos=[
                        (a["name"], request.FILES.get(a["name"])) for a in (st.required_attachments or [])
                    ],
                )
                if created:
                    services.act_log(
                        user=request.user,
                        household=household,
                        consent=consent,
                        action="eservices.request",
                        target=req.reference,
                    )
            messages.success(request, f"ยื่นคำขอ {req.reference} แทนบ้านเลขที่ {household.house_number} แล้ว")
            return redirect(f"/community/h/{household.pk}/")
        except ValidationProblems as exc:
            problems = [p.message_th for p in exc.problems]
        except DomainError as exc:
            problems = [exc.message]
    # The form keeps its key until sent; shown again after it was sent (back button), it says so.
    issued = (
        once.IssuedKey(request.POST.get("nonce", ""))
        if problems
        else once.form_key(request, request_form(household, st), fresh=request.GET.get("new") == "1")
    )
    fields = [
        {**f, "value": request.POST.get(f["name"], ""), "type": f.get("type", "text")}
        for f in (st.form_fields or [])
    ]
    return render(
        request,
        "community/act_form.html",
        {
            "household": household,
            "st": st,
            "fields": fields,
            "problems": problems,
            "nonce": issued.key,
            "sent": issued.sent,
        },
        status=400 if problems else 200,
    )
