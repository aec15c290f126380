"""Staff download of the register as one GeoPackage (the same file as ``manage.py export_register``)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.http import require_safe

from gis_portal.audit import log as audit_log
from gis_portal.errors import DomainError, NotFoundError
from gis_portal.roles import GIS_EDITOR, ROLES_SEEING_PERSONAL_DATA, TAX_OFFICER

from .export import export_register
from .selectors import organisation_by_slug, organisation_ids_for_user, require_role

DOWNLOAD_ROLES = (GIS_EDITOR, TAX_OFFICER)


@require_safe
@login_required
def register_geopackage(request: HttpRequest, org_slug: str) -> HttpResponse:
    """``?personal=1`` writes whole national IDs and phones (only for roles allowed to see them)."""
    try:
        organisation = organisation_by_slug(org_slug)
        ids = organisation_ids_for_user(request.user)
        if ids is not None and organisation.pk not in ids:
            raise NotFoundError(
                "organisation_not_found", f"No organisation {org_slug!r}", f"ไม่พบองค์กร {org_slug!r}"
            )
        require_role(request.user, organisation, *DOWNLOAD_ROLES)
        personal = request.GET.get("personal") == "1"
        if personal:
            require_role(request.user, organisation, *ROLES_SEEING_PERSONAL_DATA)
        with tempfile.TemporaryDirectory(prefix="register_export_") as tmp:
            path = Path(tmp) / f"{organisation.slug}.gpkg"
            export_register(organisation, path, with_personal_data=personal)
            # The open handle keeps the data after the directory is removed (POSIX).
            handle = open(path, "rb")  # noqa: SIM115 - closed by FileResponse
            os.unlink(path)
        audit_log.record_party_export(
            request, organisation_id=organisation.pk, personal=personal, purpose="register download"
        )
    except DomainError as exc:
        return JsonResponse(exc.as_dict(), status=exc.status_code)
    stamp = timezone.localdate().isoformat()
    suffix = "-personal" if personal else ""
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"{organisation.slug}-register-{stamp}{suffix}.gpkg",
        content_type="application/geopackage+sqlite3",
    )
