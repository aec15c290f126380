"""Register services: topology rules, split and merge with lineage and history, optimistic locking."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from gis_portal.errors import ConflictError, DomainError, ValidationProblems
from parcels import services, undo
from parcels.models import Building, Parcel, ParcelLineage, RegisterStatus
from parcels.selectors import parcel_as_of, parcel_lineage
from tests.conftest import utm_line, utm_point, utm_rect


@pytest.fixture
def editor(make_user, pangmu):
    return make_user("editor", pangmu, "GIS editor")


@pytest.fixture
def parcel(village, editor) -> Parcel:
    return services.parcel_create(
        organisation=village.organisation,
        code="01A001",
        geom=utm_rect(0, 0, 100, 50),
        doc_type="chanote",
        doc_number="1234",
        user=editor,
        land_uses=[services.LandUseShare("residential", Decimal(100))],
    )


@pytest.fixture
def owner(pangmu, editor):
    return services.party_create(
        organisation=pangmu,
        kind="person",
        national_id="1-2345-45678-78-1",
        title="นาย",
        first_name="จายหลาว",
        last_name="ไทใหญ่",
        user=editor,
    )


def test_create_checks_overlap_code_and_place(parcel, village, editor):
    assert parcel.area_m2 is None or parcel.area_m2 > 0
    parcel.refresh_from_db()
    assert parcel.area_m2 == pytest.approx(5000, rel=2e-3)
    assert parcel.village == village
    assert (parcel.zone, parcel.block, parcel.lot) == ("01", "A", "001")
    with pytest.raises(DomainError) as exc:
        services.parcel_create(
            organisation=village.organisation, code="01A002", geom=utm_rect(90, 0, 50, 50), user=editor
        )
    assert exc.value.code == "overlap" and "01A001" in exc.value.message_en and "500" in exc.value.message_en
    # Sharing a boundary is not an overlap.
    services.parcel_create(
        organisation=village.organisation, code="01A002", geom=utm_rect(100, 0, 50, 50), user=editor
    )
    with pytest.raises(DomainError) as exc:
        services.parcel_create(
            organisation=village.organisation, code="01A002", geom=utm_rect(0, 100, 50, 50)
        )
    assert exc.value.code == "duplicate_code"
    with pytest.raises(DomainError) as exc:
        services.parcel_create(organisation=village.organisation, code="1-A-1", geom=utm_rect(0, 100, 50, 50))
    assert exc.value.code == "parcel_code_format"
    with pytest.raises(DomainError) as exc:
        services.parcel_create(
            organisation=village.organisation, code="01A003", geom=utm_rect(-300_000, 0, 50, 50)
        )
    assert exc.value.code == "outside_organisation"
    assert Parcel.objects.count() == 2


def test_split_retires_parent_with_lineage_history_and_moves_buildings(parcel, editor, owner):
    services.parcel_right_add(parcel=parcel, party=owner, user=editor)
    house = services.building_create(
        parcel=parcel,
        footprint=utm_rect(70, 10, 12, 10),
        building_type="house",
        material="wood",
        storeys=2,
        user=editor,
    )
    before_split = timezone.now()
    children = services.parcel_split(
        parcel=parcel,
        line=utm_line((60, -10), (60, 60)),
        codes=["01A010", "01A011"],
        user=editor,
        expected_version=1,
    )
    parcel.refresh_from_db()
    assert parcel.status == RegisterStatus.RETIRED and parcel.retired_at is not None
    assert [c.code for c in children] == ["01A010", "01A011"]
    big, small = (Parcel.objects.get(pk=c.pk) for c in children)
    assert big.area_m2 == pytest.approx(3000, rel=3e-3) and small.area_m2 == pytest.approx(2000, rel=3e-3)
    assert big.area_m2 + small.area_m2 == pytest.approx(parcel.area_m2, rel=1e-6)
    assert {link.successor_id for link in parcel_lineage(parcel)["successors"]} == {big.pk, small.pk}
    assert all(link.operation == "split" for link in ParcelLineage.objects.all())
    # Owners and land use go to both pieces; the house goes to the piece it stands on.
    assert [r.party_id for r in small.rights.all()] == [owner.pk]
    assert small.land_uses.get().category == "residential"
    house.refresh_from_db()
    assert house.parcel_id == small.pk
    # The parcel as it was before the split is still there, with who changed it and when.
    old = parcel_as_of(parcel.pk, before_split)
    assert old.status == "active" and old.version == 1
    assert old.geom.equals_exact(parcel.geom, tolerance=1e-12)
    latest = parcel.history.latest()
    assert latest.history_user == editor and "split into 01A010, 01A011" in latest.history_change_reason
    assert parcel_as_of(parcel.pk, before_split - dt.timedelta(days=365)) is None


def test_split_refuses_a_line_that_misses_or_cuts_a_building(parcel, editor):
    with pytest.raises(DomainError) as exc:
        services.parcel_split(parcel=parcel, line=utm_line((200, -10), (200, 60)), codes=["01A010", "01A011"])
    assert exc.value.code == "split_no_effect"
    services.building_create(
        parcel=parcel, footprint=utm_rect(55, 10, 12, 10), building_type="house", material="wood"
    )
    with pytest.raises(DomainError) as exc:
        services.parcel_split(parcel=parcel, line=utm_line((60, -10), (60, 60)), codes=["01A010", "01A011"])
    assert exc.value.code == "building_cut"
    parcel.refresh_from_db()
    assert parcel.status == RegisterStatus.ACTIVE and Parcel.objects.count() == 1
    assert ParcelLineage.objects.count() == 0


def test_merge_keeps_lineage_and_refuses_non_adjacent_or_different_holders(village, editor, owner):
    org = village.organisation
    a = services.parcel_create(
        organisation=org, code="01B001", geom=utm_rect(0, 200, 40, 40), doc_type="pbt5", user=editor
    )
    b = services.parcel_create(
        organisation=org, code="01B002", geom=utm_rect(40, 200, 40, 40), doc_type="pbt5", user=editor
    )
    far = services.parcel_create(
        organisation=org, code="01B003", geom=utm_rect(200, 200, 40, 40), user=editor
    )
    with pytest.raises(DomainError) as exc:
        services.parcel_merge(parcels=[a, far], code="01B010", user=editor)
    assert exc.value.code == "merge_not_adjacent"
    services.parcel_right_add(parcel=a, party=owner, user=editor)
    with pytest.raises(DomainError) as exc:
        services.parcel_merge(parcels=[a, b], code="01B010", user=editor)
    assert exc.value.code == "merge_different_holders"
    services.parcel_right_add(parcel=b, party=owner, user=editor)
    merged = services.parcel_merge(parcels=[a, b], code="01B010", user=editor)
    merged.refresh_from_db()
    assert merged.area_m2 == pytest.approx(3200, rel=3e-3)
    assert len(merged.geom) == 1  # one polygon, the shared edge dissolved
    assert merged.doc_type == "pbt5"
    assert sorted(link.predecessor.code for link in merged.predecessor_links.all()) == ["01B001", "01B002"]
    for old in (a, b):
        old.refresh_from_db()
        assert old.status == RegisterStatus.RETIRED
        assert old.history.latest().history_change_reason == "merged into 01B010"
    assert [r.party_id for r in merged.rights.all()] == [owner.pk]


def test_undo_of_a_split_brings_the_parcel_and_its_building_back(parcel, editor, owner):
    services.parcel_right_add(parcel=parcel, party=owner, user=editor)
    house = services.building_create(
        parcel=parcel, footprint=utm_rect(70, 10, 12, 10), building_type="house", material="wood", user=editor
    )
    big, small = services.parcel_split(
        parcel=parcel, line=utm_line((60, -10), (60, 60)), codes=["01A010", "01A011"], user=editor
    )
    # Undo from either piece: the pieces are retired, the parcel is back with its house.
    back = undo.parcel_undo_last(parcel=small, user=editor, expected_version=1)
    assert back.pk == parcel.pk
    parcel.refresh_from_db()
    assert parcel.status == RegisterStatus.ACTIVE and parcel.retired_at is None and parcel.version == 3
    assert parcel.history.latest().history_change_reason == "undo split"
    for piece in (big, small):
        piece.refresh_from_db()
        assert piece.status == RegisterStatus.RETIRED
    house.refresh_from_db()
    assert house.parcel_id == parcel.pk and house.number == 1
    assert ParcelLineage.objects.count() == 0
    assert Parcel.objects.filter(status=RegisterStatus.ACTIVE).count() == 1
    # The code can be split again (the pieces' codes are free once more).
    again = services.parcel_split(
        parcel=parcel, line=utm_line((60, -10), (60, 60)), codes=["01A010", "01A011"], user=editor
    )
    assert len(again) == 2


def test_undo_of_a_merge_and_refusals(village, editor, owner):
    org = village.organisation
    a = services.parcel_create(organisation=org, code="01C001", geom=utm_rect(0, 300, 40, 40), user=editor)
    b = services.parcel_create(organisation=org, code="01C002", geom=utm_rect(40, 300, 40, 40), user=editor)
    shed = services.building_create(
        parcel=b, footprint=utm_rect(50, 310, 10, 10), building_type="house", material="wood", user=editor
    )
    merged = services.parcel_merge(parcels=[a, b], code="01C010", user=editor)
    # A merged parcel edited since cannot be unmerged by undo (the edit is undone first).
    services.parcel_update(parcel=merged, expected_version=1, doc_number="77", user=editor)
    with pytest.raises(DomainError) as exc:
        undo._undo_split_or_merge(Parcel.objects.get(pk=merged.pk), editor)
    assert exc.value.code == "undo_not_possible"
    assert Parcel.objects.get(pk=merged.pk).status == RegisterStatus.ACTIVE
    undo.parcel_undo_last(parcel=merged, user=editor, expected_version=2)  # undoes the edit only
    merged.refresh_from_db()
    assert merged.version == 3 and merged.doc_number == "" and merged.status == RegisterStatus.ACTIVE
    # A fresh merge is undone whole.
    c = services.parcel_create(organisation=org, code="01C003", geom=utm_rect(0, 400, 40, 40), user=editor)
    d = services.parcel_create(organisation=org, code="01C004", geom=utm_rect(40, 400, 40, 40), user=editor)
    fresh = services.parcel_merge(parcels=[c, d], code="01C020", user=editor)
    back = undo.parcel_undo_last(parcel=fresh, user=editor, expected_version=1)
    assert back.pk == c.pk
    assert set(Parcel.objects.filter(pk__in=[c.pk, d.pk]).values_list("status", flat=True)) == {"active"}
    assert Parcel.objects.get(pk=fresh.pk).status == RegisterStatus.RETIRED
    shed.refresh_from_db()
    assert shed.parcel_id == merged.pk  # the other merge was not touched


def test_stale_version_is_refused_not_overwritten(parcel, editor):
    services.parcel_update(parcel=parcel, expected_version=1, doc_number="9999", user=editor)
    with pytest.raises(ConflictError) as exc:
        services.parcel_update(parcel=parcel, expected_version=1, doc_number="1111", user=editor)
    assert exc.value.details["current_version"] == 2
    parcel.refresh_from_db()
    assert parcel.doc_number == "9999"


def test_reshape_checks_overlap_and_buildings(parcel, village, editor):
    other = services.parcel_create(
        organisation=village.organisation, code="01A002", geom=utm_rect(100, 0, 50, 50)
    )
    services.building_create(
        parcel=parcel, footprint=utm_rect(70, 10, 12, 10), building_type="house", material="wood"
    )
    with pytest.raises(DomainError) as exc:
        services.parcel_update(parcel=parcel, geom=utm_rect(0, 0, 120, 50), expected_version=1)
    assert exc.value.code == "overlap" and other.code in exc.value.message_en
    with pytest.raises(DomainError) as exc:
        services.parcel_update(parcel=parcel, geom=utm_rect(0, 0, 60, 50), expected_version=1)
    assert exc.value.code == "building_outside_parcel"
    services.parcel_update(parcel=parcel, geom=utm_rect(0, 0, 100, 60), expected_version=1, user=editor)
    parcel.refresh_from_db()
    assert parcel.area_m2 == pytest.approx(6000, rel=3e-3) and parcel.version == 2


def test_building_must_stand_on_its_parcel(parcel):
    with pytest.raises(DomainError) as exc:
        services.building_create(
            parcel=parcel, footprint=utm_rect(95, 10, 12, 10), building_type="house", material="wood"
        )
    assert exc.value.code == "building_outside_parcel"
    building = services.building_create(
        parcel=parcel,
        footprint=utm_rect(10, 10, 10, 10),
        building_type="house",
        material="concrete",
        storeys=2,
    )
    assert building.floor_area_m2 == pytest.approx(Decimal(200), rel=Decimal("0.01"))
    assert building.number == 1 and Building.objects.count() == 1


def test_household_must_lie_in_its_village(pangmu, village):
    with pytest.raises(DomainError) as exc:
        services.household_create(organisation=pangmu, house_number="1", location=utm_point(5000, 5000))
    assert exc.value.code == "household_outside_villages"
    household = services.household_create(
        organisation=pangmu, house_number="12/1", location=utm_point(10, 10)
    )
    assert household.village == village


def test_party_national_id_and_shares(pangmu, parcel):
    with pytest.raises(DomainError) as exc:
        services.party_create(organisation=pangmu, kind="person", first_name="ก", national_id="1234567890120")
    assert "check digit" in exc.value.message_en
    with pytest.raises(DomainError):
        services.party_create(organisation=pangmu, kind="person", first_name="ก", national_id="๑๒๓๔๕๖๗๘๙๐๑๒๑")
    a = services.party_create(organisation=pangmu, kind="person", first_name="ก", national_id="3100600445635")
    b = services.party_create(organisation=pangmu, kind="juristic", juristic_name="บริษัท ปางหมู รีสอร์ท จำกัด")
    services.parcel_right_add(parcel=parcel, party=a, share_numerator=2, share_denominator=3)
    with pytest.raises(DomainError) as exc:
        services.parcel_right_add(parcel=parcel, party=b, share_numerator=1, share_denominator=2)
    assert exc.value.code == "shares_exceed_whole"
    services.parcel_right_add(parcel=parcel, party=b, share_numerator=1, share_denominator=3)
    assert sum(r.share for r in parcel.rights.all()) == 1


def test_several_problems_at_once(village):
    problems = services.check_parcel_shapes(
        organisation=village.organisation,
        shapes=[
            ("a", utm_rect(0, 0, 10, 10)),
            ("b", utm_rect(5, 5, 10, 10)),
            ("c", utm_rect(-300_000, 0, 5, 5)),
        ],
    )
    assert sorted((p.item, p.code) for p in problems) == [("a", "overlap"), ("c", "outside_organisation")]
    with pytest.raises(ValidationProblems):
        services._problems_to_error(problems)


def test_a_shape_in_the_wrong_crs_is_caught(village):
    # 30 m × 30 m read as degrees-as-metres ends up a few centimetres wide near 0°, 0°.
    wrong = utm_rect(0, 0, 30, 30).clone()
    wrong.srid = 3857
    problems = services.check_parcel_shapes(organisation=village.organisation, shapes=[("x", as_mp(wrong))])
    assert sorted(p.code for p in problems) == ["outside_organisation", "too_small"]


def as_mp(geom):
    from parcels.geometry import as_multipolygon

    return as_multipolygon(geom)
