"""The whole trip of a village packet: made, opened and edited in QGIS (PyQGIS 3.22), checked in.

The field team changes a building's material, adds a building, moves a household and attaches a
photo, while the office changes one of the same buildings: the check-in merges the rest and lists
exactly that one conflict.
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.contrib.gis.geos import GEOSGeometry

from fieldwork.checkin import check_in
from fieldwork.models import CheckIn, CheckInItem, FieldPhoto, ItemStatus, PacketStatus
from parcels import services
from parcels.models import Building, Household
from tests.pyqgis import run_pyqgis

from .conftest import jpeg, make_packet, unpack, zip_folder

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_packet_opens_in_qgis_edits_and_checks_in(field_register, pangmu, field_editor, tmp_path):
    reg = field_register
    packet = make_packet(pangmu, reg["village"], field_editor)
    assert packet.status == PacketStatus.READY, packet.error_en
    assert packet.counts == {"parcels": 4, "buildings": 2, "households": 1}
    assert packet.basemap["present"] and packet.basemap["tiles"] > 0
    folder = unpack(packet, tmp_path / "phone")
    project = folder / f"{packet.slug}.qgz"

    # QGIS reads the project, every layer and the basemap.
    opened = run_pyqgis("open_packet.py", str(project), str(tmp_path / "render.png"))
    assert opened["read"] and opened["crs"] == "EPSG:3857"
    layers = {layer["id"]: layer for layer in opened["layers"]}
    assert set(layers) == {"parcels_packet", "buildings_packet", "households_packet", "basemap_packet"}
    assert all(layer["valid"] for layer in layers.values())
    for name, count in packet.counts.items():
        assert layers[f"{name}_packet"]["features"] == count and layers[f"{name}_packet"]["geometry_ok"]
    buildings = layers["buildings_packet"]["fields"]
    assert buildings["material"]["widget"] == "ValueMap"
    assert buildings["material"]["values"]["wood"] == "ไม้ / wood"
    assert buildings["storeys"]["values"]["2"] == "2 ชั้น / 2 storeys"
    assert buildings["building_type"]["not_null"] and buildings["src_id"]["read_only"]
    assert buildings["photo"]["widget"] == "ExternalResource" and buildings["photo"]["relative"] == 1
    assert layers["parcels_packet"]["fields"]["land_use"]["values"]["vacant"].startswith("รกร้างว่างเปล่า")
    assert layers["households_packet"]["fields"]["head_name"]["read_only"]
    basemap = layers["basemap_packet"]
    assert basemap["bands"] == 4 and basemap["pyramids"] >= 1 and basemap["centre_opaque_pixels"] > 0
    assert opened["render"]["distinct_colours"] > 50 and not opened["render"]["errors"]

    # In the field (QGIS/QField): edits through the layers' edit buffers, and a photo in DCIM/.
    house, shop, household, farm = reg["house"], reg["shop"], reg["household"], reg["farm"]
    jpeg(folder / "DCIM" / "house-front.jpg")
    new_footprint = reg["grid"].rect(220, 20, 10, 8)
    moved = reg["grid"].point(18, 77)
    edits = [
        {
            "layer": "buildings",
            "src_id": house.pk,
            "set": {"material": "concrete", "photo": "DCIM/house-front.jpg"},
        },
        {"layer": "buildings", "src_id": shop.pk, "set": {"material": "steel"}},
        {
            "layer": "buildings",
            "add": {
                "wkt": new_footprint.wkt,
                "set": {"building_type": "barn", "material": "bamboo", "storeys": 1},
            },
        },
        {"layer": "households", "src_id": household.pk, "move_to": [moved.x, moved.y]},
    ]
    (tmp_path / "edits.json").write_text(json.dumps(edits))
    assert len(run_pyqgis("field_edits.py", str(project), str(tmp_path / "edits.json"))["done"]) == 4

    # Meanwhile in the office: the shop gets a third storey.
    services.building_update(building=shop, user=field_editor, storeys=3, reason="office survey")

    upload = zip_folder(folder, tmp_path / "back.zip")
    checkin = check_in(path=upload, file_name="back.zip", organisation=pangmu, user=field_editor)
    items = {(i.layer, i.src_id): i for i in checkin.items.all()}
    conflicts = [i for i in items.values() if i.status == ItemStatus.CONFLICT]
    assert [(c.layer, c.src_id) for c in conflicts] == [("buildings", shop.pk)]
    assert conflicts[0].field_values["material"] == "steel" and conflicts[0].office_values["storeys"] == 3
    assert items[("buildings", house.pk)].status == ItemStatus.MERGED
    assert items[("households", household.pk)].status == ItemStatus.MERGED
    (draft,) = [i for i in items.values() if i.src_id is None]
    assert draft.layer == "buildings" and draft.status == ItemStatus.DRAFT and not draft.error_code
    assert checkin.counts["merged"] == 2 and checkin.counts["conflict"] == 1 and checkin.counts["draft"] == 1

    house.refresh_from_db()
    shop.refresh_from_db()
    household.refresh_from_db()
    assert house.material == "concrete"
    assert (shop.material, shop.storeys) == ("concrete", 3)  # not overwritten: the conflict waits
    assert household.location.distance(moved) < 1e-9
    record = Building.history.filter(id=house.pk).latest("history_date")
    assert (
        record.history_user == field_editor
        and record.history_change_reason == f"field packet #{packet.pk} check-in"
    )
    assert Household.history.filter(id=household.pk).latest("history_date").history_user == field_editor
    assert Building.objects.filter(parcel=farm).count() == 0  # a draft, not in the register yet
    (photo,) = FieldPhoto.objects.all()
    assert (photo.layer, photo.feature_id, photo.original_path) == (
        "buildings",
        house.pk,
        "DCIM/house-front.jpg",
    )
    assert photo.file.read()[:2] == b"\xff\xd8"

    # Replaying the same upload is refused, and nothing is written.
    history_rows = Building.history.count() + Household.history.count()
    with pytest.raises(Exception, match="already checked in"):
        check_in(path=upload, file_name="back.zip", organisation=pangmu, user=field_editor)
    assert CheckIn.objects.count() == 1 and CheckInItem.objects.count() == len(items)
    assert Building.history.count() + Household.history.count() == history_rows

    # The draft goes through the register's rules when accepted.
    from fieldwork.decisions import accept_draft

    accept_draft(draft, field_editor)
    draft.refresh_from_db()
    made = Building.objects.get(pk=draft.result_id)
    assert made.parcel == farm and made.material == "bamboo" and made.floor_area_m2 > Decimal(70)
    assert GEOSGeometry(made.footprint).equals_exact(new_footprint, 1e-9)
