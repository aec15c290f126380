"""import_parcels / import_villages: all or nothing, every bad feature named, areas on the ellipsoid."""

from __future__ import annotations

import zipfile
from pathlib import Path

import geopandas as gpd
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from pyproj import Geod
from shapely.geometry import Polygon as ShapelyPolygon

from parcels.models import LandUsePortion, Parcel, Village
from tests.conftest import ORIGIN_E, ORIGIN_N

GEOD = Geod(ellps="WGS84")


def lot(x: float, y: float, w: float = 40, h: float = 30) -> ShapelyPolygon:
    e, n = ORIGIN_E + x, ORIGIN_N + y
    return ShapelyPolygon([(e, n), (e + w, n), (e + w, n + h), (e, n + h)])


def good_rows() -> list[dict]:
    """Six lots in a row along a road, in UTM 47N; neighbours share a boundary."""
    rows = []
    for i in range(6):
        rows.append(
            {
                "parcel_code": f"01A{i + 1:03d}",
                "doc_type": ["โฉนดที่ดิน", "ภ.บ.ท.5", "none", "ns3k", "ส.ป.ก.4-01", "pbt5"][i],
                "doc_number": f"{1200 + i}" if i % 2 == 0 else None,
                "village_no": 1,
                "declared_rai": 0,
                "declared_ngan": 3,
                "declared_wah": 0,
                "land_use": "residential" if i < 4 else "residential:60;other:40",
                "geometry": lot(i * 40, 0, 40, 30 + i * 5),
            }
        )
    return rows


def bad_rows() -> list[dict]:
    overlapping = {**good_rows()[0], "parcel_code": "01A101", "geometry": lot(20, 10, 40, 30)}
    # A bow-tie: the ring crosses itself, which no GIS accepts as a polygon.
    e, n = ORIGIN_E + 500, ORIGIN_N + 500
    bowtie = ShapelyPolygon([(e, n), (e + 40, n + 40), (e + 40, n), (e, n + 40)])
    invalid = {**good_rows()[0], "parcel_code": "01A102", "geometry": bowtie}
    return [*good_rows(), overlapping, invalid]


def write(tmp_path: Path, rows: list[dict], name: str, crs: str | None = "EPSG:32647") -> Path:
    frame = gpd.GeoDataFrame(rows, geometry="geometry", crs=crs)
    path = tmp_path / name
    if name.endswith(".zip"):
        shp_dir = tmp_path / "shp"
        shp_dir.mkdir()
        frame.to_file(shp_dir / "parcels.shp", engine="pyogrio", encoding="utf-8")
        with zipfile.ZipFile(path, "w") as zf:
            for part in shp_dir.iterdir():
                zf.write(part, part.name)
    else:
        frame.to_file(path, engine="pyogrio")
    return path


def run(*args: str) -> tuple[str, str]:
    from io import StringIO

    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_bad_file_names_every_bad_feature_and_writes_nothing(tmp_path, village):
    path = write(tmp_path, bad_rows(), "bad.gpkg")
    history_before = Parcel.history.count()
    from io import StringIO

    err = StringIO()
    with pytest.raises(CommandError) as excinfo:
        call_command("import_parcels", str(path), "--org", "pangmu", stdout=StringIO(), stderr=err)
    messages = err.getvalue()
    assert "feature 7 (01A101)" in messages and "overlap" in messages
    assert "feature 8 (01A102)" in messages and "invalid_geometry" in messages
    assert "Self-intersection" in messages
    assert "nothing was written" in str(excinfo.value)
    # The good features of the same file were not written either.
    assert Parcel.objects.count() == 0
    assert Parcel.history.count() == history_before
    assert LandUsePortion.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["good.gpkg", "good.geojson", "good.zip"])
def test_good_file_imports_every_parcel_with_ellipsoidal_areas(tmp_path, village, name):
    rows = good_rows()
    path = write(tmp_path, rows, name)
    out, _ = run("import_parcels", str(path), "--org", "pangmu")
    assert "imported 6 parcels" in out
    frame = gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:32647").to_crs(4326)
    assert Parcel.objects.count() == 6
    for row, geom in zip(rows, frame.geometry, strict=True):
        parcel = Parcel.objects.get(code=row["parcel_code"])
        expected = abs(GEOD.geometry_area_perimeter(geom)[0])
        assert parcel.area_m2 == pytest.approx(expected, rel=1e-3)
        assert parcel.village == village
        assert parcel.history.count() == 1
    assert Parcel.objects.get(code="01A001").doc_type == "chanote"
    assert Parcel.objects.get(code="01A002").doc_type == "pbt5"
    mixed = Parcel.objects.get(code="01A005")
    assert sorted((u.category, int(u.share_percent)) for u in mixed.land_uses.all()) == [
        ("other", 40),
        ("residential", 60),
    ]


@pytest.mark.django_db
def test_dry_run_writes_nothing(tmp_path, village):
    path = write(tmp_path, good_rows(), "good.gpkg")
    out, _ = run("import_parcels", str(path), "--org", "pangmu", "--dry-run")
    assert "would import 6 parcels" in out
    assert Parcel.objects.count() == 0


@pytest.mark.django_db
def test_file_without_crs_is_refused(tmp_path, village):
    rows = good_rows()
    path = write(tmp_path, rows, "nocrs.geojson", crs=None)
    # GeoJSON without a "crs" member is read as WGS 84 by GDAL; a CRS-less GeoPackage is the real case.
    path = write(tmp_path, rows, "nocrs.gpkg", crs=None)
    with pytest.raises(CommandError, match="does not declare its coordinate reference system"):
        run("import_parcels", str(path), "--org", "pangmu")
    assert Parcel.objects.count() == 0


@pytest.mark.django_db
def test_field_mapping_and_missing_field(tmp_path, village):
    rows = [{("PCODE" if k == "parcel_code" else k): v for k, v in r.items()} for r in good_rows()]
    path = write(tmp_path, rows, "renamed.gpkg")
    with pytest.raises(CommandError):
        run("import_parcels", str(path), "--org", "pangmu")
    out, _ = run("import_parcels", str(path), "--org", "pangmu", "--field", "parcel_code=PCODE")
    assert Parcel.objects.count() == 6, out


@pytest.mark.django_db
def test_duplicate_outside_and_existing_codes_are_named(tmp_path, village):
    path = write(tmp_path, good_rows(), "good.gpkg")
    run("import_parcels", str(path), "--org", "pangmu")
    far_away = {**good_rows()[0], "parcel_code": "02A001", "geometry": lot(-200_000, 0)}  # in Myanmar
    dup = {**good_rows()[0], "parcel_code": "01A001", "geometry": lot(0, 1000)}
    twice = [
        {**good_rows()[0], "parcel_code": "03A001", "geometry": lot(0, 2000)},
        {**good_rows()[0], "parcel_code": "03A001", "geometry": lot(0, 3000)},
    ]
    bad_doc = {**good_rows()[0], "parcel_code": "03A005", "doc_type": "papyrus", "geometry": lot(0, 4000)}
    path2 = tmp_path / "more"
    path2.mkdir()
    path2 = write(path2, [far_away, dup, *twice, bad_doc], "more.gpkg")
    from io import StringIO

    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_parcels", str(path2), "--org", "pangmu", stdout=StringIO(), stderr=err)
    text = err.getvalue()
    assert "feature 1 (02A001)" in text and "outside_organisation" in text
    assert "feature 2 (01A001)" in text and "already in the register" in text
    assert "feature 4 (03A001)" in text and "also used by feature 3" in text
    assert "feature 5 (03A005)" in text and "doc_type_unknown" in text
    assert Parcel.objects.count() == 6


@pytest.mark.django_db
def test_import_villages_all_or_nothing(tmp_path, pangmu):
    e, n = ORIGIN_E, ORIGIN_N
    rows = [
        {
            "village_no": 1,
            "name_th": "บ้านปางหมู",
            "name_en": "Ban Pang Mu",
            "geometry": ShapelyPolygon([(e, n), (e + 2000, n), (e + 2000, n + 2000), (e, n + 2000)]),
        },
        {
            "village_no": 2,
            "name_th": "บ้านสบสอย",
            "name_en": "Ban Sop Soi",
            "geometry": ShapelyPolygon(
                [(e + 2000, n), (e + 4000, n), (e + 4000, n + 2000), (e + 2000, n + 2000)]
            ),
        },
    ]
    overlapping = {
        "village_no": 3,
        "name_th": "บ้านซ้อน",
        "name_en": "",
        "geometry": ShapelyPolygon([(e + 1000, n), (e + 3000, n), (e + 3000, n + 100), (e + 1000, n + 100)]),
    }
    bad = write(tmp_path, [*rows, overlapping], "bad_villages.gpkg")
    with pytest.raises(CommandError):
        run("import_villages", str(bad), "--org", "pangmu")
    assert Village.objects.count() == 0
    good_dir = tmp_path / "g"
    good_dir.mkdir()
    out, _ = run("import_villages", str(write(good_dir, rows, "villages.gpkg")), "--org", "pangmu")
    assert "imported 2 villages" in out
    assert sorted(Village.objects.values_list("number", flat=True)) == [1, 2]
    assert Village.objects.get(number=1).area_m2 == pytest.approx(4_000_000, rel=2e-3)


@pytest.mark.django_db
def test_unknown_org_and_unreadable_file(tmp_path, pangmu):
    junk = tmp_path / "junk.gpkg"
    junk.write_bytes(b"this is not a geopackage")
    with pytest.raises(CommandError, match="Cannot read"):
        run("import_parcels", str(junk), "--org", "pangmu")
    with pytest.raises(CommandError, match="No organisation"):
        run("import_parcels", str(junk), "--org", "nowhere")
