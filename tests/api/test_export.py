"""GeoPackage export, read back by GDAL, and the round trip into an empty organisation."""

from __future__ import annotations

import subprocess

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from gis_portal.errors import DomainError
from parcels.export import LAYERS, export_register, import_register, organisation_from_file
from parcels.models import (
    Building,
    BuildingRight,
    BuildingUsePortion,
    Household,
    LandUsePortion,
    Organisation,
    Parcel,
    ParcelLineage,
    ParcelRight,
    Party,
    Village,
)

pytestmark = pytest.mark.django_db


def snapshot(org: Organisation) -> dict[str, list]:
    """The register by natural keys (no database ids), geometries kept aside for a tolerant compare."""
    return {
        "villages": sorted(
            Village.objects.filter(organisation=org).values_list("number", "name_th", "name_en")
        ),
        "parcels": sorted(
            Parcel.objects.filter(organisation=org).values_list(
                "code",
                "status",
                "doc_type",
                "doc_number",
                "declared_rai",
                "declared_ngan",
                "declared_wah",
                "village__number",
                "retired_at",
            )
        ),
        "land_uses": sorted(
            LandUsePortion.objects.filter(parcel__organisation=org).values_list(
                "parcel__code", "parcel__status", "category", "share_percent", "years_unused"
            )
        ),
        "buildings": sorted(
            Building.objects.filter(organisation=org).values_list(
                "parcel__code",
                "number",
                "building_type",
                "material",
                "storeys",
                "floor_area_m2",
                "year_built",
                "status",
            )
        ),
        "building_uses": sorted(
            BuildingUsePortion.objects.filter(building__organisation=org).values_list(
                "building__parcel__code", "building__number", "category", "share_percent"
            )
        ),
        "households": sorted(
            Household.objects.filter(organisation=org).values_list(
                "village__number", "house_number", "building__parcel__code", "building__number", "status"
            )
        ),
        "parties": sorted(
            Party.objects.filter(organisation=org).values_list(
                "kind",
                "national_id",
                "title",
                "first_name",
                "last_name",
                "juristic_name",
                "birth_date",
                "phone",
                "household__house_number",
                "is_household_head",
            )
        ),
        "parcel_rights": sorted(
            ParcelRight.objects.filter(parcel__organisation=org).values_list(
                "parcel__code",
                "parcel__status",
                "party__national_id",
                "right_type",
                "share_numerator",
                "share_denominator",
            )
        ),
        "building_rights": sorted(
            BuildingRight.objects.filter(building__organisation=org).values_list(
                "building__parcel__code",
                "building__number",
                "party__national_id",
                "right_type",
                "share_numerator",
                "share_denominator",
            )
        ),
        "lineage": sorted(
            ParcelLineage.objects.filter(successor__organisation=org).values_list(
                "predecessor__code", "successor__code", "operation"
            )
        ),
    }


def geometries(org: Organisation) -> dict:
    return {
        **{
            ("parcel", c, s): g
            for c, s, g in Parcel.objects.filter(organisation=org).values_list("code", "status", "geom")
        },
        **{
            ("village", n): g
            for n, g in Village.objects.filter(organisation=org).values_list("number", "boundary")
        },
        **{
            ("building", c, n): g
            for c, n, g in Building.objects.filter(organisation=org).values_list(
                "parcel__code", "number", "footprint"
            )
        },
        **{
            ("household", h): g
            for h, g in Household.objects.filter(organisation=org).values_list("house_number", "location")
        },
    }


def test_export_opens_in_gdal_with_every_layer_and_count(register, pangmu, tmp_path):
    out = tmp_path / "pangmu.gpkg"
    call_command("export_register", str(out), "--org", "pangmu")
    info = subprocess.run(
        ["ogrinfo", "-ro", "-so", "-al", str(out)], capture_output=True, text=True, check=True
    )
    counts = {}
    layer = None
    for line in info.stdout.splitlines():
        if line.startswith("Layer name: "):
            layer = line.removeprefix("Layer name: ")
        elif line.startswith("Feature Count: "):
            counts[layer] = int(line.removeprefix("Feature Count: "))
    assert sorted(counts) == sorted(LAYERS)
    assert counts["parcels"] == 5 and counts["buildings"] == 2 and counts["households"] == 1
    assert counts["parties"] == 2
    assert counts["parcel_rights"] == ParcelRight.objects.filter(parcel__organisation=pangmu).count() == 8
    assert counts["parcel_lineage"] == 2 and counts["organisation"] == 1
    assert 'PROJCRS["WGS 84 / UTM zone 47N"' in info.stdout
    # Personal data masked by default.
    parties = subprocess.run(
        ["ogrinfo", "-ro", "-al", "-q", str(out), "parties"], capture_output=True, text=True, check=True
    ).stdout
    assert register["person"].national_id not in parties and register["person"].masked_national_id in parties


def test_round_trip_into_an_empty_organisation(register, pangmu, tmp_path):
    out = tmp_path / "pangmu.gpkg"
    counts = export_register(pangmu, out, with_personal_data=True)
    copy = organisation_from_file(out, slug="pangmu-copy", dla_code="9999999")
    report = import_register(copy, out)
    assert report.counts["parcels"] == counts["parcels"] == 5
    assert snapshot(copy) == snapshot(pangmu)
    source, target = geometries(pangmu), geometries(copy)
    assert source.keys() == target.keys()
    for key, geom in source.items():
        # 4326 → UTM 47N → 4326: equal to a nanodegree (about 0.1 mm).
        assert target[key].equals_exact(geom, tolerance=1e-9), key
    # The copy's history records the import.
    assert Parcel.history.filter(organisation_id=copy.pk, history_change_reason__isnull=False).exists()


def test_import_refuses_a_register_that_is_not_empty(register, pangmu, tmp_path):
    out = tmp_path / "pangmu.gpkg"
    export_register(pangmu, out)
    before = Parcel.objects.count()
    with pytest.raises(DomainError, match="already has"):
        import_register(pangmu, out)
    assert Parcel.objects.count() == before


def test_bad_file_writes_nothing(register, pangmu, tmp_path):
    import pyogrio

    out = tmp_path / "pangmu.gpkg"
    export_register(pangmu, out, with_personal_data=True)
    # Break one building's parcel reference: the whole import is refused, nothing is left behind.
    frame = pyogrio.read_dataframe(out, layer="buildings")
    frame.loc[0, "parcel_src_id"] = 999_999
    pyogrio.write_dataframe(frame, out, layer="buildings", driver="GPKG")
    copy = organisation_from_file(out, slug="pangmu-copy", dla_code="9999999")
    with pytest.raises(DomainError) as err:
        import_register(copy, out)
    assert "unknown_reference" in str(err.value.as_dict())
    assert not Village.objects.filter(organisation=copy).exists()
    assert not Parcel.objects.filter(organisation=copy).exists()
    with pytest.raises(CommandError, match="not a register export|Cannot read|No such file"):
        call_command("import_register", str(tmp_path / "missing.gpkg"), "--org", "pangmu-copy")


def test_masked_export_imports_without_ids(register, pangmu, tmp_path):
    out = tmp_path / "pangmu.gpkg"
    call_command("export_register", str(out), "--org", "pangmu")
    call_command("import_register", str(out), "--org", "copy2", "--create", "--dla-code", "8888888")
    copy = Organisation.objects.get(slug="copy2")
    assert Party.objects.filter(organisation=copy).count() == 2
    assert set(Party.objects.filter(organisation=copy).values_list("national_id", flat=True)) == {""}
    assert Parcel.objects.filter(organisation=copy).count() == 5


@pytest.mark.urls("tests.api.urls_export")
def test_staff_download(client, register, pangmu, mokchampae, make_user, tmp_path):
    from gis_portal import roles

    url = "/register-export/pangmu.gpkg"
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(make_user("viewer", pangmu, roles.VIEWER))
    assert client.get(url).status_code == 403
    client.force_login(make_user("stranger", mokchampae, roles.GIS_EDITOR))
    assert client.get(url).status_code == 404
    client.force_login(make_user("tax", pangmu, roles.TAX_OFFICER))
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="pangmu-register-')
    out = tmp_path / "download.gpkg"
    out.write_bytes(b"".join(response.streaming_content))
    import pyogrio

    assert {name for name, _ in pyogrio.list_layers(out)} == set(LAYERS)
    parties = pyogrio.read_dataframe(out, layer="parties")
    assert register["person"].national_id not in set(parties["national_id"])
    personal = tmp_path / "personal.gpkg"
    personal.write_bytes(b"".join(client.get(url + "?personal=1").streaming_content))
    assert register["person"].national_id in set(
        pyogrio.read_dataframe(personal, layer="parties")["national_id"]
    )
