"""A small register with imagery over it, a GIS editor, and packet helpers."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from PIL import Image

from drone_ingest.demo import ingest_demo_orthomosaic
from fieldwork.packets import build_packet, request_packet
from gis_portal import roles
from tests.api.conftest import other_register, register  # noqa: F401  (fixtures)


@pytest.fixture
def storage(settings, tmp_path):  # noqa: ANN001, ANN201
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.IMAGERY_ROOT = str(tmp_path / "imagery")
    return tmp_path


@pytest.fixture
def field_register(register, pangmu, storage):  # noqa: ANN001, ANN201, F811
    """The API tests' register of Pang Mu (village 1) with a demo orthomosaic over it."""
    ortho = ingest_demo_orthomosaic(pangmu, progress=lambda _m: None, resolution=0.5, max_side_m=400)
    return {**register, "ortho": ortho}


@pytest.fixture
def field_editor(make_user, pangmu):  # noqa: ANN001, ANN201
    return make_user("field-editor", pangmu, roles.GIS_EDITOR)


def make_packet(organisation, village, user, team: str = "ทีม ก"):  # noqa: ANN001, ANN201
    packet = request_packet(organisation=organisation, village=village, user=user, team=team)
    return build_packet(packet.pk)


def unpack(packet, target: Path) -> Path:  # noqa: ANN001
    """The packet's folder, unzipped under ``target`` (as the team copies it to a phone)."""
    from django.core.files.storage import default_storage

    with default_storage.open(packet.file_name, "rb") as f, zipfile.ZipFile(f) as archive:
        archive.extractall(target)
    return target / packet.slug


def zip_folder(folder: Path, target: Path) -> Path:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, f"{folder.name}/{path.relative_to(folder)}")
    return target


def jpeg(path: Path, colour: tuple[int, int, int] = (200, 120, 40)) -> Path:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(out, "JPEG")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(out.getvalue())
    return path


def edit_gpkg(path: Path, layer: str, src_id: int, **values: object) -> None:
    """Change attributes of one feature in place with OGR's SQL (``ogrinfo -sql``), the fid kept."""
    import subprocess

    def literal(value: object) -> str:
        if value is None:
            return "NULL"
        if isinstance(value, int | float):
            return repr(value)
        return "'" + str(value).replace("'", "''") + "'"

    assignments = ", ".join(f'"{name}" = {literal(value)}' for name, value in values.items())
    sql = f'UPDATE "{layer}" SET {assignments} WHERE src_id = {int(src_id)}'  # noqa: S608 (test: fixed names)
    done = subprocess.run(["ogrinfo", str(path), "-sql", sql], capture_output=True, text=True, check=False)
    assert done.returncode == 0 and "ERROR" not in done.stderr, done.stderr


@pytest.fixture
def packet_of(storage, field_editor):  # noqa: ANN001, ANN201
    """``packet_of(organisation, village, user=None)``: a ready packet (no imagery: fast)."""

    def make(organisation, village, user=None):  # noqa: ANN001, ANN202
        return make_packet(organisation, village, user or field_editor)

    return make
