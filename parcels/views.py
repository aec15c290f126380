"""Staff pages of the register: the import upload and a parcel's page. Thin: services do the work."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from gis_portal.errors import DomainError
from gis_portal.roles import GIS_EDITOR

from .forms import ImportForm
from .importers import import_parcels, import_villages, parse_field_map
from .selectors import organisations_for_user, parcel_for_user, parcel_lineage, require_role

ALLOWED_SUFFIXES = {".gpkg", ".geojson", ".json", ".zip"}


@login_required
def import_upload(request: HttpRequest) -> HttpResponse:
    """Upload a boundary file; check it (dry run) or import it, all or nothing."""
    organisations = organisations_for_user(request.user).filter(memberships__role__name=GIS_EDITOR).distinct()
    if request.user.is_superuser:
        organisations = organisations_for_user(request.user)
    form = ImportForm(request.POST or None, request.FILES or None, organisations=organisations)
    report = None
    error = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        suffix = Path(upload.name).suffix.lower()
        try:
            organisation = form.cleaned_data["organisation"]
            require_role(request.user, organisation, GIS_EDITOR)
            if suffix not in ALLOWED_SUFFIXES:
                raise DomainError(
                    "file_type", f"Files of type {suffix!r} are not accepted", f"ไม่รับไฟล์ชนิด {suffix!r}"
                )
            if upload.size > settings.REGISTER_IMPORT_MAX_BYTES:
                raise DomainError("file_too_large", "The file is too large", "ไฟล์มีขนาดใหญ่เกินกำหนด")
            field_map = parse_field_map(form.cleaned_data["field_map"].split())
            with tempfile.TemporaryDirectory() as tmp:
                path = Path(tmp) / f"upload{suffix}"
                with path.open("wb") as out:
                    for chunk in upload.chunks():
                        out.write(chunk)
                run = import_parcels if form.cleaned_data["kind"] == "parcels" else import_villages
                report = run(
                    organisation=organisation,
                    path=path,
                    field_map=field_map,
                    dry_run=form.cleaned_data["dry_run"],
                    user=request.user,
                )
        except DomainError as exc:
            error = exc
    refused = error or (report and not report.ok) or (request.method == "POST" and form.errors)
    status = 400 if refused else 200
    return render(
        request, "parcels/import.html", {"form": form, "report": report, "error": error}, status=status
    )


@login_required
def parcel_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A parcel with its owners, buildings, households, lineage and history."""
    try:
        parcel = parcel_for_user(request.user, pk)
    except DomainError as exc:
        return render(request, "gis_portal/error.html", {"error": exc}, status=exc.status_code)
    context = {
        "parcel": parcel,
        "rights": parcel.rights.select_related("party"),
        "buildings": parcel.buildings.all(),
        "land_uses": parcel.land_uses.all(),
        "lineage": parcel_lineage(parcel),
        "history": parcel.history.select_related("history_user").order_by("-history_date")[:50],
    }
    return render(request, "parcels/parcel_detail.html", context)
