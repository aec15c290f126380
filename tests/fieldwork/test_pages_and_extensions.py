"""The field work pages (scoped to the user's organisations), the commands, and the extension point
for further packet layers."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.management import call_command

from fieldwork import extensions
from fieldwork.checkin import check_in
from fieldwork.models import FieldPacket, ItemStatus, PacketStatus
from fieldwork.schema import Column, LayerSpec
from gis_portal import roles
from gis_portal.celery import app
from gis_portal.errors import DomainError
from tests.api.register import village_of

from .conftest import edit_gpkg, jpeg, unpack, zip_folder

pytestmark = pytest.mark.django_db


@pytest.fixture
def eager():  # noqa: ANN201
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


def test_make_list_download_and_scope(
    client,
    register,
    other_register,
    pangmu,
    mokchampae,
    field_editor,
    make_user,
    storage,
    eager,
    django_capture_on_commit_callbacks,
):
    client.force_login(field_editor)
    village = register["village"]
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(
            "/fieldwork/packets/", {"organisation": "pangmu", "village": village.pk, "team": "ทีม ค"}
        )
    packet = FieldPacket.objects.get()
    assert answer.status_code == 302 and answer["Location"] == f"/fieldwork/packets/{packet.pk}/"
    assert packet.status == PacketStatus.READY and packet.team == "ทีม ค"
    index = client.get("/fieldwork/").content.decode()
    assert f"#{packet.pk}" in index and "ทีม ค" in index and "out in the field" in index
    assert "หมู่ 1" in index and mokchampae.name_th not in index
    zipped = client.get(f"/fieldwork/packets/{packet.pk}/download")
    assert zipped.status_code == 200
    names = zipfile.ZipFile(io.BytesIO(b"".join(zipped.streaming_content))).namelist()
    assert f"{packet.slug}/{packet.slug}.qgz" in names and f"{packet.slug}/{packet.slug}.gpkg" in names
    # Another organisation's village cannot be packed; their editor cannot see ours.
    other = village_of(mokchampae)
    assert (
        client.post("/fieldwork/packets/", {"organisation": "mokchampae", "village": other.pk}).status_code
        == 403
    )
    stranger = make_user("their-editor", mokchampae, roles.GIS_EDITOR)
    client.force_login(stranger)
    assert client.get(f"/fieldwork/packets/{packet.pk}/").status_code == 404
    assert client.get(f"/fieldwork/packets/{packet.pk}/download").status_code == 404
    assert f"#{packet.pk}" not in client.get("/fieldwork/").content.decode()
    # A viewer has no field work role: nothing listed, nothing made.
    client.force_login(make_user("just-viewer", pangmu, roles.VIEWER))
    assert "ทีม ค" not in client.get("/fieldwork/").content.decode()
    assert (
        client.post("/fieldwork/packets/", {"organisation": "pangmu", "village": village.pk}).status_code
        == 403
    )


def test_upload_page_answers_json_errors_and_results(
    client, register, pangmu, field_editor, packet_of, tmp_path
):
    packet = packet_of(pangmu, register["village"])
    other = packet_of(pangmu, register["village"])
    folder = unpack(packet, tmp_path / "phone")
    gpkg = folder / f"{packet.slug}.gpkg"
    client.force_login(field_editor)
    cut = io.BytesIO(gpkg.read_bytes()[:8192])
    cut.name = "cut.gpkg"
    answer = client.post(f"/fieldwork/packets/{packet.pk}/checkin", {"file": cut})
    assert answer.status_code == 400 and answer.json()["code"] == "gpkg_truncated"
    assert answer.json()["message_th"] and answer.json()["message_en"]
    with gpkg.open("rb") as f:
        answer = client.post(f"/fieldwork/packets/{other.pk}/checkin", {"file": f})
    assert answer.status_code == 400 and answer.json()["code"] == "packet_mismatch"
    edit_gpkg(gpkg, "buildings", register["house"].pk, material="steel", photo="DCIM/roof.jpg")
    jpeg(folder / "DCIM" / "roof.jpg")
    with zip_folder(folder, tmp_path / "back.zip").open("rb") as f:
        answer = client.post(f"/fieldwork/packets/{packet.pk}/checkin", {"file": f})
    assert answer.status_code == 201, answer.content
    assert answer.json()["counts"]["merged"] == 1 and answer.json()["counts"]["photos"] == 1
    page = client.get(f"/fieldwork/packets/{packet.pk}/").content.decode()
    assert "item-merged" in page and "checked in" in page
    item = packet.checkin.items.get()
    photo = item.photos.get()
    assert client.get(f"/fieldwork/items/{item.pk}/").status_code == 200
    assert client.get(f"/fieldwork/photos/{photo.pk}")["Content-Type"] == "image/jpeg"


def test_commands(register, pangmu, field_editor, storage, tmp_path, capsys):
    out = tmp_path / "packet.zip"
    call_command("field_packet", str(out), "--org", "pangmu", "--village", "1", "--user", "field-editor")
    assert "basemap none" in capsys.readouterr().out
    with zipfile.ZipFile(out) as archive:
        archive.extractall(tmp_path / "phone")
    packet = FieldPacket.objects.get()
    gpkg = tmp_path / "phone" / packet.slug / f"{packet.slug}.gpkg"
    edit_gpkg(gpkg, "households", register["household"].pk, house_number="")
    call_command("field_checkin", str(gpkg), "--org", "pangmu", "--user", "field-editor")
    printed = capsys.readouterr().out
    assert "refused" in printed and "house number" in printed.lower()
    with pytest.raises(Exception, match="already checked in"):
        call_command("field_checkin", str(gpkg), "--org", "pangmu", "--user", "field-editor")


def test_an_extra_layer_rides_along(register, pangmu, field_editor, packet_of, tmp_path):
    """A layer registered by another app is written, read back and handed its changes."""
    decided: list[tuple[int, str]] = []
    grid = register["grid"]
    spec = LayerSpec(
        "candidates",
        "อาคารที่พบจากภาพ / Candidates",
        "MultiPolygon",
        [
            Column("src_id", "int", "รหัส / id"),
            Column(
                "decision",
                "text",
                "ผล / decision",
                True,
                [("confirm", "ยืนยัน / confirm"), ("reject", "ไม่ใช่ / reject")],
            ),
        ],
    )

    def rows(village):  # noqa: ANN001, ANN202
        return [{"src_id": 77, "version": 1, "decision": None, "wkb": bytes(grid.rect(300, 0, 8, 8).wkb)}]

    def on_change(change, user, reason):  # noqa: ANN001, ANN202
        if change.field_values["decision"] == "reject":
            raise DomainError("not_now", "Refused by the layer's owner", "ไม่รับ")
        decided.append((change.src_id, change.field_values["decision"]))

    extensions.register_layer(extensions.PacketLayer(spec, rows, on_change))
    try:
        packet = packet_of(pangmu, register["village"])
        assert packet.counts["candidates"] == 1
        gpkg = unpack(packet, tmp_path / "phone") / f"{packet.slug}.gpkg"
        edit_gpkg(gpkg, "candidates", 77, decision="confirm")
        checkin = check_in(path=gpkg, file_name=gpkg.name, organisation=pangmu, user=field_editor)
        (item,) = checkin.items.all()
        assert (item.layer, item.status) == ("candidates", ItemStatus.MERGED) and decided == [(77, "confirm")]
    finally:
        extensions._LAYERS.pop("candidates", None)
