"""The staff map page and its JSON endpoints. Thin: parse, check access, call the register's services.

Edits take GeoJSON in EPSG:4326 plus the ``version`` the client edited. A refused edit answers with
the service's error (``code``, ``message_th``, ``message_en``; 409 for a stale version) and writes
nothing; the client then reloads the feature from the server.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.contrib.gis.gdal.error import GDALException
from django.contrib.gis.geos import GEOSException, GEOSGeometry
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from gis_portal.audit import log as audit_log
from gis_portal.errors import DomainError
from gis_portal.roles import GIS_EDITOR, REGISTER_SUPERVISOR
from parcels import services, undo
from parcels.models import Organisation
from parcels.selectors import (
    building_for_user,
    household_for_user,
    organisations_for_user,
    parcel_for_user,
    require_role,
)

from . import selectors


def _error(code: str, en: str, th: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"code": code, "message_en": en, "message_th": th}, status=status)


def json_endpoint(view: Callable[..., Any]) -> Callable[..., JsonResponse]:
    """Signed-in users only; JSON body in, JSON out; DomainError → its status and bilingual message."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
        if not request.user.is_authenticated:
            return _error("login_required", "Sign in first", "กรุณาเข้าสู่ระบบ", 401)
        body: dict[str, Any] = {}
        if request.method == "POST":
            try:
                body = json.loads(request.body or b"{}")
            except (ValueError, UnicodeDecodeError):
                return _error("bad_json", "The request is not valid JSON", "คำขอไม่ใช่ JSON ที่ถูกต้อง")
            if not isinstance(body, dict):
                return _error("bad_json", "The request must be a JSON object", "คำขอต้องเป็นออบเจ็กต์ JSON")
        try:
            result = view(request, body, *args, **kwargs)
        except DomainError as exc:
            return JsonResponse(exc.as_dict(), status=exc.status_code)
        return JsonResponse(result, safe=False)

    return wrapper


def _geometry(value: Any, field: str = "geometry") -> GEOSGeometry:
    if not isinstance(value, dict):
        raise DomainError(
            "geometry_missing", f"{field} must be a GeoJSON geometry", f"ต้องระบุ {field} เป็น GeoJSON"
        )
    try:
        geom = GEOSGeometry(json.dumps(value))
    except (GEOSException, GDALException, ValueError, TypeError) as exc:
        raise DomainError(
            "bad_geometry", f"Cannot read {field}: {exc}", f"อ่านรูป {field} ไม่ได้: {exc}"
        ) from None
    geom.srid = 4326
    return geom


def _version(body: dict[str, Any]) -> int | None:
    value = body.get("version")
    if value is None:
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise DomainError("bad_version", "version must be a whole number", "version ต้องเป็นจำนวนเต็ม") from None


def _int(value: Any, field: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise DomainError(
            "bad_number", f"{field} must be a whole number", f"{field} ต้องเป็นจำนวนเต็ม"
        ) from None


def _editable(user: Any, organisation_id: int) -> None:
    require_role(user, organisation_id, GIS_EDITOR, REGISTER_SUPERVISOR)


def _organisation(user: Any, body: dict[str, Any]) -> Organisation:
    orgs = organisations_for_user(user)
    org_id = body.get("organisation")
    org = orgs.filter(pk=org_id).first() if org_id else (orgs.first() if orgs.count() == 1 else None)
    if org is None:
        raise DomainError("organisation_required", "Choose the organisation", "กรุณาเลือก อปท.")
    _editable(user, org)
    return org


def _parcel_out(parcel: Any) -> dict[str, Any]:
    return {"id": parcel.pk, "code": parcel.code, "version": parcel.version, "status": parcel.status}


# --- page ----------------------------------------------------------------------------------------------


@login_required
def map_page(request: HttpRequest) -> HttpResponse:
    return render(request, "gis_portal/map.html", {"map_config": selectors.map_context(request.user)})


# --- reads ---------------------------------------------------------------------------------------------


@require_GET
@json_endpoint
def features(request: HttpRequest, body: dict, layer: str) -> dict:
    return selectors.features_in_bbox(request.user, layer, selectors.parse_bbox(request.GET.get("bbox", "")))


@require_GET
@json_endpoint
def search(request: HttpRequest, body: dict) -> dict:
    results = selectors.search(request.user, request.GET.get("q", ""))
    by_owner = [r for r in results if r.get("match") == "owner"]
    if by_owner:  # PDPA audit log: a search by a person's name tells whose land a parcel is
        ids: dict[int | None, list[int]] = {}
        for r in by_owner:
            ids.setdefault(r.get("organisation"), []).append(r["id"])
        audit_log.record(
            request,
            kind=audit_log.PARCEL_BY_OWNER,
            ids_by_organisation=ids,
            purpose="map search by owner name",
        )
    return {"results": results}


@require_GET
@json_endpoint
def panel(request: HttpRequest, body: dict, layer: str, pk: int) -> dict:
    result = selectors.feature_panel(request.user, layer, pk)
    audit_log.map_panel_viewed(request, result)  # owners' names are personal data (PDPA)
    return result


# --- parcel edits --------------------------------------------------------------------------------------


@require_POST
@json_endpoint
def parcel_create(request: HttpRequest, body: dict) -> dict:
    org = _organisation(request.user, body)
    parcel = services.parcel_create(
        organisation=org,
        code=str(body.get("code", "")),
        geom=_geometry(body.get("geometry")),
        doc_type=str(body.get("doc_type") or "none"),
        doc_number=str(body.get("doc_number") or ""),
        user=request.user,
    )
    return _parcel_out(parcel)


@require_POST
@json_endpoint
def parcel_reshape(request: HttpRequest, body: dict) -> dict:
    """Several parcels at once (a shared boundary moved), all or nothing."""
    items = body.get("features")
    if not isinstance(items, list) or not items:
        raise DomainError("nothing_to_save", "No parcel was changed", "ไม่มีแปลงที่ถูกแก้ไข")
    changes = []
    for item in items:
        if not isinstance(item, dict):
            raise DomainError("bad_feature", "Each change needs id, version and geometry", "ข้อมูลไม่ครบ")
        parcel = parcel_for_user(request.user, _int(item.get("id"), "id"))
        _editable(request.user, parcel.organisation_id)
        changes.append((parcel, _version(item), _geometry(item.get("geometry"))))
    saved = services.parcel_reshape_many(changes=changes, user=request.user)
    return {"saved": [_parcel_out(p) for p in saved]}


@require_POST
@json_endpoint
def parcel_split(request: HttpRequest, body: dict, pk: int) -> dict:
    parcel = parcel_for_user(request.user, pk)
    _editable(request.user, parcel.organisation_id)
    codes = body.get("codes")
    if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
        raise DomainError("split_codes", "Give a code for each new parcel", "กรุณาระบุรหัสของแปลงใหม่ทุกแปลง")
    children = services.parcel_split(
        parcel=parcel,
        line=_geometry(body.get("line"), "line"),
        codes=codes,
        user=request.user,
        expected_version=_version(body),
    )
    return {
        "retired": _parcel_out(parcel_for_user(request.user, pk)),
        "created": [_parcel_out(c) for c in children],
    }


@require_POST
@json_endpoint
def parcel_merge(request: HttpRequest, body: dict) -> dict:
    ids = body.get("ids")
    if not isinstance(ids, list):
        raise DomainError(
            "merge_needs_two", "Choose at least two parcels to merge", "เลือกอย่างน้อยสองแปลงเพื่อรวม"
        )
    parcels = [parcel_for_user(request.user, _int(i, "ids")) for i in ids]
    versions = body.get("versions") or {}
    for p in parcels:
        _editable(request.user, p.organisation_id)
    try:
        expected = {int(k): int(v) for k, v in versions.items()}
    except (AttributeError, TypeError, ValueError):
        raise DomainError(
            "bad_version", "versions must map parcel ids to numbers", "version ไม่ถูกต้อง"
        ) from None
    merged = services.parcel_merge(
        parcels=parcels, code=str(body.get("code", "")), user=request.user, expected_versions=expected
    )
    return _parcel_out(merged)


@json_endpoint
def parcel_undo(request: HttpRequest, body: dict, pk: int) -> dict:
    """GET: what undoing the user's own last change would do (the plan and its token).
    POST ``{version, token}``: do exactly that plan (409 if it is no longer the same)."""
    parcel = parcel_for_user(request.user, pk)
    _editable(request.user, parcel.organisation_id)
    if request.method == "GET":
        return undo.undo_plan(parcel=parcel, user=request.user).as_dict()
    if request.method != "POST":
        raise DomainError("method_not_allowed", "Use GET or POST", "ใช้ GET หรือ POST")
    token = body.get("token")
    return _parcel_out(
        undo.undo_apply(
            parcel=parcel,
            user=request.user,
            expected_version=_version(body),
            token=token if isinstance(token, str) else "",
        )
    )


@require_POST
@json_endpoint
def parcel_restore(request: HttpRequest, body: dict, pk: int) -> dict:
    """A register supervisor brings a retired parcel back ``{version, reason}``."""
    parcel = parcel_for_user(request.user, pk)
    return _parcel_out(
        undo.parcel_restore(
            parcel=parcel, user=request.user, reason=body.get("reason"), expected_version=_version(body)
        )
    )


@require_POST
@json_endpoint
def retire(request: HttpRequest, body: dict, layer: str, pk: int) -> dict:
    """Retire a row on purpose: ``{version, reason}``; the reason is kept in its history."""
    version = _version(body)

    def reason() -> str:  # asked after the role check: who may not retire learns nothing more
        return f"{undo.RETIRE_PREFIX}{undo.clean_reason(body.get('reason'))}"

    if layer == "parcels":
        parcel = parcel_for_user(request.user, pk)
        _editable(request.user, parcel.organisation_id)
        retired = services.parcel_retire(
            parcel=parcel, user=request.user, expected_version=version, reason=reason()
        )
        return _parcel_out(retired)
    if layer == "buildings":
        building = building_for_user(request.user, pk)
        _editable(request.user, building.organisation_id)
        b = services.building_update(
            building=building, user=request.user, expected_version=version, retire=True, reason=reason()
        )
        return {"id": b.pk, "version": b.version, "status": b.status}
    if layer == "households":
        household = household_for_user(request.user, pk)
        _editable(request.user, household.organisation_id)
        h = services.household_update(
            household=household, user=request.user, expected_version=version, retire=True, reason=reason()
        )
        return {"id": h.pk, "version": h.version, "status": h.status}
    raise DomainError("no_such_layer", f"No layer {layer!r}", f"ไม่มีชั้นข้อมูล {layer!r}")


# --- buildings and households --------------------------------------------------------------------------


@require_POST
@json_endpoint
def building_create(request: HttpRequest, body: dict) -> dict:
    parcel = parcel_for_user(request.user, _int(body.get("parcel"), "parcel"))
    _editable(request.user, parcel.organisation_id)
    building = services.building_create(
        parcel=parcel,
        footprint=_geometry(body.get("geometry")),
        building_type=str(body.get("building_type") or "house"),
        material=str(body.get("material") or "concrete"),
        storeys=_int(body.get("storeys") or 1, "storeys"),
        user=request.user,
    )
    return {"id": building.pk, "version": building.version, "number": building.number}


@require_POST
@json_endpoint
def building_reshape(request: HttpRequest, body: dict, pk: int) -> dict:
    building = building_for_user(request.user, pk)
    _editable(request.user, building.organisation_id)
    b = services.building_update(
        building=building,
        user=request.user,
        expected_version=_version(body),
        footprint=_geometry(body.get("geometry")),
    )
    return {"id": b.pk, "version": b.version}


@require_POST
@json_endpoint
def household_create(request: HttpRequest, body: dict) -> dict:
    org = _organisation(request.user, body)
    household = services.household_create(
        organisation=org,
        house_number=str(body.get("house_number") or ""),
        location=_geometry(body.get("geometry")),
        user=request.user,
    )
    return {"id": household.pk, "version": household.version}


@require_POST
@json_endpoint
def household_move(request: HttpRequest, body: dict, pk: int) -> dict:
    household = household_for_user(request.user, pk)
    _editable(request.user, household.organisation_id)
    h = services.household_update(
        household=household,
        user=request.user,
        expected_version=_version(body),
        location=_geometry(body.get("geometry")),
    )
    return {"id": h.pk, "version": h.version}
