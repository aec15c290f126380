"""A tiny real register (a split parcel, buildings, households, parties, rights) for the API tests."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib.gis.geos import MultiPolygon, Point, Polygon
from pyproj import Transformer

from parcels import services
from parcels.models import Organisation, Village
from parcels.services import LandUseShare
from parcels.validators import national_id_check_digit


def national_id(first12: str) -> str:
    return first12 + str(national_id_check_digit(first12))


class Grid:
    """Shapes in metres around a centre inside an organisation, in EPSG:4326."""

    def __init__(self, organisation: Organisation) -> None:
        centre = organisation.boundary.point_on_surface
        self.to_utm = Transformer.from_crs(4326, organisation.utm_srid, always_xy=True)
        self.to_ll = Transformer.from_crs(organisation.utm_srid, 4326, always_xy=True)
        self.e0, self.n0 = self.to_utm.transform(centre.x, centre.y)

    def rect(self, x: float, y: float, w: float, h: float) -> MultiPolygon:
        ring = [(x, y), (x + w, y), (x + w, y + h), (x, y + h), (x, y)]
        coords = [self.to_ll.transform(self.e0 + a, self.n0 + b) for a, b in ring]
        return MultiPolygon(Polygon(coords, srid=4326), srid=4326)

    def point(self, x: float, y: float) -> Point:
        return Point(*self.to_ll.transform(self.e0 + x, self.n0 + y), srid=4326)

    def line(self, *points: tuple[float, float]) -> Any:
        from django.contrib.gis.geos import LineString

        return LineString([self.to_ll.transform(self.e0 + a, self.n0 + b) for a, b in points], srid=4326)


def build_register(organisation: Organisation, *, id_seed: str = "1101700") -> dict[str, Any]:
    """One village, four active parcels (two from a split), a retired one, buildings, people, rights."""
    grid = Grid(organisation)
    village = services.village_create(
        organisation=organisation,
        number=1,
        name_th="บ้านทดสอบ",
        name_en="Ban Thotsop",
        boundary=grid.rect(-1000, -1000, 2000, 2000),
    )
    big = services.parcel_create(
        organisation=organisation,
        code="01A001",
        geom=grid.rect(0, 0, 100, 50),
        doc_type="chanote",
        doc_number="1234",
        declared_rai=3,
        declared_ngan=0,
        declared_wah=Decimal("12.5"),
        land_uses=[LandUseShare("residential", Decimal(60)), LandUseShare("other", Decimal(40))],
    )
    home = services.parcel_create(
        organisation=organisation,
        code="01A002",
        geom=grid.rect(0, 60, 40, 40),
        doc_type="ns3k",
        land_uses=[LandUseShare("residential", Decimal(100))],
    )
    farm = services.parcel_create(
        organisation=organisation,
        code="02B001",
        geom=grid.rect(200, 0, 80, 80),
        doc_type="pbt5",
        land_uses=[LandUseShare("vacant", Decimal(100), years_unused=4)],
    )
    person = services.party_create(
        organisation=organisation,
        kind="person",
        national_id=national_id(id_seed + "00001"),
        title="นาย",
        first_name="สมชาย",
        last_name="ใจดี",
        phone="0812345678",
    )
    company = services.party_create(
        organisation=organisation,
        kind="juristic",
        national_id=national_id("0" + id_seed[1:] + "00002"),
        juristic_name="บริษัท ปางหมู จำกัด",
    )
    services.parcel_right_add(parcel=big, party=person, share_numerator=1, share_denominator=2)
    services.parcel_right_add(parcel=big, party=company, share_numerator=1, share_denominator=2)
    services.parcel_right_add(parcel=home, party=person)
    services.parcel_right_add(parcel=farm, party=company, right_type="possession")
    house = services.building_create(
        parcel=home,
        footprint=grid.rect(10, 70, 12, 10),
        building_type="house",
        material="wood",
        floor_area_m2=Decimal("120.00"),
        storeys=1,
        year_built=2001,
    )
    shop = services.building_create(
        parcel=big,
        footprint=grid.rect(10, 10, 20, 15),
        building_type="shophouse",
        material="concrete",
        floor_area_m2=Decimal("600.00"),
        storeys=2,
        year_built=2015,
    )
    services.building_right_add(building=house, party=person)
    household = services.household_create(
        organisation=organisation,
        house_number="12/1",
        location=grid.point(16, 75),
        village=village,
        building=house,
    )
    person.household = household
    person.is_household_head = True
    person.save(update_fields=["household", "is_household_head"])
    pieces = services.parcel_split(
        parcel=big, line=grid.line((50, -10), (50, 60)), codes=["01A003", "01A004"]
    )
    return {
        "village": village,
        "retired": big,
        "home": home,
        "farm": farm,
        "pieces": pieces,
        "person": person,
        "company": company,
        "house": house,
        "shop": shop,
        "household": household,
        "grid": grid,
    }


def village_of(organisation: Organisation) -> Village:
    return Village.objects.get(organisation=organisation, number=1)
