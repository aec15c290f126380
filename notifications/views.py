"""The LINE webhook, the resident's notification settings behind the sticker, the staff link page."""

from __future__ import annotations

import logging
from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from eservices.resident_access import verified_resident
from gis_portal.errors import DomainError
from parcels.models import Membership, Organisation

from . import services
from .models import LineChannel, LineLink, SmsContact

log = logging.getLogger("notifications")
WEBHOOK_MAX_BYTES = 1024 * 1024


@csrf_exempt
@require_POST
def line_webhook(request: HttpRequest, org: str) -> HttpResponse:
    organisation = Organisation.objects.filter(slug=org).first()
    if organisation is None:
        raise Http404
    body = request.body[: WEBHOOK_MAX_BYTES + 1]
    if len(body) > WEBHOOK_MAX_BYTES:
        return JsonResponse({"message": "too large"}, status=413)
    try:
        handled = services.webhook_handle(
            organisation=organisation, body=body, signature=request.headers.get("X-Line-Signature", "")
        )
    except DomainError as exc:
        log.warning("LINE webhook refused: %s", exc.code)
        return JsonResponse(exc.as_dict(), status=exc.status_code)
    return JsonResponse({"handled": handled})


def line_add_url(channel: LineChannel, code: str) -> str:
    """LINE's own link that opens a chat with the office's account with the code already typed."""
    return f"https://line.me/R/oaMessage/{quote(channel.basic_id)}/?{quote(code)}"


def _qr_svg(text: str) -> str:
    import qrcode
    import qrcode.image.svg

    return qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8).to_string(
        encoding="unicode"
    )


@verified_resident
def resident_notify(request: HttpRequest, household, ctx: dict) -> HttpResponse:  # noqa: ANN001
    """Link LINE and add SMS numbers for this household (verified members only)."""
    lang, token = ctx["L"], ctx["token"]
    channel = LineChannel.objects.filter(organisation_id=household.organisation_id).first()
    error = None
    code = None
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "line_code" and channel:
                code = services.link_code_issue(organisation=household.organisation, household=household).code
            elif action == "sms_add":
                services.sms_contact_add(household=household, phone=request.POST.get("phone", ""))
                return redirect(f"/h/{token}/notify/")
            elif action == "sms_remove":
                services.sms_contact_remove(
                    household=household, contact_id=int(request.POST.get("id", "0") or 0)
                )
                return redirect(f"/h/{token}/notify/")
            elif action == "line_unlink":
                LineLink.objects.filter(household=household, pk=request.POST.get("id") or 0).update(
                    active=False
                )
                return redirect(f"/h/{token}/notify/")
        except DomainError as exc:
            error = exc.message_en if lang == "en" else exc.message_th
        except ValueError:
            error = "?"
    ctx.update(
        channel=channel,
        code=code,
        add_url=line_add_url(channel, code) if channel and code else "",
        qr=_qr_svg(line_add_url(channel, code)) if channel and code else "",
        links=LineLink.objects.filter(household=household, active=True),
        sms=SmsContact.objects.filter(household=household, active=True),
        error=error,
    )
    return render(request, "notifications/resident.html", ctx, status=400 if error else 200)


@login_required
def staff_link(request: HttpRequest) -> HttpResponse:
    """A staff member links their own LINE to receive the office's alerts."""
    org_ids = list(
        Membership.objects.filter(user=request.user).values_list("organisation_id", flat=True).distinct()
    )
    channels = list(LineChannel.objects.filter(organisation_id__in=org_ids).select_related("organisation"))
    codes = []
    if request.method == "POST":
        for ch in channels:
            code = services.link_code_issue(organisation=ch.organisation, user=request.user).code
            codes.append({"channel": ch, "code": code, "url": line_add_url(ch, code)})
    return render(
        request,
        "notifications/staff_link.html",
        {
            "channels": channels,
            "codes": codes,
            "links": LineLink.objects.filter(user=request.user, active=True),
        },
    )
