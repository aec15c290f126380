"""Every registered admin, walked as the staff of a second organisation: nothing of the first is seen
or changed (lists, pages, history, choices, raw-id labels, filters, autocomplete, submitted rows).

The walk takes ``admin.site._registry`` as it is, so an admin added later is walked too; a table
with no row in the two offices of ``world.py`` fails the walk (add one there).
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import RelatedFieldWidgetWrapper
from django.contrib.gis.geos import GEOSGeometry
from django.forms.models import model_to_dict
from django.urls import NoReverseMatch, reverse

from eservices.models import WelfareRule
from gis_portal.admin_mixins import ORGANISATION, with_scope
from gis_portal.admin_site import check_admin_scopes
from gis_portal.audit.models import AuditEntry
from gis_portal.org_scope import organisation_id_of, organisation_path
from taxes.models import Installment

from .world import MARKER, rows_of

pytestmark = pytest.mark.django_db
MISSING_ID = 987_654_321


def _url(model, view: str, *args) -> str | None:
    try:
        return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)
    except NoReverseMatch:
        return None


def _answer(response) -> tuple[int, str]:
    return response.status_code, response.get("Location", "")


def _value_to_post(field: forms.Field, value, name: str, data: dict) -> None:
    widget = field.widget.widget if isinstance(field.widget, RelatedFieldWidgetWrapper) else field.widget
    if value is None or value == "":
        return
    if isinstance(field, forms.BooleanField):
        if value:
            data[name] = "on"
        return
    if isinstance(widget, forms.MultiWidget):
        for i, part in enumerate(widget.decompress(value)):
            if part is not None:
                data[f"{name}_{i}"] = part.isoformat() if hasattr(part, "isoformat") else str(part)
        return
    if isinstance(value, list | tuple):
        data[name] = [str(v) for v in value]
    elif isinstance(value, GEOSGeometry):
        data[name] = value.ewkt
    elif isinstance(value, dt.date | dt.datetime):
        data[name] = value.isoformat()
    elif isinstance(value, dict):
        data[name] = json.dumps(value)
    elif isinstance(value, Decimal):
        data[name] = str(value)
    else:
        data[name] = str(value)


def post_data(response) -> dict:
    """The POST body that resubmits an admin change page as it was shown (inlines left alone)."""
    form = response.context["adminform"].form
    data: dict = {}
    for name, field in form.fields.items():
        _value_to_post(field, form[name].value(), name, data)
    for inline in response.context.get("inline_admin_formsets") or ():
        prefix = inline.formset.prefix
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    return data


def choice_fields(response):
    forms_ = [response.context["adminform"].form]
    for inline in response.context.get("inline_admin_formsets") or ():
        forms_ += list(inline.formset.forms) + [inline.formset.empty_form]
    for form in forms_:
        for name, field in form.fields.items():
            if isinstance(field, forms.ModelChoiceField):
                yield form, name, field


def test_every_admin_is_walked_with_rows_in_both_offices(offices):
    victim, own = offices["victim_org"], offices["own_org"]
    missing = []
    for model, model_admin in admin.site._registry.items():
        if model_admin.scope_kind() != ORGANISATION:
            continue
        if not rows_of(model, victim).exists() or not rows_of(model, own).exists():
            missing.append(model._meta.label)
    assert missing == [], f"add rows of these tables to tests/scope/world.py: {missing}"


def test_second_office_reads_nothing_of_the_first(client, offices):
    victim = offices["victim_org"]
    client.force_login(offices["intruder"])
    seen_pages = 0
    problems: list[str] = []
    for model, model_admin in admin.site._registry.items():
        listing_url = _url(model, "changelist")
        listing = client.get(listing_url)
        if listing.status_code == 200:
            seen_pages += 1
            page = listing.content.decode()
            if MARKER in page:
                problems.append(f"{listing_url}: marker on the list")
            rows = list(listing.context["cl"].result_list)
            path = getattr(model_admin, "organisation_field", None) or organisation_path(model)
            foreign = [r.pk for r in rows if path and organisation_id_of(r, path) == victim.pk]
            if foreign:
                problems.append(f"{listing_url}: rows of the other office {foreign}")
            for spec in listing.context["cl"].filter_specs:
                for choice in getattr(spec, "lookup_choices", ()):
                    if MARKER in str(choice):
                        problems.append(f"{listing_url}: filter {spec.title} lists {choice}")
        # Each of the other office's rows answers as a missing one, on every page of a row.
        for row in rows_of(model, victim)[:3] if organisation_path(model) else ():
            for view in ("change", "history", "delete"):
                url, absent = _url(model, view, row.pk), _url(model, view, MISSING_ID)
                if url is None:
                    continue
                got, expected = _answer(client.get(url)), _answer(client.get(absent))
                if got != expected:
                    problems.append(f"{url}: {got} but a missing row answers {expected}")
        add_url = _url(model, "add")
        add = client.get(add_url) if add_url else None
        if add is not None and add.status_code == 200:
            if MARKER in add.content.decode():
                problems.append(f"{add_url}: marker on the add form")
            for _form, name, field in choice_fields(add):
                if organisation_path(field.queryset.model) is None:
                    continue
                for choice in field.queryset:
                    if organisation_id_of(choice, organisation_path(type(choice))) == victim.pk:
                        problems.append(f"{add_url}: {name} offers {choice!r} of the other office")
                        break
    assert seen_pages >= 20
    assert problems == []


def test_second_office_changes_nothing_of_the_first(client, offices):
    """Every foreign key of every admin form, pointed at the other office's row, is refused like a
    missing choice; the same form with its own rows is accepted (so the refusals are real)."""
    victim, own = offices["victim_org"], offices["own_org"]
    client.force_login(offices["intruder"])
    problems: list[str] = []
    accepted = refused = 0
    for model, model_admin in admin.site._registry.items():
        if organisation_path(model) is None:
            continue
        own_rows = rows_of(model, own).order_by("pk")
        if any(f.name == "status" for f in model._meta.fields) and own_rows.filter(status="active").exists():
            own_rows = own_rows.filter(status="active")
        row = own_rows.first()
        url = _url(model, "change", row.pk) if row else None
        shown = client.get(url) if url else None
        if shown is None or shown.status_code != 200 or "adminform" not in (shown.context or {}):
            continue
        form = shown.context["adminform"].form
        if not form.fields or not model_admin.has_change_permission(shown.wsgi_request, row):
            continue
        data = post_data(shown)
        before_all = {m: m._default_manager.count() for m in (model,)}
        victim_rows = rows_of(model, victim).count()
        control = client.post(url, data)
        if control.status_code == 302:
            accepted += 1
        else:
            errors = control.context["adminform"].form.errors if control.context else control.status_code
            problems.append(f"{url}: resubmitting its own row was refused: {errors}")
            continue
        row.refresh_from_db()
        before = model_to_dict(row)
        for name, field in form.fields.items():
            if not isinstance(field, forms.ModelChoiceField):
                continue
            target_model = field.queryset.model
            if organisation_path(target_model) is None:
                continue
            foreign = rows_of(target_model, victim).order_by("pk").first()
            if foreign is None:
                continue
            attack = dict(data)
            attack[name] = (
                [str(foreign.pk)] if isinstance(field, forms.ModelMultipleChoiceField) else str(foreign.pk)
            )
            for target_url in (url, _url(model, "add")):
                answer = client.post(target_url, attack)
                if answer.status_code == 302:
                    problems.append(f"{target_url}: {name} = the other office's {foreign!r} was accepted")
                    continue
                refused += 1
                if MARKER in answer.content.decode():
                    problems.append(f"{target_url}: {name} = other office's row shows its label")
            row.refresh_from_db()
            if model_to_dict(row) != before:
                problems.append(f"{url}: row changed by {name}")
        if (
            rows_of(model, victim).count() != victim_rows
            or model._default_manager.count() != before_all[model]
        ):
            problems.append(f"{model._meta.label}: rows were added")
    assert problems == []
    assert accepted >= 12 and refused >= 20, (accepted, refused)


def test_autocomplete_and_raw_id_popups_are_scoped(client, offices):
    victim = offices["victim_org"]
    client.force_login(offices["intruder"])
    checked = 0
    for model, model_admin in admin.site._registry.items():
        for name in list(model_admin.autocomplete_fields) + list(model_admin.raw_id_fields):
            target = model._meta.get_field(name).related_model
            if name in model_admin.autocomplete_fields:
                answer = client.get(
                    reverse("admin:autocomplete"),
                    {
                        "app_label": model._meta.app_label,
                        "model_name": model._meta.model_name,
                        "field_name": name,
                        "term": "",
                    },
                )
            else:
                popup = _url(target, "changelist")
                answer = client.get(popup, {"_to_field": "id", "_popup": "1"}) if popup else None
            if answer is None:
                continue
            checked += 1
            assert MARKER not in answer.content.decode(), (model, name)
        for inline in model_admin.inlines:
            for name in inline.autocomplete_fields:
                answer = client.get(
                    reverse("admin:autocomplete"),
                    {
                        "app_label": inline.model._meta.app_label,
                        "model_name": inline.model._meta.model_name,
                        "field_name": name,
                        "term": "",
                    },
                )
                checked += 1
                assert answer.status_code in (200, 403)
                ids = [int(r["id"]) for r in answer.json()["results"]] if answer.status_code == 200 else []
                target = inline.model._meta.get_field(name).related_model
                assert not rows_of(target, victim).filter(pk__in=ids).exists(), (inline, name)
    assert checked >= 5


def test_raw_id_label_of_another_offices_row_is_not_shown(client, offices):
    """A raw-id field given the other office's id shows no label (name, house number)."""
    own, victim = offices["own"], offices["victim"]
    client.force_login(offices["intruder"])
    url = reverse("admin:parcels_party_change", args=[own["person"].pk])
    shown = client.get(url)
    data = post_data(shown)
    data["household"] = str(victim["household"].pk)
    answer = client.post(url, data)
    assert answer.status_code == 200 and "household" in answer.context["adminform"].form.errors
    assert MARKER not in answer.content.decode()


def test_personal_data_seen_in_the_admin_is_logged(client, offices):
    own = offices["own"]
    client.force_login(offices["intruder"])
    before = AuditEntry.objects.count()
    assert client.get(reverse("admin:taxes_assessment_changelist")).status_code == 200
    entry = AuditEntry.objects.order_by("-id").first()
    assert AuditEntry.objects.count() == before + 1
    assert entry.purpose == "admin assessment list" and entry.record_kind == "party"
    assert entry.organisation_id == offices["own_org"].pk
    assert own["assessment"].party_id in entry.record_ids and set(entry.masked_ids) == set(entry.record_ids)
    # A service request's page (contact phone, answers) and a welfare enrolment's page (a name).
    client.get(reverse("admin:eservices_servicerequest_change", args=[own["request"].pk]))
    entry = AuditEntry.objects.order_by("-id").first()
    assert entry.record_kind == "service_request" and entry.record_ids == [own["request"].pk]
    client.get(reverse("admin:eservices_welfareenrolment_change", args=[own["enrolment"].pk]))
    entry = AuditEntry.objects.order_by("-id").first()
    assert entry.record_kind == "party" and entry.record_ids == [own["person"].pk]
    # The parties listed by an autocomplete search.
    answer = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "parcels", "model_name": "parcelright", "field_name": "party", "term": ""},
    )
    assert answer.status_code == 200 and answer.json()["results"]
    entry = AuditEntry.objects.order_by("-id").first()
    assert entry.purpose == "admin party autocomplete"
    # Nothing is logged for a page of the other office's row (it is "not there").
    count = AuditEntry.objects.count()
    client.get(reverse("admin:parcels_party_change", args=[offices["victim"]["person"].pk]))
    client.get(reverse("admin:parcels_party_history", args=[offices["victim"]["person"].pk]))
    assert AuditEntry.objects.count() == count


def test_superuser_sees_both_offices(client, offices, django_user_model):
    boss = django_user_model.objects.create_superuser("boss", password="x-Pass-2569!")
    client.force_login(boss)
    listing = client.get(reverse("admin:parcels_village_changelist"))
    assert listing.context["cl"].result_count == 2
    assert (
        client.get(reverse("admin:parcels_party_change", args=[offices["victim"]["person"].pk])).status_code
        == 200
    )


def test_an_admin_registered_later_is_scoped_too(rf, offices):
    """A plain ModelAdmin registered on the site is scoped without asking (here: installments,
    whose organisation is reached through their bill)."""
    admin.site.register(Installment, admin.ModelAdmin)
    try:
        model_admin = admin.site._registry[Installment]
        assert model_admin.scope_path() == "assessment__organisation"
        request = rf.get("/admin/taxes/installment/")
        request.user = offices["intruder"]
        shown = list(model_admin.get_queryset(request))
        assert shown and {i.assessment.organisation_id for i in shown} == {offices["own_org"].pk}
    finally:
        admin.site.unregister(Installment)


def test_a_project_model_without_organisation_must_say_so():
    assert check_admin_scopes() == []
    undeclared = with_scope(admin.ModelAdmin)(WelfareRule, admin.site)
    errors = check_admin_scopes(registry={WelfareRule: undeclared})
    assert [e.id for e in errors] == ["gis_portal.E101"]
