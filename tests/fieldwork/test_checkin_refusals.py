"""A check-in is all or nothing for errors of the packet: each refusal is clear and writes nothing."""

from __future__ import annotations

import shutil
import sqlite3
import zipfile

import pytest
from django.core.files.storage import default_storage

from fieldwork.checkin import check_in
from fieldwork.models import CheckIn, CheckInItem, FieldPhoto, ItemStatus
from gis_portal import roles
from gis_portal.errors import DomainError
from parcels.models import Building, Household, LandUsePortion, Parcel
from tests.api.register import village_of

from .conftest import edit_gpkg, jpeg, unpack, zip_folder

pytestmark = pytest.mark.django_db


def written() -> tuple[int, ...]:
    """Everything a check-in could write."""
    return (
        CheckIn.objects.count(),
        CheckInItem.objects.count(),
        FieldPhoto.objects.count(),
        Building.history.count(),
        Household.history.count(),
        Parcel.history.count(),
        LandUsePortion.history.count(),
    )


def refused(code: str, path, organisation, user, name: str = "back.gpkg") -> DomainError:  # noqa: ANN001
    before = written()
    with pytest.raises(DomainError) as caught:
        check_in(path=path, file_name=name, organisation=organisation, user=user)
    assert caught.value.code == code, caught.value.as_dict()
    assert caught.value.message_th and caught.value.message_en
    assert written() == before, "a refused check-in wrote something"
    return caught.value


@pytest.fixture
def packet(register, pangmu, packet_of):  # noqa: ANN001, ANN201
    return packet_of(pangmu, register["village"])


@pytest.fixture
def folder(packet, tmp_path):  # noqa: ANN001, ANN201
    return unpack(packet, tmp_path / "phone")


def test_replay_is_refused_and_writes_nothing(packet, folder, register, pangmu, field_editor):
    gpkg = folder / f"{packet.slug}.gpkg"
    edit_gpkg(gpkg, "buildings", register["house"].pk, material="concrete")
    first = check_in(path=gpkg, file_name=gpkg.name, organisation=pangmu, user=field_editor)
    assert first.counts["merged"] == 1
    error = refused("packet_already_checked_in", gpkg, pangmu, field_editor)
    assert f"#{packet.pk}" in error.message_en and "field-editor" in error.message_en
    # A copy edited again after the check-in is the same packet: refused as well.
    edit_gpkg(gpkg, "buildings", register["house"].pk, material="wood")
    refused("packet_already_checked_in", gpkg, pangmu, field_editor)


def test_another_organisations_packet_is_refused(
    register, other_register, pangmu, mokchampae, make_user, packet_of, field_editor, tmp_path
):
    theirs = packet_of(
        mokchampae, village_of(mokchampae), make_user("their-editor", mokchampae, roles.GIS_EDITOR)
    )
    gpkg = unpack(theirs, tmp_path / "theirs") / f"{theirs.slug}.gpkg"
    edit_gpkg(gpkg, "buildings", other_register["house"].pk, material="concrete")
    error = refused("packet_other_org", gpkg, pangmu, field_editor)
    assert "mokchampae" in error.message_en
    # Nor can a Pang Mu editor check it in under Mok Champae: no role there.
    refused("forbidden", gpkg, mokchampae, field_editor)


def test_truncated_and_damaged_geopackages_are_refused(packet, folder, pangmu, field_editor, tmp_path):
    gpkg = folder / f"{packet.slug}.gpkg"
    data = gpkg.read_bytes()
    cut = tmp_path / "cut.gpkg"
    cut.write_bytes(data[: len(data) // 2])
    error = refused("gpkg_truncated", cut, pangmu, field_editor)
    assert "cut short" in error.message_en and "ไม่ครบ" in error.message_th
    cut.write_bytes(data[:60])
    refused("file_type", cut, pangmu, field_editor)
    # Cut inside a zip of the folder: the zip itself is unreadable.
    whole = zip_folder(folder, tmp_path / "back.zip")
    broken = tmp_path / "broken.zip"
    broken.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    refused("unreadable_file", broken, pangmu, field_editor, "broken.zip")
    # Pages overwritten with garbage (size intact): SQLite's own check finds it.
    damaged = tmp_path / "damaged.gpkg"
    body = bytearray(data)
    body[4096 * 2 : 4096 * 6] = b"\xa5" * (4096 * 4)
    damaged.write_bytes(bytes(body))
    refused("gpkg_damaged", damaged, pangmu, field_editor)


def test_not_a_packet_or_altered_identity_is_refused(packet, folder, pangmu, field_editor, tmp_path):
    gpkg = folder / f"{packet.slug}.gpkg"
    stranger = tmp_path / "stranger.gpkg"
    shutil.copy(gpkg, stranger)
    con = sqlite3.connect(stranger)
    with con:
        con.execute("DELETE FROM packet_info")
    con.close()
    refused("not_a_packet", stranger, pangmu, field_editor)
    forged = tmp_path / "forged.gpkg"
    shutil.copy(gpkg, forged)
    con = sqlite3.connect(forged)
    with con:
        con.execute("UPDATE packet_info SET village_no = village_no + 1")
    con.close()
    refused("packet_signature", forged, pangmu, field_editor)
    text = tmp_path / "notes.txt"
    text.write_text("not a packet")
    refused("file_type", text, pangmu, field_editor, "notes.txt")


def test_photo_named_but_not_uploaded_is_refused(packet, folder, register, pangmu, field_editor, tmp_path):
    gpkg = folder / f"{packet.slug}.gpkg"
    edit_gpkg(gpkg, "households", register["household"].pk, photo="DCIM/door.jpg")
    error = refused("photo_missing", gpkg, pangmu, field_editor)
    assert "DCIM/door.jpg" in error.message_en
    # With the folder zipped (the photo in DCIM/) it goes in and the photo stays with the household.
    jpeg(folder / "DCIM" / "door.jpg")
    checkin = check_in(
        path=zip_folder(folder, tmp_path / "b.zip"), file_name="b.zip", organisation=pangmu, user=field_editor
    )
    (item,) = checkin.items.all()
    assert item.status == ItemStatus.NOTED  # a photo only: nothing to write in the register
    (photo,) = FieldPhoto.objects.all()
    assert (photo.layer, photo.feature_id) == ("households", register["household"].pk)
    assert default_storage.exists(photo.file.name)


def test_a_refused_change_does_not_stop_the_others(packet, folder, register, pangmu, field_editor, tmp_path):
    """Rules refuse one feature's change (kept with the reason); the packet's other changes merge."""
    gpkg = folder / f"{packet.slug}.gpkg"
    edit_gpkg(gpkg, "buildings", register["house"].pk, storeys=2)
    edit_gpkg(gpkg, "buildings", register["shop"].pk, material="marble")  # not a material of the list
    edit_gpkg(
        gpkg,
        "parcels",
        register["home"].pk,
        land_use="agricultural",
        land_use_2="residential",
        land_use_2_pct=30,
    )
    edit_gpkg(gpkg, "households", register["household"].pk, note="ไม่มีคนอยู่ / nobody home", members_seen=0)
    checkin = check_in(path=gpkg, file_name=gpkg.name, organisation=pangmu, user=field_editor)
    items = {(i.layer, i.src_id): i for i in checkin.items.all()}
    assert items[("buildings", register["house"].pk)].status == ItemStatus.MERGED
    shop = items[("buildings", register["shop"].pk)]
    assert shop.status == ItemStatus.REFUSED and "marble" in shop.error_en
    assert items[("parcels", register["home"].pk)].status == ItemStatus.MERGED
    assert items[("households", register["household"].pk)].status == ItemStatus.NOTED
    uses = dict(register["home"].land_uses.values_list("category", "share_percent"))
    assert uses == {"agricultural": 70, "residential": 30}
    register["shop"].refresh_from_db()
    assert register["shop"].material == "concrete"


def test_unsafe_zip_is_refused(packet, folder, pangmu, field_editor, tmp_path):
    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(bad, "w") as archive:
        archive.write(folder / f"{packet.slug}.gpkg", f"{packet.slug}/{packet.slug}.gpkg")
        archive.writestr("../../etc/evil.jpg", b"x")
    refused("file_type", bad, pangmu, field_editor, "bad.zip")
