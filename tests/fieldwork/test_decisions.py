"""What a person decides after a check-in: removals, new households, conflicts kept or taken."""

from __future__ import annotations

import subprocess

import pytest

from fieldwork.checkin import check_in
from fieldwork.decisions import accept_draft, reject_draft, resolve_conflict
from fieldwork.models import ItemKind, ItemStatus
from gis_portal import roles
from gis_portal.errors import ConflictError, DomainError
from parcels import services
from parcels.models import Building, Household

from .conftest import edit_gpkg, unpack

pytestmark = pytest.mark.django_db


def ogr(gpkg, sql: str) -> None:  # noqa: ANN001
    done = subprocess.run(["ogrinfo", str(gpkg), "-sql", sql], capture_output=True, text=True, check=False)
    assert done.returncode == 0 and "ERROR" not in done.stderr, done.stderr


@pytest.fixture
def back(register, pangmu, packet_of, tmp_path):  # noqa: ANN001, ANN201
    packet = packet_of(pangmu, register["village"])
    return packet, unpack(packet, tmp_path / "phone") / f"{packet.slug}.gpkg"


def test_removal_and_new_household_are_drafts_until_decided(back, register, pangmu, field_editor, make_user):
    packet, gpkg = back
    grid = register["grid"]
    ogr(gpkg, f"DELETE FROM buildings WHERE src_id = {register['shop'].pk}")  # noqa: S608
    inside, outside = grid.point(30, 30), grid.point(5000, 5000)
    for number, point in (("99", inside), ("100", outside)):
        ogr(gpkg, f"INSERT INTO households (house_number, geom) VALUES ('{number}', GeomFromText('{point.wkt}', 4326))")  # noqa: S608, E501
    checkin = check_in(path=gpkg, file_name=gpkg.name, organisation=pangmu, user=field_editor)
    items = list(checkin.items.order_by("fid"))
    removal = next(i for i in items if i.kind == ItemKind.REMOVE)
    new_inside, new_outside = [i for i in items if i.kind == ItemKind.NEW]
    assert removal.status == new_inside.status == new_outside.status == ItemStatus.DRAFT
    assert not new_inside.error_code and new_outside.error_code == "household_outside_villages"
    assert Building.objects.get(pk=register["shop"].pk).status == "active"  # nothing retired yet
    # A surveyor sees the check-in but does not decide.
    with pytest.raises(DomainError) as refused:
        accept_draft(removal, make_user("surveyor", pangmu, roles.SURVEYOR))
    assert refused.value.status_code == 403
    accept_draft(removal, field_editor)
    assert Building.objects.get(pk=register["shop"].pk).status == "retired"
    accept_draft(new_inside, field_editor)
    new_inside.refresh_from_db()
    made = Household.objects.get(pk=new_inside.result_id)
    assert (made.house_number, made.village, made.status) == ("99", register["village"], "active")
    assert Household.history.filter(id=made.pk).get().history_user == field_editor
    with pytest.raises(DomainError) as outside_error:
        accept_draft(new_outside, field_editor)  # the register's own rule refuses it
    assert outside_error.value.code == "household_outside_villages"
    reject_draft(new_outside, field_editor)
    new_outside.refresh_from_db()
    assert new_outside.status == ItemStatus.REJECTED
    with pytest.raises(DomainError, match="already decided"):
        accept_draft(new_outside, field_editor)


def test_conflict_kept_or_taken_and_a_second_office_change(back, register, pangmu, field_editor):
    packet, gpkg = back
    house, shop = register["house"], register["shop"]
    edit_gpkg(gpkg, "buildings", house.pk, material="mixed")
    edit_gpkg(gpkg, "buildings", shop.pk, year_built=2016)
    services.building_update(building=house, user=field_editor, storeys=2, reason="office")
    services.building_update(building=shop, user=field_editor, material="steel", reason="office")
    checkin = check_in(path=gpkg, file_name=gpkg.name, organisation=pangmu, user=field_editor)
    conflicts = {i.src_id: i for i in checkin.items.filter(status=ItemStatus.CONFLICT)}
    assert set(conflicts) == {house.pk, shop.pk}
    history = Building.history.count()
    resolve_conflict(conflicts[house.pk], field_editor, take="office", seen_version=None)
    assert Building.history.count() == history  # keeping the office's version writes nothing
    # The office changes the shop once more after the page was shown: taking the field's is refused.
    seen = conflicts[shop.pk].office_version
    services.building_update(building=shop, user=field_editor, storeys=4, reason="office again")
    with pytest.raises(ConflictError):
        resolve_conflict(conflicts[shop.pk], field_editor, take="field", seen_version=seen)
    resolve_conflict(conflicts[shop.pk], field_editor, take="field", seen_version=seen + 1)
    shop.refresh_from_db()
    house.refresh_from_db()
    assert (shop.material, shop.storeys, shop.year_built) == ("steel", 4, 2016)
    assert (house.material, house.storeys) == ("wood", 2)
