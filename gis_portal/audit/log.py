"""Write audit entries: one INSERT per request, however many records it showed.

Callers hand over the rows they showed (or their ids); entries are grouped by organisation (one
entry per organisation, all in one ``bulk_create``), so the report per organisation stays a plain
filter. Only :func:`record_party_export` reads the database (the ids of the exported parties, one
query).
"""

from __future__ import annotations

import getpass
import hashlib
import os
from collections.abc import Iterable, Mapping
from typing import Any

from gis_portal.middleware import request_id_var
from gis_portal.security import client_address
from parcels.models import Party

from .models import ActorKind, AuditAction, AuditEntry

# Kinds of record (``record_kind``).
PARTY = "party"
HOUSEHOLD = "household"
SERVICE_REQUEST = "service_request"
PARCEL_BY_OWNER = "parcel_by_owner"  # parcels found by searching for a person's name
HEALTH_CASE = "health_case"  # outbreak cases and their isolation check-ins (sensitive data)

# Tables whose rows are personal data wherever they are shown (the admin logs them generically:
# the rows of these tables on a page, and rows of other tables that show one of them by its label).
PERSONAL_DATA_MODELS = {
    "parcels.party": PARTY,
    "eservices.servicerequest": SERVICE_REQUEST,
}


def personal_kind(model: Any) -> str | None:
    """The audit ``record_kind`` of a model's rows if they are personal data, else None."""
    if model is None:
        return None
    return PERSONAL_DATA_MODELS.get(model._meta.concrete_model._meta.label_lower)


def _request_id(request: Any) -> str:
    value = getattr(request, "request_id", None) if request is not None else None
    return value or (request_id_var.get() if request_id_var.get() != "-" else "")


def _staff(request: Any) -> tuple[str, Any, str]:
    user = getattr(request, "user", None)
    if user is not None and getattr(user, "is_authenticated", False):
        return ActorKind.STAFF, user, user.get_username()
    return ActorKind.STAFF, None, "anonymous"


def _endpoint(request: Any) -> str:
    return f"{request.method} {request.path}"[:300]


def record(
    request: Any,
    *,
    kind: str,
    ids_by_organisation: Mapping[int | None, Iterable[int]],
    purpose: str,
    action: str = AuditAction.VIEW,
    masked_ids: Iterable[int] = (),
    detail: dict[str, Any] | None = None,
    actor: tuple[str, Any, str] | None = None,
) -> list[AuditEntry]:
    """One entry per organisation with records (none if there are none), in a single INSERT.

    ``actor`` is ``(actor_kind, user or None, actor name)``; by default the request's user.
    """
    masked = set(masked_ids)
    actor_kind, user, name = actor or _staff(request)
    common = {
        "actor_kind": actor_kind,
        "user": user,
        "actor": name[:200],
        "action": action,
        "record_kind": kind,
        "request_id": _request_id(request)[:64],
        "client_address": (client_address(request) if request is not None else "")[:64],
        "endpoint": _endpoint(request) if request is not None else "",
        "purpose": purpose[:200],
        "detail": detail or {},
    }
    entries = []
    for organisation_id, ids in ids_by_organisation.items():
        ids = sorted(set(ids))
        if not ids:
            continue
        entries.append(
            AuditEntry(
                organisation_id=organisation_id,
                record_ids=ids,
                masked_ids=[i for i in ids if i in masked],
                **common,
            )
        )
    if len(entries) == 1:
        entries[0].save(force_insert=True)  # a lone INSERT: no BEGIN/COMMIT round trips around it
    elif entries:
        AuditEntry.objects.bulk_create(entries)
    return entries


def group_by_organisation(rows: Iterable[Any], field: str = "organisation_id") -> dict[int | None, list[int]]:
    """``{organisation_id: [row ids]}`` from loaded rows (model instances or historical records)."""
    grouped: dict[int | None, list[int]] = {}
    for row in rows:
        grouped.setdefault(getattr(row, field), []).append(row.id)
    return grouped


def record_rows(
    request: Any,
    rows: Iterable[Any],
    *,
    kind: str,
    purpose: str,
    personal_org_ids: set[int] | None = None,
    action: str = AuditAction.VIEW,
    detail: dict[str, Any] | None = None,
) -> list[AuditEntry]:
    """Rows shown to the request's user; those outside ``personal_org_ids`` (None = all) were masked."""
    rows = list(rows)
    masked = (
        []
        if personal_org_ids is None
        else [row.id for row in rows if row.organisation_id not in personal_org_ids]
    )
    return record(
        request,
        kind=kind,
        ids_by_organisation=group_by_organisation(rows),
        purpose=purpose,
        action=action,
        masked_ids=masked,
        detail=detail,
    )


def command_actor() -> tuple[str, None, str]:
    """Who ran a management command: the operating-system account (and sudo's original user)."""
    try:
        account = getpass.getuser()
    except (KeyError, OSError):
        account = "unknown"
    sudo = os.environ.get("SUDO_USER")
    return ActorKind.COMMAND, None, f"{account} (sudo {sudo})" if sudo else account


def record_party_export(
    request: Any | None,
    *,
    organisation_id: int,
    personal: bool,
    purpose: str,
    detail: dict[str, Any] | None = None,
) -> list[AuditEntry]:
    """The parties of an organisation went into a file (names always; IDs and phones if ``personal``).

    ``request`` None means a management command (the operating-system account is the actor). One
    query for the ids, one INSERT.
    """
    parties = Party.objects.filter(organisation_id=organisation_id).order_by("id")
    ids = list(parties.values_list("id", flat=True))
    return record(
        request,
        kind=PARTY,
        ids_by_organisation={organisation_id: ids},
        purpose=purpose,
        action=AuditAction.EXPORT,
        masked_ids=() if personal else ids,
        detail={"personal_data": personal, **(detail or {})},
        actor=None if request is not None else command_actor(),
    )


def map_panel_viewed(request: Any, panel: Mapping[str, Any]) -> None:
    """The staff map's parcel panel listed owners (names; national IDs masked there)."""
    owners = [o["party"] for o in panel.get("owners") or () if o.get("party") is not None]
    if owners:
        record(
            request,
            kind=PARTY,
            ids_by_organisation={panel.get("organisation"): owners},
            purpose=f"staff map {panel.get('layer', '')} panel {panel.get('id', '')}".strip(),
            masked_ids=owners,
        )


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:16]


def resident_viewed(request: Any, household: Any, private: Mapping[str, Any], token_hash: str = "") -> None:
    """A verified resident saw the private part of their household page (members, owners, land).

    The actor is the household and a digest of the browser session (never the session key itself).
    """
    session_key = getattr(getattr(request, "session", None), "session_key", None) or ""
    members = [p.pk for p in private.get("members", [])]
    record(
        request,
        kind=HOUSEHOLD,
        ids_by_organisation={household.organisation_id: [household.pk]},
        purpose="resident verified page",
        detail={"member_party_ids": members, "session": _digest(session_key) if session_key else ""}
        | ({"sticker": token_hash[:12]} if token_hash else {}),
        actor=(ActorKind.RESIDENT, None, f"household {household.pk}"),
    )
