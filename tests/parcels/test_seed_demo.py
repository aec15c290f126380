"""The Pang Mu demo register (``manage.py seed_demo``), seeded small, on real PostGIS.

The register is seeded once for the module inside a transaction that is rolled back at the end, so
that the other tests never see it; each test runs in a savepoint inside it.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterator
from fractions import Fraction
from io import StringIO
from pathlib import Path

import pytest
import shapely
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test import override_settings
from pytest_django import DjangoDbBlocker

from parcels import demo
from parcels.models import (
    Building,
    BuildingRight,
    Household,
    LandUsePortion,
    Organisation,
    Parcel,
    ParcelRight,
    Party,
    Village,
)
from parcels.validators import is_valid_national_id

SEED = 2569
HOUSEHOLDS = 150
CHONG_KHAM = (97.967, 19.299)  # Mae Hong Son town: an enclave inside the tambon, not part of Pang Mu


@pytest.fixture(scope="module")
def seeded(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[demo.SeedSummary]:
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield demo.seed_demo(seed=SEED, households=HOUSEHOLDS)
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def org(seeded: demo.SeedSummary, db: None) -> Organisation:
    return Organisation.objects.get(slug="pangmu")


def _scalar(query: str, *params: object) -> object:
    with connection.cursor() as cur:
        cur.execute(query, params)
        return cur.fetchone()[0]


def test_organisation_is_the_real_tambon(org: Organisation) -> None:
    assert org.dla_code == "6580104"
    assert org.tambon_code == "580104"
    assert org.utm_srid == 32647
    assert org.name_th == "องค์การบริหารส่วนตำบลปางหมู"
    assert org.boundary.geom_type == "MultiPolygon"
    assert org.boundary.valid
    assert len(org.boundary[0]) == 2  # the outer ring and the Chong Kham hole
    area = _scalar("SELECT ST_Area(boundary::geography) FROM parcels_organisation WHERE id = %s", org.pk)
    assert 380e6 < area < 384e6


def test_thirteen_villages_partition_the_tambon(org: Organisation) -> None:
    villages = list(Village.objects.filter(organisation=org).order_by("number"))
    assert [v.number for v in villages] == list(range(1, 14))
    assert villages[0].name_th == "บ้านปางหมู"
    assert all(v.name_th.startswith("บ้าน") and v.name_en.startswith("Ban ") for v in villages)
    overlap = _scalar(
        """
        SELECT coalesce(sum(ST_Area(ST_Intersection(a.boundary, b.boundary)::geography)), 0)
        FROM parcels_village a JOIN parcels_village b
          ON a.organisation_id = b.organisation_id AND a.number < b.number AND a.boundary && b.boundary
        WHERE a.organisation_id = %s AND ST_Intersects(a.boundary, b.boundary)
        """,
        org.pk,
    )
    assert overlap < 1.0
    uncovered = _scalar(
        """
        SELECT ST_Area(ST_SymDifference(o.boundary, (SELECT ST_Union(v.boundary) FROM parcels_village v
                                                     WHERE v.organisation_id = o.id))::geography)
        FROM parcels_organisation o WHERE o.id = %s
        """,
        org.pk,
    )
    assert uncovered < 100.0  # m², against 381.7 km²


def test_chong_kham_enclave_is_in_no_village(org: Organisation) -> None:
    lon, lat = CHONG_KHAM
    assert shapely.Polygon(org.boundary[0][0]).contains(shapely.Point(lon, lat))  # inside the outer ring
    found = _scalar(
        """
        SELECT count(*) FROM parcels_village
        WHERE organisation_id = %s AND ST_Intersects(boundary, ST_SetSRID(ST_MakePoint(%s, %s), 4326))
        """,
        org.pk,
        lon,
        lat,
    )
    assert found == 0
    in_org = _scalar(
        "SELECT ST_Intersects(boundary, ST_SetSRID(ST_MakePoint(%s, %s), 4326)) FROM parcels_organisation "
        "WHERE id = %s",
        lon,
        lat,
        org.pk,
    )
    assert in_org is False


def test_counts_are_in_the_expected_ranges(org: Organisation, seeded: demo.SeedSummary) -> None:
    parcels = Parcel.objects.filter(organisation=org)
    households = Household.objects.filter(organisation=org)
    assert households.count() == HOUSEHOLDS == seeded.households
    uses = Counter(LandUsePortion.objects.filter(parcel__organisation=org).values_list("category", flat=True))
    assert uses["residential"] == HOUSEHOLDS  # every home lot, mixed ones included
    assert 0.6 * HOUSEHOLDS <= uses["agricultural"] <= 0.9 * HOUSEHOLDS
    assert uses["exempt"] == 13 + 7  # a temple in every village, seven schools
    assert uses["other"] >= 3 and uses["vacant"] >= 2
    assert 1.6 * HOUSEHOLDS <= parcels.count() <= 2.2 * HOUSEHOLDS
    assert set(parcels.values_list("village__number", flat=True)) == set(range(1, 14))
    doc_types = Counter(parcels.values_list("doc_type", flat=True))
    assert doc_types["pbt5"] + doc_types["none"] > parcels.count() / 2
    assert doc_types["chanote"] > 0 and doc_types["ns3k"] > 0
    assert Building.objects.filter(organisation=org).count() >= HOUSEHOLDS
    assert Building.objects.filter(organisation=org, building_type="house").count() == HOUSEHOLDS
    members = Counter(
        Party.objects.filter(organisation=org, household__isnull=False).values_list("household", flat=True)
    )
    assert len(members) == HOUSEHOLDS and set(members.values()) <= set(range(1, 8))
    heads = Counter(
        Party.objects.filter(organisation=org, is_household_head=True).values_list("household", flat=True)
    )
    assert len(heads) == HOUSEHOLDS and set(heads.values()) == {1}
    assert Party.objects.filter(organisation=org, kind="juristic").count() >= 2 + 13 + 7
    assert seeded.parcels == parcels.count() and seeded.area_m2 > 0


def test_parcel_codes_follow_ltax_zone_block_lot(org: Organisation) -> None:
    rows = list(
        Parcel.objects.filter(organisation=org).values_list("code", "zone", "block", "lot", "village__number")
    )
    assert all(re.fullmatch(r"\d{2}[A-Z]{1,2}\d{3}", code) for code, *_ in rows)
    assert all(
        int(zone) == number and code == f"{zone}{block}{lot}" for code, zone, block, lot, number in rows
    )
    assert Parcel.objects.filter(organisation=org, code="01A001").exists()


def test_no_parcels_overlap(org: Organisation) -> None:
    touching = _scalar(
        """
        SELECT count(*) FROM parcels_parcel a JOIN parcels_parcel b
          ON a.organisation_id = b.organisation_id AND a.id < b.id AND a.geom && b.geom
        WHERE a.organisation_id = %s AND ST_Intersects(a.geom, b.geom)
        """,
        org.pk,
    )
    assert touching == 0
    assert not Parcel.objects.filter(organisation=org, village__isnull=True).exists()
    outside_village = _scalar(
        """
        SELECT count(*) FROM parcels_parcel p JOIN parcels_village v ON v.id = p.village_id
        WHERE p.organisation_id = %s AND NOT ST_CoveredBy(p.geom, v.boundary)
        """,
        org.pk,
    )
    assert outside_village == 0


def test_buildings_lie_on_their_parcels(org: Organisation) -> None:
    sticking_out = _scalar(
        """
        SELECT count(*) FROM parcels_building b JOIN parcels_parcel p ON p.id = b.parcel_id
        WHERE b.organisation_id = %s
          AND (ST_Area(ST_Difference(b.footprint, p.geom)::geography) > 1
               OR NOT ST_CoveredBy(b.footprint, p.geom))
        """,
        org.pk,
    )
    assert sticking_out == 0
    sizes = Building.objects.filter(organisation=org, building_type="house").values_list(
        "footprint_area_m2", "storeys", "floor_area_m2", "year_built", "material"
    )
    for footprint, storeys, floor, year, material in sizes:
        assert 6 * 8 * 0.6 <= footprint <= 14 * 12 * 1.01
        assert storeys in (1, 2)
        assert abs(float(floor) - footprint * storeys) < 0.02 * storeys
        assert 1975 <= year <= 2025
        assert material in ("wood", "mixed", "concrete")


def test_households_lie_in_their_village_and_house(org: Organisation) -> None:
    astray = _scalar(
        """
        SELECT count(*) FROM parcels_household h
          JOIN parcels_village v ON v.id = h.village_id
          JOIN parcels_building b ON b.id = h.building_id
          JOIN parcels_parcel p ON p.id = b.parcel_id
        WHERE h.organisation_id = %s
          AND (NOT ST_Covers(v.boundary, h.location) OR NOT ST_Covers(b.footprint, h.location)
               OR p.village_id <> h.village_id OR b.building_type <> 'house')
        """,
        org.pk,
    )
    assert astray == 0
    numbers = list(Household.objects.filter(organisation=org).values_list("village", "house_number"))
    assert len(numbers) == len(set(numbers))
    assert all(re.fullmatch(r"\d+(/\d+)?", n) for _, n in numbers)


def test_national_ids_are_valid_and_unique(org: Organisation) -> None:
    ids = list(Party.objects.filter(organisation=org).values_list("national_id", "kind"))
    assert all(number and is_valid_national_id(number, kind) for number, kind in ids)
    assert len(ids) == len({number for number, _ in ids})
    people = Party.objects.filter(organisation=org, kind="person")
    assert not people.filter(first_name="").exists() and not people.filter(last_name="").exists()
    assert set(people.values_list("title", flat=True)) == {"นาย", "นาง", "นางสาว", "เด็กชาย", "เด็กหญิง"}
    assert people.exclude(phone="").exists()
    assert not Party.objects.filter(organisation=org, kind="juristic", juristic_name="").exists()


def test_age_pyramid_is_plausible(org: Organisation) -> None:
    ages = [
        (demo.REFERENCE_DATE - born).days // 365
        for born in Party.objects.filter(organisation=org, kind="person").values_list("birth_date", flat=True)
    ]
    share = {
        band: sum(1 for a in ages if test(a)) / len(ages)
        for band, test in {
            "children": lambda a: a < 15,
            "60+": lambda a: a >= 60,
            "80+": lambda a: a >= 80,
        }.items()
    }
    assert 0.1 < share["children"] < 0.35
    assert 0.1 < share["60+"] < 0.35
    assert 0.0 < share["80+"] < 0.06
    assert max(ages) < 105


def test_rights_cover_every_parcel_and_building(org: Organisation) -> None:
    shares: dict[int, Fraction] = Counter()
    for parcel_id, num, den in ParcelRight.objects.filter(parcel__organisation=org).values_list(
        "parcel", "share_numerator", "share_denominator"
    ):
        shares[parcel_id] += Fraction(num, den)
    parcel_ids = set(Parcel.objects.filter(organisation=org).values_list("id", flat=True))
    assert set(shares) == parcel_ids and set(shares.values()) == {1}
    rights = dict(
        ParcelRight.objects.filter(parcel__organisation=org).values_list("parcel__doc_type", "right_type")
    )
    assert rights.get("chanote", "ownership") == "ownership"
    assert (
        rights.get("pbt5", "possession") == "possession" and rights.get("none", "possession") == "possession"
    )
    # The household living on a home lot holds it, and the same party owns the buildings on it.
    for household in Household.objects.filter(organisation=org).select_related("building")[:40]:
        head = Party.objects.get(household=household, is_household_head=True)
        assert ParcelRight.objects.filter(parcel=household.building.parcel_id, party=head).exists()
        assert BuildingRight.objects.filter(building=household.building, party=head).exists()
    mismatched = _scalar(
        """
        SELECT count(*) FROM parcels_buildingright br JOIN parcels_building b ON b.id = br.building_id
        WHERE b.organisation_id = %s AND NOT EXISTS (
            SELECT 1 FROM parcels_parcelright pr
            WHERE pr.parcel_id = b.parcel_id AND pr.party_id = br.party_id
              AND pr.share_numerator = br.share_numerator AND pr.share_denominator = br.share_denominator)
        """,
        org.pk,
    )
    assert mismatched == 0


def test_declared_areas_and_land_use_shares(org: Organisation) -> None:
    for rai, ngan, wah, area in Parcel.objects.filter(
        organisation=org, declared_rai__isnull=False
    ).values_list("declared_rai", "declared_ngan", "declared_wah", "area_m2"):
        declared_m2 = (rai * 400 + ngan * 100 + float(wah)) * 4
        assert abs(declared_m2 / area - 1) < 0.05
    totals: Counter[int] = Counter()
    for parcel_id, share in LandUsePortion.objects.filter(parcel__organisation=org).values_list(
        "parcel", "share_percent"
    ):
        totals[parcel_id] += share
    assert set(totals.values()) == {100}
    assert not LandUsePortion.objects.filter(
        parcel__organisation=org, category="vacant", years_unused=0
    ).exists()
    assert LandUsePortion.objects.filter(
        parcel__organisation=org, category="other", share_percent__lt=100
    ).exists()


def test_second_run_without_flush_does_nothing(org: Organisation) -> None:
    before = Parcel.objects.filter(organisation=org).count()
    out = StringIO()
    call_command("seed_demo", "--households", str(HOUSEHOLDS), stdout=out)
    assert "already loaded" in out.getvalue()
    assert Parcel.objects.filter(organisation=org).count() == before


def test_same_seed_gives_the_same_register(org: Organisation) -> None:
    first = demo.register_fingerprint(org)
    first_ids = sorted(Party.objects.filter(organisation=org).values_list("national_id", flat=True))
    out = StringIO()
    call_command("seed_demo", "--flush", "--seed", str(SEED), "--households", str(HOUSEHOLDS), stdout=out)
    assert "flush: deleted" in out.getvalue() and "Pang Mu demo register loaded" in out.getvalue()
    assert demo.register_fingerprint(org) == first
    assert sorted(Party.objects.filter(organisation=org).values_list("national_id", flat=True)) == first_ids
    # The flush kept history: every deleted parcel has a '-' row.
    assert Parcel.history.filter(organisation_id=org.pk, history_type="-").count() > 0


def test_another_seed_gives_another_register() -> None:
    tambon = demo.load_tambon()

    def digest(seed: int) -> str:
        plan = demo.plan_demo(tambon, seed=seed, households=40, say=lambda _m: None)
        h = hashlib.sha256()
        for plot in sorted(plan.plots, key=lambda p: p.code):
            h.update(plot.code.encode() + shapely.to_wkb(plot.geom))
        return h.hexdigest()

    assert digest(7) == digest(7)
    assert digest(7) != digest(8)


def test_refuses_to_flush_a_register_it_did_not_make(org: Organisation) -> None:
    Building.history.filter(organisation_id=org.pk).update(history_change_reason="create")
    with pytest.raises(CommandError, match="Refusing to flush"):
        call_command("seed_demo", "--flush", "--households", str(HOUSEHOLDS), stdout=StringIO())


def test_missing_tambon_file_names_the_path_and_setting(org: Organisation, tmp_path: Path) -> None:
    with override_settings(SHARED_DATA_DIR=tmp_path), pytest.raises(CommandError) as raised:
        call_command("seed_demo", "--flush", "--households", str(HOUSEHOLDS), stdout=StringIO())
    message = str(raised.value)
    assert str(tmp_path / "pang_mu_tambon_ocha.geojson") in message and "SHARED_DATA_DIR" in message
