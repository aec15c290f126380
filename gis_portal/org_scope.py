"""Which organisation a row belongs to, and in which organisations a user may read or write a table.

The one rule every organisation-owned row follows on the generic paths (the admin, its forms and
their choices): a row belongs to the organisation reached by following its foreign keys to the
organisation model (``settings.ORGANISATION_MODEL``, default ``parcels.Organisation``), and a user
reads or writes a table only in the organisations where one of their roles (a membership) holds
the table's ``view_``/``change_``/``add_``/``delete_`` permission. A superuser sees everything.

The path is found from the model's own fields, so a new model needs no declaration: a direct
``organisation`` key, or a chain of required keys (an objection → its bill → the bill's
organisation). A model with no path is not organisation-owned; the admin treats it as
superuser-only unless its ``ModelAdmin`` says ``organisation_scope = "global"`` (reference data
everyone reads and only superusers change).
"""

from __future__ import annotations

from collections import deque
from functools import cache
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db.models import Model, Q, QuerySet

# Path from the user model to the organisation of their memberships (parcels.Membership).
MEMBERS_PATH = "memberships__organisation"
MAX_DEPTH = 3


def organisation_model() -> type[Model]:
    return apps.get_model(getattr(settings, "ORGANISATION_MODEL", "parcels.Organisation"))


def _is_organisation(model: type[Model]) -> bool:
    return model._meta.concrete_model is organisation_model()


@cache
def organisation_path(model: type[Model]) -> str | None:
    """The lookup path from ``model`` to its organisation (``"pk"`` for the organisation itself).

    Breadth first over forward foreign keys (not to the user model): the shortest path whose every
    key is required wins; a path through a nullable key only when there is no other.
    """
    if _is_organisation(model):
        return "pk"
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    best_nullable: str | None = None
    queue: deque[tuple[type[Model], str, bool, int]] = deque([(model, "", False, 0)])
    while queue:
        current, prefix, nullable, depth = queue.popleft()
        if depth >= MAX_DEPTH:
            continue
        for field in current._meta.concrete_fields:
            if not field.is_relation or field.many_to_many:
                continue
            target = field.related_model
            if target is None or target is user_model or target._meta.concrete_model is current:
                continue
            path = f"{prefix}{field.name}"
            through_null = nullable or field.null
            if _is_organisation(target):
                if not through_null:
                    return path
                best_nullable = best_nullable or path
                continue
            queue.append((target, f"{path}__", through_null, depth + 1))
    return best_nullable


def organisation_id_of(obj: Any, path: str | None) -> int | None:
    """The organisation id of a loaded row (unsaved rows too), walking its keys; None if unknown."""
    if path is None or obj is None:
        return None
    if path == "pk":
        return obj.pk
    parts = path.split("__")
    for index, part in enumerate(parts):
        field = obj._meta.get_field(part)
        value = getattr(obj, field.attname, None)
        if value is None:
            return None
        if index == len(parts) - 1:
            return value
        obj = getattr(obj, part)
    return None


def _codenames(model: type[Model], action: str) -> list[tuple[str, str]]:
    opts = model._meta
    actions = ("view", "change") if action == "view" else (action,)
    return [(opts.app_label, f"{a}_{opts.model_name}") for a in actions]


def permitted_organisation_ids(
    user: Any, model: type[Model], action: str, cache: dict | None = None
) -> set[int] | None:
    """Organisations where ``user`` may ``action`` (view / add / change / delete) rows of ``model``.

    None means every organisation (superuser). Reading counts ``view_`` or ``change_``. A permission
    given to the user directly (not through a role) counts in all the user's organisations.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return set()
    if user.is_superuser:
        return None
    key = (model._meta.label_lower, action)
    if cache is not None and key in cache:
        return cache[key]
    condition = Q()
    direct = Q()
    for app_label, codename in _codenames(model, action):
        condition |= Q(
            role__permissions__content_type__app_label=app_label, role__permissions__codename=codename
        )
        direct |= Q(content_type__app_label=app_label, codename=codename)
    memberships = user.memberships.all()
    if user.user_permissions.filter(direct).exists():
        ids = set(memberships.values_list("organisation_id", flat=True))
    else:
        ids = set(memberships.filter(condition).values_list("organisation_id", flat=True))
    if cache is not None:
        cache[key] = ids
    return ids


def filter_to_organisations(queryset: QuerySet, ids: set[int] | None, path: str | None = None) -> QuerySet:
    """Rows of ``queryset`` in the organisations ``ids`` (None: all).

    Users count through their memberships; a model with no path to an organisation is not
    organisation-owned (reference data) and is returned whole.
    """
    if ids is None:
        return queryset
    model = queryset.model
    if path is None:
        path = organisation_path(model)
    if path is None:
        if model is apps.get_model(settings.AUTH_USER_MODEL):
            return queryset.filter(**{f"{MEMBERS_PATH}__in": ids}).distinct()
        return queryset
    return queryset.filter(**{f"{path}__in": ids})


def organisations_of_ids(model: type[Model], ids: set[int]) -> dict[int | None, list[int]]:
    """``{organisation_id: [ids]}`` for rows of ``model`` (one query)."""
    path = organisation_path(model)
    grouped: dict[int | None, list[int]] = {}
    if not ids:
        return grouped
    if path is None:
        return {None: sorted(ids)}
    column = "pk" if path == "pk" else path
    for pk, org_id in model._default_manager.filter(pk__in=ids).values_list("pk", column):
        grouped.setdefault(org_id, []).append(pk)
    return grouped
