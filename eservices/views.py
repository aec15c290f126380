"""Resident pages behind the sticker QR and the service officers' queue; logic lives in services/selectors."""

from __future__ import annotations

import json
from datetime import timedelta
from functools import wraps
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from gis_portal.audit import log as audit_log
from gis_portal.errors import DomainError, ValidationProblems
from gis_portal.once import services as once
from gis_portal.roles import SERVICE_OFFICER
from parcels.models import Membership

from . import conf, resident_access, selectors, services, verification
from .models import RequestAttachment, ServiceRequest, ServiceType

# --- resident --------------------------------------------------------------------------------------


def _client_ip(request: HttpRequest) -> str | None:
    # Behind the reverse proxy the address comes from REMOTE_ADDR set by it; no header is trusted here.
    return request.META.get("REMOTE_ADDR")


def resident(view):  # noqa: ANN001, ANN201
    """Resolve the sticker token; answer every bad token the same way; keep the chosen language."""

    @wraps(view)
    @never_cache
    def wrapper(request: HttpRequest, token: str, *args: Any, **kwargs: Any) -> HttpResponse:
        resolved = resident_access.resolve(request, token)
        if isinstance(resolved, HttpResponse):
            return resolved
        household, token_hash, ctx = resolved
        response = view(request, household, token_hash, ctx, *args, **kwargs)
        return resident_access.finish(request, response, household, ctx)

    return wrapper


def _status_name(service_type: ServiceType, code: str, lang: str) -> str:
    state = service_type.state(code) or {}
    return state.get("name_en" if lang == "en" else "name_th") or code


def _requests_rows(reqs: list[ServiceRequest], lang: str) -> list[dict]:
    return [
        {
            "id": r.pk,
            "ref": r.reference,
            "icon": r.service_type.icon,
            "name": r.service_type.name(lang),
            "status": _status_name(r.service_type, r.status, lang),
            "is_open": r.is_open,
            "created": r.created_at,
        }
        for r in reqs
    ]


@resident
def resident_home(request: HttpRequest, household, token_hash: str, ctx: dict) -> HttpResponse:  # noqa: ANN001
    lang = ctx["L"]
    ctx["public_html"] = _public_part(household, lang, ctx)
    ctx["requests"] = _requests_rows(selectors.household_requests(household), lang)
    ctx["village_name"] = (
        household.village.name_en
        if lang == "en" and household.village.name_en
        else (household.village.name_th)
    )
    if ctx["verified"]:
        ctx["private"] = selectors.household_private(household)
        audit_log.resident_viewed(request, household, ctx["private"], token_hash)  # PDPA audit log
        ctx["bills"] = _bills(household)
        ctx["welfare"] = selectors.welfare_check(household, members=ctx["private"]["members"])
    ctx["message"] = _heard(request, household)
    return render(request, "eservices/home.html", ctx)


# Bump when _public.html or _minimap.html change, so no cached fragment of the old markup is served.
PUBLIC_CACHE_VERSION = 3


def _public_part(household, lang: str, ctx: dict) -> str:  # noqa: ANN001
    """The map and the service catalogue, rendered once and kept in the shared cache for a few minutes.

    Keyed by database, household (its creation time and version), language and verified state; it
    holds no token (links are relative) and no personal data. Map edits show after
    ``PUBLIC_CACHE_SECONDS``.
    """
    from django.core.cache import cache
    from django.db import connection
    from django.template.loader import render_to_string
    from django.utils.safestring import mark_safe

    key = (
        f"eserv:pub:{PUBLIC_CACHE_VERSION}:{connection.settings_dict['NAME']}:{household.pk}:"
        f"{household.created_at.timestamp()}:{household.version}:"
        f"{lang}:{int(ctx['verified'])}"
    )
    html = cache.get(key) if conf.PUBLIC_CACHE_SECONDS else None
    if html is None:
        parcels = list(selectors.household_parcels(household).only("id", "code", "geom_3857"))
        buildings = []
        if household.building_id:
            from parcels.models import Building

            buildings = list(
                Building.objects.filter(pk=household.building_id).only("id", "footprint_3857").order_by()
            )
        catalogue = [
            {
                "code": s.code,
                "icon": s.icon,
                "name": s.name(lang),
                "fee": s.fee,
                "locked": s.requires_verification,
            }
            for s in selectors.service_catalogue(household.organisation_id)
        ]
        minimap = selectors.household_minimap(household, parcels, buildings)
        html = render_to_string(
            "eservices/_public.html",
            {
                "T": ctx["T"],
                "L": lang,
                "verified": ctx["verified"],
                "minimap": minimap,
                "imagery_href": "map.webp" if selectors.household_imagery(household, minimap) else "",
                "catalogue": catalogue,
            },
        )
        if conf.PUBLIC_CACHE_SECONDS:
            cache.set(key, html, conf.PUBLIC_CACHE_SECONDS)
    return mark_safe(html)  # noqa: S308 - rendered by our own template with autoescaping


def _bills(household) -> selectors.BillsResult:  # noqa: ANN001
    result = selectors.household_tax_bills(household)
    if result.available:
        import qrcode
        import qrcode.image.svg

        for bill in result.bills:
            if bill["promptpay_payload"]:
                img = qrcode.make(
                    bill["promptpay_payload"], image_factory=qrcode.image.svg.SvgPathImage, box_size=8
                )
                bill["qr_svg"] = img.to_string(encoding="unicode")
    return result


def _say(request: HttpRequest, household, kind: str, text: str, *, at: str = "") -> None:  # noqa: ANN001
    # Tied to the household: a phone that scans two stickers never sees one's message on the other.
    # ``at``: the part of the page the message belongs to ("verify": inside the verification card).
    request.session["eserv_msg"] = {"kind": kind, "text": text, "h": household.pk, "at": at}


def _heard(request: HttpRequest, household) -> dict | None:  # noqa: ANN001
    msg = request.session.get("eserv_msg")
    if not msg or msg.get("h") != household.pk:
        return None
    return request.session.pop("eserv_msg")


@require_POST
@resident
def resident_verify(request: HttpRequest, household, token_hash: str, ctx: dict) -> HttpResponse:  # noqa: ANN001
    device = verification.device_of(request)
    return verification.device_remember(_verify(request, household, token_hash, ctx, device), device)


def _verify(request: HttpRequest, household, token_hash: str, ctx: dict, device) -> HttpResponse:  # noqa: ANN001
    T, lang = ctx["T"], ctx["L"]
    ip = _client_ip(request)
    # Answers are said inside the verification card, and the page opens on them (a phone scrolls there).
    at_form = f"/h/{ctx['token']}/#verify-message"
    try:
        if request.POST.get("method") == "otp_send":
            masked = verification.otp_send(household=household, token_hash=token_hash, ip=ip, device=device)
            _say(request, household, "ok", f"{T['code_sent']} {masked}", at="verify")
            request.session["eserv_otp"] = True
            return redirect(at_form)
        if request.POST.get("method") == "otp":
            ok = verification.otp_verify(
                household=household,
                token_hash=token_hash,
                ip=ip,
                device=device,
                code=request.POST.get("code", ""),
            )
        else:
            ok = verification.verify_by_id(
                household=household,
                token_hash=token_hash,
                ip=ip,
                device=device,
                id_last4=request.POST.get("id_last4", ""),
                birth_year=request.POST.get("birth_year", ""),
            )
    except DomainError as exc:
        _say(request, household, "error", exc.message_en if lang == "en" else exc.message_th, at="verify")
        response = redirect(at_form)
        if exc.status_code == 429:
            response.status_code = 303
        return response
    if ok:
        verification.session_mark_verified(request.session, household=household, token_hash=token_hash)
        _say(request, household, "ok", T["verified"])
        return redirect(f"/h/{ctx['token']}/#private")
    _say(request, household, "error", T["verify_failed"], at="verify")
    return redirect(at_form)


@require_POST
@resident
def resident_unverify(request: HttpRequest, household, token_hash: str, ctx: dict) -> HttpResponse:  # noqa: ANN001
    request.session.pop(verification.SESSION_KEY, None)
    return redirect(f"/h/{ctx['token']}/")


def _service_or_404(household, code: str) -> ServiceType:  # noqa: ANN001
    st = ServiceType.objects.filter(organisation_id=household.organisation_id, code=code, active=True).first()
    if st is None:
        raise Http404
    return st


def _fields(st: ServiceType, lang: str, values: dict) -> list[dict]:
    out = []
    for spec in st.form_fields or []:
        out.append(
            {
                **spec,
                "label": spec.get("label_en" if lang == "en" else "label_th", spec["name"]),
                "type": spec.get("type", "text"),
                "value": values.get(spec["name"], ""),
                "options": [(c[0], c[2] if lang == "en" else c[1]) for c in spec.get("choices", [])],
            }
        )
    return out


@resident
def resident_service(request: HttpRequest, household, token_hash: str, ctx: dict, code: str) -> HttpResponse:  # noqa: ANN001
    lang = ctx["L"]
    st = _service_or_404(household, code)
    if st.requires_verification and not ctx["verified"]:
        _say(request, household, "error", ctx["T"]["needs_verify"], at="verify")
        return redirect(f"/h/{ctx['token']}/#verify-message")
    problems: list = []
    values: dict = {}
    form_name = services.request_form(household, st)
    if request.method == "POST":
        values = request.POST
        photos = [(spec["name"], request.FILES.get(spec["name"])) for spec in (st.required_attachments or [])]
        try:
            req, _created = services.service_request_submit(
                household=household,
                service_type=st,
                nonce=request.POST.get("nonce", ""),
                form={k: v for k, v in request.POST.items()},
                pin=(request.POST.get("pin_lon"), request.POST.get("pin_lat")),
                gps=(request.POST.get("gps_lon"), request.POST.get("gps_lat")),
                gps_accuracy_m=request.POST.get("gps_acc"),
                contact_phone=request.POST.get("phone", ""),
                photos=photos,
            )
        except ValidationProblems as exc:
            problems = [p.message_en if lang == "en" else p.message_th for p in exc.problems]
        except DomainError as exc:
            problems = [exc.message_en if lang == "en" else exc.message_th]
        else:
            _say(request, household, "ok", f"{ctx['T']['submitted_ok']} {req.reference}")
            return redirect(f"/h/{ctx['token']}/r/{req.pk}/")
    # The form keeps its key until sent; shown again after it was sent (back button), it says so.
    issued = (
        once.IssuedKey(request.POST.get("nonce", ""))
        if problems
        else once.form_key(request, form_name, fresh=request.GET.get("new") == "1")
    )
    parcels = list(selectors.household_parcels(household).only("id", "code", "geom_3857"))
    minimap = selectors.household_minimap(household, parcels, [])
    ctx.update(
        service=st,
        service_name=st.name(lang),
        service_description=st.description(lang),
        fields=_fields(st, lang, values),
        attachments=[
            {**a, "label": a.get("label_en" if lang == "en" else "label_th", a["name"])}
            for a in (st.required_attachments or [])
        ],
        nonce=issued.key,
        sent=_sent_request(issued, ctx["token"]),
        problems=problems,
        minimap=minimap,
        imagery_href=f"/h/{ctx['token']}/map.webp" if selectors.household_imagery(household, minimap) else "",
        emergency_phone=conf.EMERGENCY_PHONE,
        welfare=selectors.welfare_check(household) if st.kind == "welfare" and ctx["verified"] else None,
    )
    template = "eservices/emergency.html" if st.kind == "emergency" else "eservices/service_form.html"
    return render(request, template, ctx, status=400 if problems else 200)


def _sent_request(issued: once.IssuedKey, token: str) -> dict | None:
    if issued.sent is None:
        return None
    req = ServiceRequest.objects.filter(pk=issued.sent.object_id).only("id", "created_at").first()
    return {"url": f"/h/{token}/r/{req.pk}/", "ref": req.reference} if req else None


IMAGERY_PX = 480


@resident
def resident_imagery(request: HttpRequest, household, token_hash: str, ctx: dict) -> HttpResponse:  # noqa: ANN001
    """The newest drone imagery under the household's small map, as one image (no map library, no tiles)."""
    import rasterio
    from rio_tiler.errors import TileOutsideBounds
    from rio_tiler.io import Reader

    from tiles import raster

    parcels = list(selectors.household_parcels(household).only("id", "code", "geom_3857"))
    minimap = selectors.household_minimap(household, parcels, [])
    orthos = selectors.household_imagery(household, minimap)
    if not orthos:
        raise Http404
    bbox = (minimap.ox, minimap.oy - minimap.size, minimap.ox + minimap.size, minimap.oy)
    with rasterio.Env(**raster.gdal_env_options()):
        try:
            with Reader(raster.cog_location(orthos[0].cog_path)) as reader:
                image = reader.part(
                    bbox, dst_crs="EPSG:3857", bounds_crs="EPSG:3857", width=IMAGERY_PX, height=IMAGERY_PX
                )
        except TileOutsideBounds:
            raise Http404 from None
    if image.count > 3:
        from rio_tiler.models import ImageData

        image = ImageData(image.array[:3], crs=image.crs, bounds=image.bounds)
    # WEBP keeps the no-data edge transparent (the map's background shows) at a JPEG-like size.
    response = HttpResponse(
        image.render(img_format="WEBP", add_mask=True, quality=70), content_type="image/webp"
    )
    response["Cache-Control"] = "private, max-age=3600"
    return response


@resident
def resident_request(request: HttpRequest, household, token_hash: str, ctx: dict, pk: int) -> HttpResponse:  # noqa: ANN001
    lang = ctx["L"]
    req = selectors.household_request(household, pk)
    if req is None:
        raise Http404
    st = req.service_type
    ctx.update(
        req=req,
        service_name=st.name(lang),
        status=_status_name(st, req.status, lang),
        events=[
            {"when": e.created_at, "status": _status_name(st, e.to_status, lang), "comment": e.comment}
            for e in req.events.all()
        ],
        message=_heard(request, household),
    )
    return render(request, "eservices/request.html", ctx)


# --- staff ---------------------------------------------------------------------------------------


def _officer_org_ids(user: Any) -> list[int] | None:
    if user.is_superuser:
        return None
    return list(
        Membership.objects.filter(user=user, role__name=SERVICE_OFFICER).values_list(
            "organisation_id", flat=True
        )
    )


def officer_required(view):  # noqa: ANN001, ANN201
    @wraps(view)
    @login_required
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        org_ids = _officer_org_ids(request.user)
        if org_ids is not None and not org_ids:
            return render(request, "eservices/staff_forbidden.html", status=403)
        return view(request, org_ids, *args, **kwargs)

    return wrapper


def _filters(request: HttpRequest) -> dict[str, str]:
    keys = ("type", "status", "village", "age", "overdue", "mine")
    f = {k: request.GET.get(k, "") for k in keys}
    if not f["status"]:
        f["status"] = "open"
    f["user_id"] = str(request.user.pk)
    return f


def _types_for(org_ids: list[int] | None):  # noqa: ANN202
    qs = ServiceType.objects.all()
    if org_ids is not None:
        qs = qs.filter(organisation_id__in=org_ids)
    return qs.order_by("position").values("code", "name_th", "name_en").distinct()


@officer_required
def staff_queue(request: HttpRequest, org_ids: list[int] | None) -> HttpResponse:
    f = _filters(request)
    page = Paginator(selectors.queue_requests(org_ids, f), 50).get_page(request.GET.get("page"))
    now = timezone.now()
    rows = [
        {
            "r": r,
            "status": _status_name(r.service_type, r.status, "th"),
            "overdue": r.is_open and r.due_at < now,
            "age_days": (now - r.created_at).days,
        }
        for r in page
    ]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "eservices/staff_queue.html",
        {"rows": rows, "page": page, "f": f, "types": _types_for(org_ids), "query": query.urlencode()},
    )


@officer_required
def staff_queue_map(request: HttpRequest, org_ids: list[int] | None) -> HttpResponse:
    f = _filters(request)
    query = request.GET.urlencode()
    return render(request, "eservices/staff_map.html", {"f": f, "types": _types_for(org_ids), "query": query})


@officer_required
def staff_queue_geojson(request: HttpRequest, org_ids: list[int] | None) -> JsonResponse:
    now = timezone.now()
    rows = (
        selectors.queue_requests(org_ids, _filters(request))
        .select_related(None)
        .select_related("service_type", "household__village")
        .defer(None)
        .only(
            "id",
            "status",
            "is_open",
            "due_at",
            "location",
            "created_at",
            "service_type__code",
            "service_type__name_th",
            "service_type__icon",
            "service_type__workflow_states",
            "household__house_number",
            "household__village__number",
        )[:2000]
    )
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [r.location.x, r.location.y]},
            "properties": {
                "id": r.pk,
                "ref": r.reference,
                "type": r.service_type.code,
                "name": r.service_type.name_th,
                "icon": r.service_type.icon,
                "status": _status_name(r.service_type, r.status, "th"),
                "overdue": r.is_open and r.due_at < now,
                "house": f"{r.household.house_number} หมู่ {r.household.village.number}",
                "url": f"/services/requests/{r.pk}/",
            },
        }
        for r in rows
    ]
    return JsonResponse({"type": "FeatureCollection", "features": features})


def _request_for_officer(org_ids: list[int] | None, pk: int) -> ServiceRequest:
    qs = ServiceRequest.objects.select_related("service_type", "household__village", "assigned_to")
    if org_ids is not None:
        qs = qs.filter(organisation_id__in=org_ids)
    req = qs.filter(pk=pk).first()
    if req is None:
        raise Http404
    return req


@officer_required
def staff_request(request: HttpRequest, org_ids: list[int] | None, pk: int) -> HttpResponse:
    req = _request_for_officer(org_ids, pk)
    error = None
    if request.method == "POST":
        try:
            if request.POST.get("action") == "assign":
                assignee_id = request.POST.get("assignee") or None
                assignee = get_user_model().objects.filter(pk=assignee_id).first() if assignee_id else None
                services.request_assign(request_id=req.pk, assignee=assignee, user=request.user)
            else:
                services.request_change_status(
                    request_id=req.pk,
                    to_status=request.POST.get("status", ""),
                    comment=request.POST.get("comment", ""),
                    user=request.user,
                )
            return redirect(f"/services/requests/{req.pk}/")
        except DomainError as exc:
            error = exc.message
    st = req.service_type
    officers = (
        get_user_model()
        .objects.filter(
            memberships__organisation_id=req.organisation_id, memberships__role__name=SERVICE_OFFICER
        )
        .distinct()
    )
    members = list(req.household.members.all())
    if request.method == "GET":  # PDPA audit log: the request's contact details and the household's members
        audit_log.record(
            request,
            kind=audit_log.SERVICE_REQUEST,
            ids_by_organisation={req.organisation_id: [req.pk]},
            purpose="service request page",
            detail={"member_party_ids": [m.pk for m in members]},
        )
    return render(
        request,
        "eservices/staff_request.html",
        {
            "req": req,
            "st": st,
            "status": _status_name(st, req.status, "th"),
            "events": [
                {"e": e, "status": _status_name(st, e.to_status, "th")}
                for e in req.events.select_related("actor")
            ],
            "attachments": req.attachments.all(),
            "officers": officers,
            "members": members,
            "overdue": req.is_open and req.due_at < timezone.now(),
            "error": error,
            "data_rows": [
                (next((f.get("label_th", k) for f in st.form_fields if f.get("name") == k), k), v)
                for k, v in req.data.items()
            ],
            "point": json.dumps({"lon": req.location.x, "lat": req.location.y}),
        },
        status=400 if error else 200,
    )


@officer_required
def staff_attachment(request: HttpRequest, org_ids: list[int] | None, pk: int, att: int) -> FileResponse:
    req = _request_for_officer(org_ids, pk)
    attachment = RequestAttachment.objects.filter(pk=att, request=req).first()
    if attachment is None:
        raise Http404
    return FileResponse(attachment.file.open("rb"), content_type=attachment.content_type)


@officer_required
def staff_summary(request: HttpRequest, org_ids: list[int] | None) -> HttpResponse:
    from datetime import date

    from parcels.models import Organisation

    try:
        day = (
            date.fromisoformat(request.GET.get("day", "")) if request.GET.get("day") else timezone.localdate()
        )
    except ValueError:
        day = timezone.localdate()
    orgs = Organisation.objects.all() if org_ids is None else Organisation.objects.filter(pk__in=org_ids)
    summaries = [(org, selectors.daily_summary(org.pk, day)) for org in orgs.only("id", "name_th")]
    return render(
        request,
        "eservices/staff_summary.html",
        {
            "summaries": summaries,
            "day": day,
            "prev": day - timedelta(days=1),
            "next": day + timedelta(days=1),
        },
    )
