"""Imagery pages and the resumable upload endpoints. Thin: services do the work.

Upload protocol (JSON, session auth + CSRF header):
  POST   /imagery/uploads/                       {organisation, filename, size, captured, kind, title,
                                                   sha256?, survey?} → 201 {id, offset, chunk_size}
  GET    /imagery/uploads/<id>                   → {offset, size, status}   (resume from offset)
  PUT    /imagery/uploads/<id>  Content-Range: bytes a-b/size  [X-Chunk-SHA256]  body → {offset}
         409 {offset} when a is not the server's offset; 400 {offset} when the chunk arrived short
  POST   /imagery/uploads/<id>/finalize          → 201 {orthomosaic, status_url}  (size + SHA-256 checked)
  DELETE /imagery/uploads/<id>                   abort
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gis_portal.errors import DomainError
from gis_portal.workers import worker_status
from parcels.selectors import organisation_by_slug, organisations_for_user, require_role, user_has_role

from . import conf, services
from .models import ImageryKind
from .selectors import (
    imagery_layers,
    orthomosaic_for_user,
    orthomosaics_for_user,
    refusal_for_user,
    refusals_for_user,
)

CONTENT_RANGE = re.compile(r"^bytes (\d+)-(\d+)/(\d+)$")


def _error(exc: DomainError) -> JsonResponse:
    return JsonResponse(exc.as_dict(), status=exc.status_code, json_dumps_params={"ensure_ascii": False})


def _bad(code: str, en: str, th: str) -> JsonResponse:
    return _error(DomainError(code, en, th))


IMAGERY_QUEUE = "imagery"


def _status_dict(ortho: Any) -> dict[str, Any]:
    worker = worker_status(IMAGERY_QUEUE)
    return {
        "id": ortho.pk,
        "status": ortho.status,
        "status_display": ortho.get_status_display(),
        "progress": ortho.progress,
        "error_code": ortho.error_code,
        "message_th": ortho.error_th,
        "message_en": ortho.error_en,
        "retryable": ortho.retryable,
        "detail_url": reverse("drone_ingest:detail", args=[ortho.pk]),
        # A queued job with no worker alive waits until one starts: the page says so instead of waiting.
        "worker": worker.as_dict(),
    }


def _upload_organisations(user: Any) -> list[Any]:
    return [
        org
        for org in organisations_for_user(user).order_by("name_th")
        if user_has_role(user, org, *services.UPLOAD_ROLES)
    ]


@login_required
def imagery_index(request: HttpRequest) -> HttpResponse:
    """The imagery list of the user's organisations, with the upload form for surveyors/GIS editors."""
    orthos = orthomosaics_for_user(request.user).order_by("-captured_on", "-id")[:200]
    return render(
        request,
        "drone_ingest/index.html",
        {
            "orthos": orthos,
            "refusals": refusals_for_user(request.user),
            "upload_organisations": _upload_organisations(request.user),
            "kinds": ImageryKind.choices,
            "chunk_size": conf.upload_chunk_bytes(),
            "today": dt.date.today().isoformat(),
            "worker": worker_status(IMAGERY_QUEUE),
        },
    )


@login_required
def imagery_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        ortho = orthomosaic_for_user(request.user, pk)
    except DomainError as exc:
        return render(request, "drone_ingest/detail.html", {"error": exc}, status=exc.status_code)
    layer = next((item for item in imagery_layers(ortho.organisation) if item["id"] == ortho.pk), None)
    return render(request, "drone_ingest/detail.html", {"ortho": ortho, "layer": layer})


@require_GET
@login_required
def imagery_status(request: HttpRequest, pk: int) -> JsonResponse:
    try:
        return JsonResponse(_status_dict(orthomosaic_for_user(request.user, pk)))
    except DomainError as exc:
        refusal = refusal_for_user(request.user, pk)
        if refusal is None:
            return _error(exc)
        # The file was refused while processing: its record is gone; say why (410 Gone).
        return JsonResponse(
            {
                "id": pk,
                "status": "refused",
                "code": refusal.error_code,
                "message_en": refusal.error_en,
                "message_th": refusal.error_th,
                "source_name": refusal.source_name,
            },
            status=410,
            json_dumps_params={"ensure_ascii": False},
        )


@require_POST
@login_required
def imagery_retry(request: HttpRequest, pk: int) -> JsonResponse:
    try:
        ortho = orthomosaic_for_user(request.user, pk)
        require_role(request.user, ortho.organisation, *services.UPLOAD_ROLES)
        services.requeue(ortho)
        ortho.refresh_from_db()
        return JsonResponse(_status_dict(ortho))
    except DomainError as exc:
        return _error(exc)


@require_GET
@login_required
def layers_json(request: HttpRequest) -> JsonResponse:
    """The ready imagery of the user's organisations as map layers (see selectors.imagery_layers)."""
    layers = imagery_layers(request.user)
    for layer in layers:
        layer["captured"] = layer["captured"].isoformat()
    return JsonResponse({"layers": layers}, json_dumps_params={"ensure_ascii": False})


def _upload_dict(session: Any) -> dict[str, Any]:
    return {
        "id": str(session.pk),
        "offset": session.received,
        "size": session.size,
        "status": session.status,
        "chunk_size": conf.upload_chunk_bytes(),
        "url": reverse("drone_ingest:upload", args=[session.pk]),
        "finalize_url": reverse("drone_ingest:upload-finalize", args=[session.pk]),
    }


@require_POST
@login_required
def upload_start(request: HttpRequest) -> JsonResponse:
    try:
        data = json.loads(request.body or b"{}")
    except ValueError:
        return _bad("bad_json", "The request is not valid JSON", "คำขอไม่ใช่ JSON ที่ถูกต้อง")
    try:
        organisation = organisation_by_slug(str(data.get("organisation", "")))
        try:
            size = int(data.get("size"))
            captured = dt.date.fromisoformat(str(data.get("captured")))
        except (TypeError, ValueError):
            raise DomainError(
                "bad_fields",
                "size (bytes) and captured (YYYY-MM-DD) are required",
                "ต้องระบุขนาดไฟล์ (ไบต์) และวันที่ถ่าย (ปปปป-ดด-วว)",
            ) from None
        survey = data.get("survey") if isinstance(data.get("survey"), dict) else {}
        session = services.upload_start(
            user=request.user,
            organisation=organisation,
            filename=str(data.get("filename", "")),
            size=size,
            captured_on=captured,
            kind=str(data.get("kind") or ImageryKind.ORTHO),
            title=str(data.get("title", "")),
            sha256=str(data.get("sha256", "")),
            survey_info={
                k: str(v)[:2000]
                for k, v in survey.items()
                if k in {"flown_on", "surveyor", "drone", "camera", "notes"} and v
            },
        )
    except DomainError as exc:
        return _error(exc)
    return JsonResponse(_upload_dict(session), status=201)


@require_http_methods(["GET", "PUT", "DELETE"])
@login_required
def upload_session(request: HttpRequest, sid: str) -> HttpResponse:
    try:
        if request.method == "GET":
            return JsonResponse(_upload_dict(services.upload_for_user(request.user, sid)))
        if request.method == "DELETE":
            services.upload_abort(user=request.user, session_id=sid)
            return HttpResponse(status=204)
        match = CONTENT_RANGE.match(request.headers.get("Content-Range", ""))
        if not match:
            return _bad(
                "content_range",
                "A Content-Range header 'bytes a-b/size' is required",
                "ต้องมีส่วนหัว Content-Range แบบ 'bytes a-b/size'",
            )
        start, end = int(match[1]), int(match[2])
        length = end - start + 1
        if int(request.headers.get("Content-Length") or 0) != length:
            return _bad(
                "content_length",
                "Content-Length does not match Content-Range",
                "Content-Length ไม่ตรงกับ Content-Range",
            )
        session = services.upload_write(
            user=request.user,
            session_id=sid,
            offset=start,
            stream=request,
            length=length,
            chunk_sha256=request.headers.get("X-Chunk-SHA256", ""),
        )
        return JsonResponse(_upload_dict(session))
    except DomainError as exc:
        return _error(exc)


@require_POST
@login_required
def upload_finalize(request: HttpRequest, sid: str) -> JsonResponse:
    try:
        ortho = services.upload_finalize(user=request.user, session_id=sid)
    except DomainError as exc:
        return _error(exc)
    body = _status_dict(ortho) | {"status_url": reverse("drone_ingest:status", args=[ortho.pk])}
    return JsonResponse(body, status=201)
