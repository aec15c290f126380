"""Uploads are opened only by the GDAL drivers / Pillow decoders we expect; CRSs only from the allow-list.

Each test hands the real reader a file that some other GDAL driver (or Pillow plugin) could read,
or a CRS outside the list, and checks it is refused with a clear code and nothing is kept.
"""

from __future__ import annotations

import datetime as dt
import http.server
import io
import json
import threading
import zipfile
from pathlib import Path

import geopandas as gpd
import pytest
import rasterio
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from PIL import Image
from rasterio.errors import RasterioIOError
from shapely.geometry import Polygon as ShapelyPolygon

from drone_ingest import raster, services
from drone_ingest.models import Orthomosaic
from eservices.services import photo_clean
from gis_portal.crs import epsg_of_declared, parse_epsg
from gis_portal.errors import DomainError, ValidationProblems
from parcels.importers import import_parcels, read_vector_file
from parcels.models import Parcel
from parcels.tabular import read_table
from tests.conftest import ORIGIN_E, ORIGIN_N
from tests.drone.conftest import files_under, write_tiff

DAY = dt.date(2026, 1, 15)


def _lots() -> gpd.GeoDataFrame:
    rows = []
    for i in range(3):
        e, n = ORIGIN_E + i * 40, ORIGIN_N
        rows.append(
            {
                "parcel_code": f"01A{i + 1:03d}",
                "doc_type": "chanote",
                "geometry": ShapelyPolygon([(e, n), (e + 40, n), (e + 40, n + 30), (e, n + 30)]),
            }
        )
    return gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:32647")


@pytest.fixture
def imagery_root(settings, tmp_path: Path) -> Path:
    root = tmp_path / "imagery"
    settings.IMAGERY_ROOT = str(root)
    return root


# --- rasters: GTiff only ---------------------------------------------------------------------


def _vrt_named_tif(tmp_path: Path) -> Path:
    """A GDAL VRT that points at another (real) GeoTIFF, saved under a .tif name."""
    target = write_tiff(tmp_path / "elsewhere.tif")
    vrt = tmp_path / "survey.tif"
    with rasterio.open(target) as src:
        width, height = src.width, src.height
    bands = "".join(
        f'<VRTRasterBand dataType="Byte" band="{b}"><SimpleSource>'
        f'<SourceFilename relativeToVRT="0">{target}</SourceFilename><SourceBand>{b}</SourceBand>'
        f"</SimpleSource></VRTRasterBand>"
        for b in (1, 2, 3, 4)
    )
    vrt.write_text(f'<VRTDataset rasterXSize="{width}" rasterYSize="{height}">{bands}</VRTDataset>')
    return vrt


@pytest.mark.django_db
def test_vrt_renamed_tif_is_refused_by_the_ingest(pangmu, imagery_root, tmp_path):
    vrt = _vrt_named_tif(tmp_path)
    with rasterio.open(vrt) as opened:  # GDAL left to itself follows the VRT to the other file
        assert opened.driver == "VRT"
    with pytest.raises(raster.ImageryInputError) as exc:
        services.ingest_file(organisation=pangmu, path=vrt, captured_on=DAY, queue=False)
    assert exc.value.code == "not_tiff"
    assert exc.value.message_th
    assert not Orthomosaic.objects.exists()
    assert files_under(imagery_root) == []


def test_gdal_itself_opens_uploads_with_the_gtiff_driver_only(tmp_path):
    vrt = _vrt_named_tif(tmp_path)
    with raster.processing_env(), pytest.raises(RasterioIOError):
        raster.open_raster(vrt)
    with pytest.raises(ValueError):
        raster.open_raster(Path("/vsicurl/http://127.0.0.1:9/x.tif"))


def test_side_files_next_to_an_upload_are_not_read(tmp_path):
    """A .aux.xml beside a TIFF without georeference must not give it a CRS and position."""
    plain = write_tiff(tmp_path / "plain.tif", crs=None, transform=None)
    Path(f"{plain}.aux.xml").write_text(
        "<PAMDataset><SRS>EPSG:32647</SRS>"
        f"<GeoTransform>{ORIGIN_E}, 0.5, 0, {ORIGIN_N}, 0, -0.5</GeoTransform></PAMDataset>"
    )
    with rasterio.open(plain) as src:  # GDAL's defaults read the side file
        assert src.crs is not None
    with pytest.raises(raster.ImageryInputError) as exc:
        raster.inspect_raster(plain, "ortho")
    assert exc.value.code == "no_georeference"


def test_raster_in_a_crs_outside_the_allow_list_is_refused(tmp_path):
    utm46 = write_tiff(tmp_path / "utm46.tif", crs="EPSG:32646")
    with pytest.raises(raster.ImageryInputError) as exc:
        raster.inspect_raster(utm46, "ortho")
    assert exc.value.code == "crs_not_allowed"
    assert "EPSG:32647" in exc.value.message_en and exc.value.message_th
    assert raster.inspect_raster(write_tiff(tmp_path / "ok.tif"), "ortho").crs == "EPSG:32647"


# --- boundary files: GPKG, GeoJSON, zipped Shapefile only --------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("driver", "name"),
    [("KML", "lots.kml"), ("CSV", "lots.csv"), ("GML", "lots.gml"), ("KML", "lots.geojson")],
    ids=["kml", "csv", "gml", "kml-renamed-geojson"],
)
def test_other_vector_formats_are_refused_by_import_parcels(pangmu, tmp_path, driver, name):
    path = tmp_path / name
    frame = _lots().to_crs(4326) if driver == "KML" else _lots()
    options = {"GEOMETRY": "AS_WKT"} if driver == "CSV" else {}
    frame.to_file(path, driver=driver, engine="pyogrio", layer_options=options or None)
    assert path.stat().st_size > 0
    with pytest.raises(DomainError) as exc:
        import_parcels(organisation=pangmu, path=path)
    assert exc.value.code == "file_type"
    assert "GeoPackage" in exc.value.message_en and "GeoPackage" in exc.value.message_th
    with pytest.raises(CommandError, match="only GeoPackage"):
        call_command("import_parcels", str(path), "--org", "pangmu", stdout=io.StringIO())
    assert not Parcel.objects.exists()


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def _shapefile_parts(tmp_path: Path) -> dict[str, bytes]:
    folder = tmp_path / "shp"
    folder.mkdir(exist_ok=True)
    _lots().to_file(folder / "lots.shp", engine="pyogrio")
    return {p.name: p.read_bytes() for p in folder.iterdir()}


def test_zipped_shapefile_is_read_through_vsizip(tmp_path):
    frame = read_vector_file(_zip(tmp_path / "ok.zip", _shapefile_parts(tmp_path)))
    assert len(frame) == 3 and frame.attrs["source_crs"] == "EPSG:32647"


@pytest.mark.parametrize(
    "extra",
    [
        {"../outside.txt": b"x"},
        {"/etc/passwd.txt": b"x"},
        {"other.vrt": b"<OGRVRTDataSource/>"},
        {"nested.zip": b"PK\x03\x04"},
        {"second.shp": b"x"},
    ],
    ids=["dot-dot", "absolute", "vrt", "nested-zip", "two-shp"],
)
def test_unsafe_or_foreign_zip_members_are_refused(tmp_path, extra):
    path = _zip(tmp_path / "lots.zip", _shapefile_parts(tmp_path) | extra)
    with pytest.raises(DomainError) as exc:
        read_vector_file(path)
    assert exc.value.code == "file_type"


def test_sqlite_that_is_not_a_geopackage_is_refused(tmp_path):
    path = tmp_path / "lots.gpkg"
    _lots().to_file(path, driver="SQLite", engine="pyogrio")
    with pytest.raises(DomainError) as exc:
        read_vector_file(path)
    assert exc.value.code == "file_type"


def test_geojson_crs_link_is_never_fetched(tmp_path):
    """GDAL fetches the URL of a GeoJSON "crs" of type "link": that request must never leave."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            hits.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        doc = json.loads(_lots().to_crs(4326).to_json())
        doc["crs"] = {
            "type": "link",
            "properties": {"href": f"http://127.0.0.1:{server.server_address[1]}/crs.wkt", "type": "ogcwkt"},
        }
        path = tmp_path / "lots.geojson"
        path.write_text(json.dumps(doc))
        frame = read_vector_file(path)
    finally:
        server.shutdown()
    assert hits == []
    assert len(frame) == 3 and frame.attrs["source_crs"] == "EPSG:4326"


@pytest.mark.django_db
def test_file_crs_outside_the_allow_list_is_refused(pangmu, tmp_path):
    path = tmp_path / "lots.gpkg"
    _lots().to_crs(32646).to_file(path, engine="pyogrio")
    with pytest.raises(DomainError) as exc:
        import_parcels(organisation=pangmu, path=path)
    assert exc.value.code == "crs_not_allowed"
    assert exc.value.details["allowed"] == [4326, 3857, 32647, 32648, 24047, 24048]
    assert not Parcel.objects.exists()


def test_import_register_takes_only_a_geopackage(tmp_path, db):
    path = tmp_path / "register.geojson"
    _lots().to_file(path, engine="pyogrio")
    with pytest.raises(CommandError, match="not a GeoPackage"):
        call_command("import_register", str(path), "--org", "pangmu", stdout=io.StringIO())


# --- CRS codes typed by people -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("32647", 32647),
        ("EPSG:32648", 32648),
        ("urn:ogc:def:crs:EPSG::24047", 24047),
        ("http://www.opengis.net/def/crs/EPSG/0/3857", 3857),
        ("http://www.opengis.net/def/crs/OGC/1.3/CRS84", 4326),
    ],
)
def test_allowed_epsg_codes_are_accepted(value, code):
    assert parse_epsg(value) == code


@pytest.mark.parametrize(
    "value",
    [
        "EPSG:2100",
        "32646",
        "+proj=longlat +datum=WGS84",
        'GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563]]]',
        "http://127.0.0.1:9/crs.wkt",
        "/etc/passwd",
        "",
        None,
    ],
)
def test_other_crs_values_are_refused(value):
    with pytest.raises(DomainError) as exc:
        parse_epsg(value)
    assert exc.value.code == "crs_not_allowed"


def test_declared_wkt_is_matched_to_an_allowed_code():
    from pyproj import CRS

    assert epsg_of_declared(CRS.from_epsg(32647).to_wkt(version="WKT1_ESRI")) == 32647
    assert epsg_of_declared("OGC:CRS84") == 4326
    with pytest.raises(DomainError):
        epsg_of_declared(CRS.from_epsg(2100).to_wkt())
    with pytest.raises(DomainError):
        epsg_of_declared("+proj=utm +zone=47 +datum=WGS84")


@pytest.mark.django_db
def test_settings_allow_list_is_used(settings, pangmu, tmp_path):
    settings.ALLOWED_EPSG_CODES = [4326]
    path = tmp_path / "lots.gpkg"
    _lots().to_file(path, engine="pyogrio")
    with pytest.raises(DomainError) as exc:
        read_vector_file(path)
    assert exc.value.code == "crs_not_allowed"


# --- photos: JPEG, PNG, WEBP only ---------------------------------------------------------------


def _upload(name: str, data: bytes, content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def test_pdf_renamed_jpg_photo_is_refused():
    pdf = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    with pytest.raises(ValidationProblems) as exc:
        photo_clean(_upload("receipt.jpg", pdf), field="photo")
    assert [(p.item, p.code) for p in exc.value.problems] == [("photo", "not_an_image")]
    assert exc.value.problems[0].message_th


@pytest.mark.parametrize("fmt", ["TIFF", "GIF", "BMP"])
def test_images_pillow_could_decode_but_not_allowed_are_refused(fmt):
    out = io.BytesIO()
    Image.new("RGB", (32, 24), (200, 60, 40)).save(out, fmt)
    with pytest.raises(ValidationProblems) as exc:
        photo_clean(_upload("photo.jpg", out.getvalue()))
    assert exc.value.problems[0].code == "not_an_image"


def test_a_real_jpeg_still_passes():
    out = io.BytesIO()
    Image.new("RGB", (32, 24), (200, 60, 40)).save(out, "JPEG")
    photo = photo_clean(_upload("photo.jpg", out.getvalue()))
    assert (photo.ext, photo.width, photo.height) == ("jpg", 32, 24)


# --- spreadsheets: text CSV or a real XLSX ------------------------------------------------------


def test_spreadsheets_that_are_something_else_are_refused(tmp_path):
    fake_xlsx = _zip(tmp_path / "parties.xlsx", {"doc.kml": b"<kml/>"})
    binary_csv = tmp_path / "parties.csv"
    binary_csv.write_bytes(b"%PDF-1.4\x00\x01binary")
    for path in (fake_xlsx, binary_csv):
        with pytest.raises(DomainError) as exc:
            read_table(path)
        assert exc.value.code == "file_type", path
    good = tmp_path / "ok.csv"
    good.write_text("kind,first_name\nperson,สมชาย\n", encoding="utf-8")
    assert read_table(good) == [{"kind": "person", "first_name": "สมชาย"}]


def test_upload_larger_than_the_limit_is_refused(settings, tmp_path):
    settings.REGISTER_IMPORT_MAX_BYTES = 1000
    path = tmp_path / "lots.gpkg"
    _lots().to_file(path, engine="pyogrio")
    with pytest.raises(DomainError) as exc:
        read_vector_file(path)
    assert exc.value.code == "file_too_large"
    csv = tmp_path / "big.csv"
    csv.write_text("a\n" + "x\n" * 1000)
    with pytest.raises(DomainError) as exc:
        read_table(csv)
    assert exc.value.code == "file_too_large"
