"""Undo reverses only the user's own last change, shown first; retire needs a reason; a supervisor
restores a retired parcel; a retired parcel is found and shown with its history."""

from __future__ import annotations

import json

import pytest

from gis_portal import roles
from gis_portal.errors import ConflictError, DomainError, PermissionDeniedError
from parcels import services, undo
from parcels.models import Parcel, RegisterStatus
from tests.conftest import utm_line, utm_rect

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(make_user, pangmu):
    return make_user("editor", pangmu, roles.GIS_EDITOR)


@pytest.fixture
def colleague(make_user, pangmu):
    return make_user("colleague", pangmu, roles.GIS_EDITOR)


@pytest.fixture
def supervisor(make_user, pangmu):
    return make_user("head", pangmu, roles.REGISTER_SUPERVISOR)


def _state(parcel: Parcel) -> tuple:
    parcel.refresh_from_db()
    return (
        parcel.status,
        parcel.version,
        parcel.code,
        parcel.geom.wkt,
        Parcel.history.filter(id=parcel.pk).count(),
    )


def test_undo_on_an_untouched_parcel_changes_nothing(village, editor, colleague):
    imported = services.parcel_create(
        organisation=village.organisation, code="01A001", geom=utm_rect(0, 0, 40, 30)
    )
    mine = services.parcel_create(
        organisation=village.organisation, code="01A002", geom=utm_rect(40, 0, 40, 30), user=editor
    )
    for parcel, user, code in ((imported, editor, "not_your_change"), (mine, editor, "nothing_to_undo")):
        before = _state(parcel)
        with pytest.raises(DomainError) as exc:
            undo.undo_plan(parcel=parcel, user=user)
        assert exc.value.code == code
        with pytest.raises(DomainError):
            undo.undo_apply(parcel=parcel, user=user, expected_version=1, token="x")
        assert _state(parcel) == before


def test_undo_reverses_only_the_users_own_last_change(village, editor, colleague):
    parcel = services.parcel_create(
        organisation=village.organisation, code="01A001", geom=utm_rect(0, 0, 40, 30), user=editor
    )
    services.parcel_update(parcel=parcel, user=editor, expected_version=1, doc_number="111")
    services.parcel_update(parcel=parcel, user=colleague, expected_version=2, doc_number="222")
    with pytest.raises(DomainError) as exc:
        undo.undo_plan(parcel=parcel, user=editor)
    assert exc.value.code == "not_your_change" and "colleague" in exc.value.message_en
    plan = undo.undo_plan(parcel=parcel, user=colleague)
    assert plan.kind == "edit" and plan.changes == [{"field": "doc_number", "now": "222", "after": "111"}]
    assert "version 2" in plan.summary_en and "ฉบับที่ 2" in plan.summary_th
    back = undo.undo_apply(parcel=parcel, user=colleague, expected_version=3, token=plan.token)
    assert back.doc_number == "111" and back.version == 4
    # The colleague's change is undone; the next undo is the editor's own edit again.
    with pytest.raises(DomainError):
        undo.undo_plan(parcel=back, user=colleague)
    plan = undo.undo_plan(parcel=back, user=editor)
    assert plan.changes == [{"field": "doc_number", "now": "111", "after": ""}]


def test_what_was_shown_is_what_is_done(village, editor):
    parcel = services.parcel_create(
        organisation=village.organisation, code="01A001", geom=utm_rect(0, 0, 40, 30), user=editor
    )
    services.parcel_update(parcel=parcel, user=editor, expected_version=1, geom=utm_rect(0, 0, 35, 30))
    plan = undo.undo_plan(parcel=parcel, user=editor)
    assert [c["field"] for c in plan.changes] == ["geometry"] and plan.geometry_after[
        "type"
    ] == "MultiPolygon"
    # Something else changed after the plan was shown: the confirmation is refused, nothing written.
    services.parcel_update(parcel=parcel, user=editor, expected_version=2, doc_number="9")
    before = _state(parcel)
    with pytest.raises(ConflictError) as exc:
        undo.undo_apply(parcel=parcel, user=editor, expected_version=None, token=plan.token)
    assert (
        exc.value.code == "undo_changed" and exc.value.details["plan"]["changes"][0]["field"] == "doc_number"
    )
    assert _state(parcel) == before


def test_split_then_merge_undone_step_by_step_brings_the_original_back(village, editor):
    original = services.parcel_create(
        organisation=village.organisation, code="01A001", geom=utm_rect(0, 0, 80, 40), user=editor
    )
    left, right = services.parcel_split(
        parcel=original, line=utm_line((40, -10), (40, 50)), codes=["01A002", "01A003"], user=editor
    )
    merged = services.parcel_merge(parcels=[left, right], code="01A004", user=editor)
    plan = undo.undo_plan(parcel=merged, user=editor)
    assert (
        plan.kind == "merge" and plan.retire == ["01A004"] and sorted(plan.reactivate) == ["01A002", "01A003"]
    )
    undo.undo_apply(parcel=merged, user=editor, expected_version=1, token=plan.token)
    left.refresh_from_db()
    plan = undo.undo_plan(parcel=left, user=editor)
    assert plan.kind == "split" and plan.reactivate == ["01A001"]
    undo.undo_apply(parcel=left, user=editor, expected_version=left.version, token=plan.token)
    statuses = dict(Parcel.objects.values_list("code", "status"))
    assert statuses == {"01A001": "active", "01A002": "retired", "01A003": "retired", "01A004": "retired"}
    # Asked on the retired original instead, the same split is undone (it was the editor's step).
    again = services.parcel_split(
        parcel=Parcel.objects.get(pk=original.pk),
        line=utm_line((40, -10), (40, 50)),
        codes=["01A005", "01A006"],
        user=editor,
    )
    plan = undo.undo_plan(parcel=Parcel.objects.get(pk=original.pk), user=editor)
    assert plan.kind == "split" and sorted(plan.retire) == sorted(p.code for p in again)


def test_retire_needs_a_reason_and_a_supervisor_restores(client, village, editor, supervisor):
    parcel = services.parcel_create(
        organisation=village.organisation, code="01A001", geom=utm_rect(0, 0, 40, 30), user=editor
    )
    for bad in ("", "   ", None, 5, "x" * 301, "a\x00b"):
        with pytest.raises(DomainError):
            undo.parcel_retire_with_reason(parcel=parcel, user=editor, reason=bad, expected_version=1)
    retired = undo.parcel_retire_with_reason(
        parcel=parcel, user=editor, reason="ซ้ำกับแปลง 01A009", expected_version=1
    )
    assert retired.status == RegisterStatus.RETIRED
    # Undo does not bring it back; only a supervisor's restore, with a reason.
    with pytest.raises(DomainError) as exc:
        undo.undo_plan(parcel=retired, user=editor)
    assert exc.value.code == "nothing_to_undo"
    with pytest.raises(PermissionDeniedError):
        undo.parcel_restore(parcel=retired, user=editor, reason="ผิดพลาด")
    with pytest.raises(DomainError):
        undo.parcel_restore(parcel=retired, user=supervisor, reason="")
    back = undo.parcel_restore(parcel=retired, user=supervisor, reason="ยกเลิกผิดแปลง", expected_version=2)
    assert back.status == RegisterStatus.ACTIVE and back.retired_at is None and back.version == 3
    reasons = list(
        Parcel.history.filter(id=parcel.pk)
        .order_by("history_date")
        .values_list("history_change_reason", flat=True)
    )
    assert reasons[-2:] == ["retire: ซ้ำกับแปลง 01A009", "restore: ยกเลิกผิดแปลง"]


def test_restore_refused_where_the_place_is_taken(village, editor, supervisor):
    old = services.parcel_create(
        organisation=village.organisation, code="01A001", geom=utm_rect(0, 0, 40, 30), user=editor
    )
    undo.parcel_retire_with_reason(parcel=old, user=editor, reason="แทนที่ด้วยแปลงใหม่", expected_version=1)
    services.parcel_create(
        organisation=village.organisation, code="01A002", geom=utm_rect(0, 0, 40, 30), user=editor
    )
    with pytest.raises(DomainError) as exc:
        undo.parcel_restore(parcel=Parcel.objects.get(pk=old.pk), user=supervisor, reason="กลับมา")
    assert "01A002" in exc.value.message_en
    assert Parcel.objects.get(pk=old.pk).status == RegisterStatus.RETIRED


def test_retired_parcel_is_found_shown_and_restored_on_the_map(client, village, editor, supervisor):
    parcel = services.parcel_create(
        organisation=village.organisation, code="01A001", geom=utm_rect(0, 0, 40, 30), user=editor
    )
    undo.parcel_retire_with_reason(parcel=parcel, user=editor, reason="สำรวจซ้ำ", expected_version=1)
    client.force_login(supervisor)
    found = client.get("/map/api/search/", {"q": "01A001"}).json()["results"]
    assert [(r["id"], r["match"]) for r in found] == [(parcel.pk, "retired")]
    panel = client.get(f"/map/api/panel/parcels/{parcel.pk}/").json()
    assert (
        panel["status"] == "retired" and panel["retire_reason"] == "retire: สำรวจซ้ำ" and panel["can_restore"]
    )
    assert [h["reason"] for h in panel["history"]][:1] == ["retire: สำรวจซ้ำ"]
    client.force_login(editor)
    assert client.get(f"/map/api/panel/parcels/{parcel.pk}/").json()["can_restore"] is False
    body = json.dumps({"version": 2, "reason": "ยกเลิกผิด"})
    assert (
        client.post(
            f"/map/api/parcels/{parcel.pk}/restore/", body, content_type="application/json"
        ).status_code
        == 403
    )
    client.force_login(supervisor)
    answer = client.post(f"/map/api/parcels/{parcel.pk}/restore/", body, content_type="application/json")
    assert answer.status_code == 200 and answer.json()["status"] == "active"
