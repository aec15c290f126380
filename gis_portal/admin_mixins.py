"""Admin building blocks shared by the apps.

:class:`OrganisationScopeMixin` is put in front of every ``ModelAdmin`` registered on the portal's
admin site (``gis_portal.admin_site``), and :class:`InlineScopeMixin` in front of every inline:
nobody has to remember it. It keeps each user to the organisations where their roles hold the
table's permission (``gis_portal.org_scope``) on every path of the admin:

- the rows listed, shown, changed, deleted, and used by actions (``get_queryset``, permissions);
- foreign-key and many-to-many choices, raw-id widget labels (autocomplete searches the target's
  own scoped admin, and shows only choices of the scoped field);
- the list filter sidebar (relation filters list only values present in the scoped rows);
- the organisation of every submitted row, also when it is reached through a parent (an objection
  through its bill), and that the rows it points to belong to the same organisation;
- personal data shown on a page goes to the PDPA audit log (``gis_portal.audit``).

Another organisation's row answers exactly as a missing one. Superusers see everything.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.contrib.admin import (
    AllValuesFieldListFilter,
    RelatedFieldListFilter,
    RelatedOnlyFieldListFilter,
)
from django.contrib.admin.options import InlineModelAdmin
from django.contrib.admin.utils import get_fields_from_path, unquote
from django.contrib.admin.widgets import ForeignKeyRawIdWidget
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse

from gis_portal.audit import log as audit_log
from gis_portal.org_scope import (
    filter_to_organisations,
    organisation_id_of,
    organisation_path,
    organisations_of_ids,
    permitted_organisation_ids,
)

ORGANISATION = "organisation"
GLOBAL = "global"
SUPERUSER = "superuser"


class ReadOnlyAdminMixin:
    """An admin page that lists and shows rows but never adds, changes or deletes them (records
    written only by the application: payments, the audit log, refused imagery notes)."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# --------------------------------------------------------------------------------------------
# Scope of one admin (model admin or inline)


def _scope_cache(request: HttpRequest) -> dict:
    return request.__dict__.setdefault("_organisation_scope_cache", {})


def _user_ids(request: HttpRequest, model: type[Model], action: str) -> set[int] | None:
    return permitted_organisation_ids(request.user, model, action, _scope_cache(request))


def _union(*parts: set[int] | None) -> set[int] | None:
    if any(p is None for p in parts):
        return None
    return set().union(*parts)


class _ScopeBase:
    """What model admins and inlines share.

    An admin class may set (read with getattr: this mixin stands in front of the admin class):

    - ``organisation_field``: the path to the organisation when the automatic one is not wanted
      (e.g. ``"successor__organisation"``);
    - ``organisation_scope``: for a model with no path to an organisation, ``"global"`` (everyone
      with the view permission reads, superusers write) or ``"superuser"`` (the default).
    """

    model: type[Model]
    raw_id_fields: Any

    def scope_path(self) -> str | None:
        return getattr(self, "organisation_field", None) or organisation_path(self.model)

    def scope_kind(self) -> str:
        if self.scope_path():
            return ORGANISATION
        return GLOBAL if getattr(self, "organisation_scope", SUPERUSER) == GLOBAL else SUPERUSER

    def scoped_organisation_ids(self, request: HttpRequest, action: str) -> set[int] | None:
        """Organisations where the user may ``action`` this admin's rows (None: all)."""
        if request.user.is_superuser:
            return None
        if self.scope_kind() != ORGANISATION:
            return None if (self.scope_kind() == GLOBAL and action == "view") else set()
        return _user_ids(request, self.model, action)

    def write_organisation_ids(self, request: HttpRequest) -> set[int] | None:
        return _union(
            self.scoped_organisation_ids(request, "add"), self.scoped_organisation_ids(request, "change")
        )

    def object_in_scope(self, request: HttpRequest, obj: Any, action: str) -> bool:
        ids = self.scoped_organisation_ids(request, action)
        if ids is None:
            return True
        if obj is None:
            return bool(ids) or (action == "view" and self.scope_kind() == ORGANISATION)
        return organisation_id_of(obj, self.scope_path()) in ids

    def scope_queryset(self, request: HttpRequest, queryset: Any) -> Any:
        if request.user.is_superuser or self.scope_kind() == GLOBAL:
            return queryset
        if self.scope_kind() == SUPERUSER:
            return queryset.none()
        return filter_to_organisations(
            queryset, self.scoped_organisation_ids(request, "view"), self.scope_path()
        )

    def scope_choices(self, request: HttpRequest, queryset: Any) -> Any:
        """Choices of a key of this admin's rows: only in organisations where the user writes them."""
        if request.user.is_superuser:
            return queryset
        return filter_to_organisations(queryset, self.write_organisation_ids(request) or set())

    # Foreign keys and many-to-many fields ---------------------------------------------------
    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]
        if field is not None and hasattr(field, "queryset"):
            field.queryset = self.scope_choices(request, field.queryset)
            if isinstance(field.widget, ForeignKeyRawIdWidget):
                field.widget = ScopedForeignKeyRawIdWidget.from_widget(field.widget, field.queryset)
        return field

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_manytomany(db_field, request, **kwargs)  # type: ignore[misc]
        if field is not None and hasattr(field, "queryset"):
            field.queryset = self.scope_choices(request, field.queryset)
        return field

    def scoped_form(self, form_class: type[forms.BaseForm], request: HttpRequest) -> type[forms.BaseForm]:
        return scoped_form_class(form_class, self, request)


class ScopedForeignKeyRawIdWidget(ForeignKeyRawIdWidget):
    """The label next to a raw id comes only from the field's (scoped) choices, never the table."""

    queryset: Any = None

    @classmethod
    def from_widget(cls, widget: ForeignKeyRawIdWidget, queryset: Any) -> ScopedForeignKeyRawIdWidget:
        scoped = cls(widget.rel, widget.admin_site, attrs=widget.attrs, using=widget.db)
        scoped.queryset = queryset
        return scoped

    def label_and_url_for_value(self, value: Any) -> tuple[str, str]:
        key = self.rel.get_related_field().name
        try:
            if not self.queryset.filter(**{key: value}).exists():
                return "", ""
        except (ValueError, TypeError, ValidationError):
            return "", ""
        return super().label_and_url_for_value(value)


# --------------------------------------------------------------------------------------------
# Submitted rows


def _invalid_choice(form: forms.BaseForm, name: str) -> str:
    field = form.fields.get(name)
    if field is not None and "invalid_choice" in field.error_messages:
        return field.error_messages["invalid_choice"] % {"value": ""}
    return "เลือกรายการที่มีอยู่ / Select a valid choice. That choice is not one of the available choices."


def check_submitted_row(form: forms.BaseForm, scope: _ScopeBase, request: HttpRequest) -> None:
    """The row a form builds belongs to an organisation where the user may write it, and every row
    it points to is of that same organisation (else the same error as for a missing choice)."""
    instance = getattr(form, "instance", None)
    if instance is None or not getattr(form, "cleaned_data", None):
        return
    path = scope.scope_path()
    org_id = organisation_id_of(instance, path)
    action = "add" if instance._state.adding else "change"
    first = path.split("__")[0] if path and path != "pk" else None
    target = first if first in form.fields else None
    if not request.user.is_superuser:
        if scope.scope_kind() != ORGANISATION:
            form.add_error(None, _invalid_choice(form, ""))
            return
        allowed = scope.scoped_organisation_ids(request, action)
        if org_id is not None and allowed is not None and org_id not in allowed:
            form.add_error(target, _invalid_choice(form, target or ""))
            return
    if org_id is None:
        return
    for name, value in form.cleaned_data.items():
        if name not in form.fields or value is None or name == target:
            continue
        values = (
            value if isinstance(value, Iterable) and not isinstance(value, str | bytes | Model) else [value]
        )
        for item in values:
            if not isinstance(item, Model):
                continue
            other_path = organisation_path(type(item))
            if other_path is None:
                continue
            other = organisation_id_of(item, other_path)
            if other is not None and other != org_id:
                form.add_error(name, _invalid_choice(form, name))
                break


def scoped_form_class(form_class: type[forms.BaseForm], scope: _ScopeBase, request: HttpRequest) -> type:
    """``form_class`` that also runs :func:`check_submitted_row` once the instance is built."""

    def _post_clean(self: Any) -> None:
        form_class._post_clean(self)  # type: ignore[attr-defined]
        check_submitted_row(self, scope, request)

    return type(
        form_class.__name__, (form_class,), {"_post_clean": _post_clean, "__module__": form_class.__module__}
    )


# --------------------------------------------------------------------------------------------
# List filters


class ScopedAllValuesFieldListFilter(AllValuesFieldListFilter):
    """Values of a field reached through a relation, taken only from the admin's scoped rows."""

    def __init__(
        self, field: Any, request: HttpRequest, params: Any, model: Any, model_admin: Any, field_path: str
    ):
        super().__init__(field, request, params, model, model_admin, field_path)
        self.lookup_choices = (
            model_admin.get_queryset(request)
            .exclude(**{f"{field_path}__isnull": True})
            .order_by(field_path)
            .values_list(field_path, flat=True)
            .distinct()
        )


def scoped_list_filter(model: type[Model], item: Any) -> Any:
    """A list_filter entry whose choices come only from the user's rows."""
    if isinstance(item, str):
        path, filter_class = item, None
    elif isinstance(item, tuple | list) and len(item) == 2 and isinstance(item[0], str):
        path, filter_class = item
    else:
        return item  # a SimpleListFilter: its own lookups()
    try:
        fields = get_fields_from_path(model, path)
    except (FieldDoesNotExist, Exception):  # noqa: BLE001 - leave it to Django's own checks
        return item
    last = fields[-1]
    if last.is_relation:
        if filter_class is None or (
            issubclass(filter_class, RelatedFieldListFilter)
            and not issubclass(filter_class, RelatedOnlyFieldListFilter)
        ):
            return (path, RelatedOnlyFieldListFilter)
        return item
    if filter_class is None and "__" in path and not getattr(last, "choices", None):
        return (path, ScopedAllValuesFieldListFilter)
    if filter_class is AllValuesFieldListFilter:
        return (path, ScopedAllValuesFieldListFilter)
    return item


# --------------------------------------------------------------------------------------------
# Personal data seen (PDPA audit log)


class PersonalDataSeen:
    """Collects the personal records a page shows: ``{kind: {organisation: ids}}`` and the masked."""

    def __init__(self) -> None:
        self.ids: dict[str, dict[int | None, set[int]]] = {}
        self.masked: dict[str, set[int]] = {}

    def add(self, kind: str, grouped: dict[int | None, Iterable[int]], masked: bool) -> None:
        by_org = self.ids.setdefault(kind, {})
        for org_id, ids in grouped.items():
            by_org.setdefault(org_id, set()).update(ids)
            if masked:
                self.masked.setdefault(kind, set()).update(ids)

    def add_rows(self, model: type[Model], rows: Iterable[Any], *, path: str | None, masked: bool) -> None:
        rows = list(rows)
        if not rows:
            return
        kind = audit_log.personal_kind(model)
        if kind:
            grouped: dict[int | None, list[int]] = {}
            for row in rows:
                if row.pk is not None:
                    grouped.setdefault(organisation_id_of(row, path), []).append(row.pk)
            self.add(kind, grouped, masked)
        # Rows shown by their label (a bill's taxpayer, an enrolment's person): names only.
        for field in model._meta.concrete_fields:
            if not field.is_relation or field.many_to_many:
                continue
            related_kind = audit_log.personal_kind(field.related_model)
            if not related_kind:
                continue
            ids = {getattr(row, field.attname) for row in rows} - {None}
            if ids:
                self.add(related_kind, organisations_of_ids(field.related_model, ids), True)

    def write(self, request: HttpRequest, purpose: str) -> None:
        for kind, by_org in self.ids.items():
            audit_log.record(
                request,
                kind=kind,
                ids_by_organisation=by_org,
                purpose=purpose,
                masked_ids=self.masked.get(kind, ()),
            )


def _context(response: HttpResponse) -> dict:
    return getattr(response, "context_data", None) or {}


class OrganisationScopeMixin(_ScopeBase):
    """Put in front of every registered ModelAdmin by :class:`gis_portal.admin_site.PortalAdminSite`."""

    def get_queryset(self, request: HttpRequest) -> Any:
        return self.scope_queryset(request, super().get_queryset(request))  # type: ignore[misc]

    def has_module_permission(self, request: HttpRequest) -> bool:
        if self.scope_kind() == SUPERUSER and not request.user.is_superuser:
            return False
        return super().has_module_permission(request)  # type: ignore[misc]

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_view_permission(request, obj) and self.object_in_scope(request, obj, "view")  # type: ignore[misc]

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return super().has_add_permission(request, *args) and self.object_in_scope(request, None, "add")  # type: ignore[misc]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_change_permission(request, obj) and self.object_in_scope(request, obj, "change")  # type: ignore[misc]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_delete_permission(request, obj) and self.object_in_scope(request, obj, "delete")  # type: ignore[misc]

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        return self.scoped_form(super().get_form(request, obj, change, **kwargs), request)  # type: ignore[misc]

    def get_changelist_form(self, request: HttpRequest, **kwargs: Any) -> Any:
        return self.scoped_form(super().get_changelist_form(request, **kwargs), request)  # type: ignore[misc]

    def get_inlines(self, request: HttpRequest, obj: Any) -> list[type]:
        return [with_scope(inline) for inline in super().get_inlines(request, obj)]  # type: ignore[misc]

    def get_list_filter(self, request: HttpRequest) -> list[Any]:
        return [scoped_list_filter(self.model, item) for item in super().get_list_filter(request)]  # type: ignore[misc]

    # Same answer for another organisation's row as for a missing one (history pages included).
    def _require_object(self, request: HttpRequest, object_id: str) -> Any:
        obj = self.get_object(request, unquote(object_id))  # type: ignore[attr-defined]
        if obj is None:
            raise Http404
        return obj

    def history_view(self, request: HttpRequest, object_id: str, extra_context: Any = None) -> HttpResponse:
        obj = None
        if hasattr(super(), "history_form_view"):  # django-simple-history: would answer 403
            obj = self._require_object(request, object_id)
        response = super().history_view(request, object_id, extra_context)  # type: ignore[misc]
        if obj is not None and request.method == "GET" and response.status_code == 200:
            seen = PersonalDataSeen()
            seen.add_rows(self.model, [obj], path=self.scope_path(), masked=False)
            seen.write(request, f"admin {self.model._meta.model_name} history")
        return response

    def history_form_view(
        self, request: HttpRequest, object_id: str, version_id: str, extra_context: Any = None
    ) -> HttpResponse:
        obj = self._require_object(request, object_id)
        response = super().history_form_view(request, object_id, version_id, extra_context)  # type: ignore[misc]
        if request.method == "GET" and response.status_code == 200:
            seen = PersonalDataSeen()
            seen.add_rows(self.model, [obj], path=self.scope_path(), masked=False)
            seen.write(request, f"admin {self.model._meta.model_name} history")
        return response

    # PDPA audit log ---------------------------------------------------------------------------
    def personal_data_masked(self, request: HttpRequest, changelist: Any = None) -> bool:
        """Whether the page showed this admin's personal rows masked (override per admin)."""
        return False

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        response = super().changelist_view(request, extra_context)  # type: ignore[misc]
        changelist = _context(response).get("cl")
        if request.method == "GET" and response.status_code == 200 and changelist is not None:
            seen = PersonalDataSeen()
            seen.add_rows(
                self.model,
                changelist.result_list,
                path=self.scope_path(),
                masked=self.personal_data_masked(request, changelist),
            )
            seen.write(request, f"admin {self.model._meta.model_name} list")
        return response

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: Any = None,
    ) -> HttpResponse:
        response = super().changeform_view(request, object_id, form_url, extra_context)  # type: ignore[misc]
        context = _context(response)
        if response.status_code == 200 and context:
            seen = PersonalDataSeen()
            original = context.get("original")
            if original is not None:
                seen.add_rows(self.model, [original], path=self.scope_path(), masked=False)
            for inline_formset in context.get("inline_admin_formsets") or ():
                formset = inline_formset.formset
                rows = [form.instance for form in formset.initial_forms]
                seen.add_rows(formset.model, rows, path=organisation_path(formset.model), masked=False)
            seen.write(request, f"admin {self.model._meta.model_name} page")
        return response


class InlineScopeMixin(_ScopeBase):
    """Put in front of every inline of a scoped ModelAdmin."""

    def get_queryset(self, request: HttpRequest) -> Any:
        return self.scope_queryset(request, super().get_queryset(request))  # type: ignore[misc]

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        formset = super().get_formset(request, obj, **kwargs)  # type: ignore[misc]
        scope = self

        def add_fields(self: Any, form: forms.BaseForm, index: Any) -> None:
            formset.add_fields(self, form, index)
            # The hidden id of an existing row: only the user's rows (Django offers the whole table).
            pk_field = form.fields.get(self.model._meta.pk.name)
            if isinstance(pk_field, forms.ModelChoiceField):
                pk_field.queryset = scope.scope_queryset(request, pk_field.queryset)

        return type(
            formset.__name__,
            (formset,),
            {"form": self.scoped_form(formset.form, request), "add_fields": add_fields},
        )


def with_scope(admin_class: type) -> type:
    """``admin_class`` with the scope mixin in front (model admins and inlines; idempotent)."""
    mixin: type = InlineScopeMixin if issubclass(admin_class, InlineModelAdmin) else OrganisationScopeMixin
    if issubclass(admin_class, mixin):
        return admin_class
    return type(
        admin_class.__name__,
        (mixin, admin_class),
        {"__module__": admin_class.__module__, "__qualname__": admin_class.__qualname__},
    )
