"""Field packet pages: packets per village, make one, download, check in (upload with progress),
and decide what a check-in left open (conflicts side by side, drafts). Services do the work."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from gis_portal.errors import DomainError, NotFoundError
from parcels.models import Village
from parcels.selectors import organisation_by_slug, user_has_role

from . import packets, selectors
from .checkin import check_in
from .decisions import accept_draft, reject_draft, resolve_conflict
from .models import ItemStatus, PacketStatus
from .presenters import item_view
from .roles import CHECKIN_ROLES, MAKE_ROLES
from .tasks import queue_build


def _json_error(exc: DomainError) -> JsonResponse:
    return JsonResponse(exc.as_dict(), status=exc.status_code, json_dumps_params={"ensure_ascii": False})


@login_required
def index(request: HttpRequest) -> HttpResponse:
    organisations = [
        {
            "organisation": org,
            "villages": selectors.packets_by_village(org),
            "can_make": user_has_role(request.user, org, *MAKE_ROLES),
            "can_check_in": user_has_role(request.user, org, *CHECKIN_ROLES),
        }
        for org in selectors.fieldwork_organisations(request.user)
    ]
    return render(request, "fieldwork/index.html", {"organisations": organisations})


@login_required
@require_POST
def make(request: HttpRequest) -> HttpResponse:
    try:
        organisation = organisation_by_slug(request.POST.get("organisation", ""))
        village = Village.objects.filter(
            organisation=organisation, pk=request.POST.get("village") or 0
        ).first()
        if village is None:
            raise NotFoundError("village_not_found", "No such village", "ไม่พบหมู่บ้าน")
        packet = packets.request_packet(
            organisation=organisation, village=village, user=request.user, team=request.POST.get("team", "")
        )
    except DomainError as exc:
        return render(request, "gis_portal/error.html", {"error": exc}, status=exc.status_code)
    queue_build(packet.pk)
    return redirect("fieldwork:packet", pk=packet.pk)


@login_required
def packet_page(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        packet = selectors.packet_for_user(request.user, pk)
    except DomainError as exc:
        raise Http404(exc.message) from None
    checkin = getattr(packet, "checkin", None) if packet.status == PacketStatus.READY else None
    items = (
        list(checkin.items.select_related("decided_by").order_by("status", "layer", "fid")) if checkin else []
    )
    return render(
        request,
        "fieldwork/packet.html",
        {
            "packet": packet,
            "checkin": checkin,
            "items": items,
            "open_items": [i for i in items if i.status in ItemStatus.open_values()],
            "can_check_in": user_has_role(request.user, packet.organisation_id, *CHECKIN_ROLES),
        },
    )


@login_required
@require_GET
def packet_status(request: HttpRequest, pk: int) -> JsonResponse:
    try:
        packet = selectors.packet_for_user(request.user, pk)
    except DomainError as exc:
        return _json_error(exc)
    return JsonResponse(
        {
            "status": packet.status,
            "progress": packet.progress,
            "stage": packet.stage,
            "message_th": packet.error_th,
            "message_en": packet.error_en,
        }
    )


@login_required
@require_GET
def download(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        packet = selectors.packet_for_user(request.user, pk)
    except DomainError as exc:
        raise Http404(exc.message) from None
    if packet.status != PacketStatus.READY:
        raise Http404("the packet is not ready")
    return FileResponse(
        default_storage.open(packet.file_name, "rb"), as_attachment=True, filename=f"{packet.slug}.zip"
    )


@login_required
@require_POST
def upload(request: HttpRequest, pk: int) -> JsonResponse:
    """The check-in upload of the packet page (XHR with progress): the GeoPackage or the zipped folder."""
    try:
        packet = selectors.packet_for_user(request.user, pk)
        received = request.FILES.get("file")
        if received is None:
            raise DomainError(
                "no_file", "Choose the packet's GeoPackage or zip", "กรุณาเลือกไฟล์ GeoPackage หรือ zip"
            )
        with tempfile.TemporaryDirectory(prefix="checkin-upload-") as tmp:
            path = Path(tmp) / "upload"
            with path.open("wb") as out:
                for chunk in received.chunks():
                    out.write(chunk)
            checkin = check_in(
                path=path,
                file_name=received.name,
                organisation=packet.organisation,
                user=request.user,
                expected_packet=packet,
            )
    except DomainError as exc:
        return _json_error(exc)
    return JsonResponse(
        {
            "checkin": checkin.pk,
            "counts": checkin.counts,
            "redirect": reverse("fieldwork:packet", args=[packet.pk]),
        },
        status=201,
    )


@login_required
def item_page(request: HttpRequest, pk: int, error: DomainError | None = None) -> HttpResponse:
    try:
        item = selectors.item_for_user(request.user, pk)
    except DomainError as exc:
        raise Http404(exc.message) from None
    view = item_view(item)
    return render(
        request,
        "fieldwork/item.html",
        {
            "item": item,
            "view": view,
            "shapes": view["shapes"],
            "photos": item.photos.all(),
            "error": error,
            "can_decide": user_has_role(request.user, item.checkin.organisation_id, *CHECKIN_ROLES),
        },
        status=error.status_code if error else 200,
    )


@login_required
@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        item = selectors.item_for_user(request.user, pk)
    except DomainError as exc:
        raise Http404(exc.message) from None
    action = request.POST.get("action", "")
    try:
        if action in ("field", "office"):
            seen = request.POST.get("seen_version")
            resolve_conflict(
                item, request.user, take=action, seen_version=int(seen) if seen and seen.isdigit() else None
            )
        elif action == "accept":
            accept_draft(item, request.user)
        elif action == "reject":
            reject_draft(item, request.user)
        else:
            raise DomainError("bad_choice", "Unknown decision", "ไม่รู้จักคำสั่ง")
    except DomainError as exc:
        return item_page(request, pk, error=exc)
    return redirect("fieldwork:packet", pk=item.checkin.packet_id)


@login_required
@require_GET
def photo(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        found = selectors.photo_for_user(request.user, pk)
    except DomainError as exc:
        raise Http404(exc.message) from None
    response = FileResponse(found.file.open("rb"), content_type=_photo_type(found.file.name))
    response["Cache-Control"] = "private, max-age=3600"
    return response


def _photo_type(name: str) -> str:
    suffix = Path(name).suffix.lower()
    return {".png": "image/png", ".webp": "image/webp", ".heic": "image/heic"}.get(suffix, "image/jpeg")
