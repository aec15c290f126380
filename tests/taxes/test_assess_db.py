"""The yearly run against a real register: totals by hand, set-based, re-runnable, issue, copy."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gis_portal.errors import DomainError
from parcels.models import ParcelRight, Party
from taxes import services
from taxes.engine import BuildingPortion, CoOwner, LandPortion, Property, Taxpayer, TaxpayerKind, Use, assess
from taxes.itemised import render_register_note
from taxes.models import Assessment, AssessmentStatus, LandPrice, TaxYear
from taxes.quote import assessment_to_dict
from tests.taxes.conftest import ISSUED_ON

pytestmark = pytest.mark.django_db


def _totals(ty):
    return {a.party_id: a.total for a in Assessment.objects.filter(tax_year=ty).exclude(status="cancelled")}


def test_assess_reproduces_hand_computed_taxes(register):
    result = services.assess_year(organisation=register.org, year=2026)
    assert result.drafts_written == 5
    totals = _totals(register.ty)
    assert totals == {
        register.a.pk: D("0.00"),
        register.b.pk: D("1200.00"),
        register.c.pk: D("30000.00"),
        register.d.pk: D("0.00"),
        register.e.pk: D("0.00"),
    }
    a = Assessment.objects.get(party=register.a)
    assert a.value == D("1120000.00")  # 400,000 land + 100 m2 x 8,000 x 90 %
    assert a.itemised["groups"][0]["schedule"] == "residential_home_land_and_building"
    d = Assessment.objects.get(party=register.d)
    assert d.value == D("400000.00")  # half of 800 sq wah x 1,000
    assert d.category == "agricultural"
    assert sorted(a.parcel_ids) == [register.parcels[0].pk]
    # every amount in the stored lines adds up to the total
    c = Assessment.objects.get(party=register.c)
    assert sum(D(line["amount"]) for line in c.itemised["lines"]) == c.total


def test_assess_query_count_does_not_grow_with_the_register(register):
    with CaptureQueriesContext(connection) as small:
        services.assess_year(organisation=register.org, year=2026)
    # double the register: five more taxpayers with their own parcels
    from tests.taxes.conftest import _parcel

    for i in range(5):
        p = _parcel(register.org, register.village, f"02A{i:03d}", 500 + i * 60, 0, 1, "other")
        party = Party.objects.create(organisation=register.org, kind="juristic", juristic_name=f"X{i}")
        ParcelRight.objects.create(parcel=p, party=party)
    LandPrice.objects.create(tax_year=register.ty, zone="02", block="", price_per_sq_wah=D("100"))
    with CaptureQueriesContext(connection) as big:
        result = services.assess_year(organisation=register.org, year=2026)
    assert result.drafts_written == 10
    assert len(big.captured_queries) == len(small.captured_queries)
    # reading: one query per table; writing: lock, live assessments, delete, temporary table, update,
    # drop, stamp (the COPYs are not queries here)
    assert len(big.captured_queries) <= 22
    # the zone-wide price (block blank) applies: 400 sq wah x 100 x 0.3 %
    assert {a.total for a in Assessment.objects.filter(party__juristic_name__startswith="X")} == {D("120.00")}


def test_rerun_replaces_drafts_and_keeps_issued_notices(register):
    services.assess_year(organisation=register.org, year=2026)
    c = Assessment.objects.get(party=register.c)
    assert services.assessments_issue(tax_year=register.ty, assessment_ids=[c.pk], issued_on=ISSUED_ON) == 1
    LandPrice.objects.filter(tax_year=register.ty).update(price_per_sq_wah=D("2000"))
    drafts_before = dict(Assessment.objects.filter(status="draft").values_list("party_id", "pk"))
    result = services.assess_year(organisation=register.org, year=2026)
    assert result.skipped_issued == 1
    # B's tax changed (price); A, D and E are valued on the same land: their value changed too
    assert (result.drafts_updated, result.drafts_unchanged, result.drafts_inserted) == (4, 0, 0)
    assert result.drafts_deleted == 0 and result.drafts_written == 4
    # a draft keeps its row from run to run
    assert dict(Assessment.objects.filter(status="draft").values_list("party_id", "pk")) == drafts_before
    c.refresh_from_db()
    assert c.status == AssessmentStatus.ISSUED and c.total == D("30000.00")  # untouched
    assert Assessment.objects.get(party=register.b).total == D("2400.00")  # re-assessed at 2,000
    assert Assessment.objects.filter(tax_year=register.ty).count() == 5


def test_issue_numbers_and_installments(register):
    services.assess_year(organisation=register.org, year=2026)
    assert services.assessments_issue(tax_year=register.ty, issued_on=ISSUED_ON) == 5
    rows = list(Assessment.objects.filter(tax_year=register.ty).order_by("notice_number"))
    assert [a.notice_number for a in rows] == [f"2569{n:06d}" for n in range(1, 6)]
    c = Assessment.objects.get(party=register.c)
    assert [(i.number, i.due_date.isoformat(), i.amount) for i in c.installments.all()] == [
        # 2026's dates as moved by the Interior Ministry (notice of 28 Nov 2025): June, July, August
        (1, "2026-06-30", D("10000.00")),
        (2, "2026-07-31", D("10000.00")),
        (3, "2026-08-31", D("10000.00")),
    ]
    b = Assessment.objects.get(party=register.b)
    assert [i.amount for i in b.installments.all()] == [D("1200.00")]  # below 3,000: one payment
    assert not Assessment.objects.get(party=register.a).installments.exists()  # nothing to pay
    with pytest.raises(DomainError) as err:
        services.assessments_issue(tax_year=register.ty, assessment_ids=[c.pk], issued_on=ISSUED_ON)
    assert err.value.code == "not_drafts"


def test_missing_price_is_noted_not_guessed(register):
    LandPrice.objects.filter(tax_year=register.ty, block="B").delete()
    services.assess_year(organisation=register.org, year=2026)
    c = Assessment.objects.get(party=register.c)
    assert c.total == D("0.00")
    assert [n["code"] for n in c.itemised["register_notes"]] == ["note.no_land_price"]


def test_invalid_rules_refuse_the_run_and_write_nothing(register):
    TaxYear.objects.filter(pk=register.ty.pk).update(rules={"schedules": "nonsense"})
    with pytest.raises(DomainError) as err:
        services.assess_year(organisation=register.org, year=2026)
    assert err.value.code == "tax_year_rules_invalid"
    assert not Assessment.objects.exists()


def test_copy_year_copies_tables_and_drops_relief(register):
    register.ty.rules["reduction_percent"] = "90"
    register.ty.save()
    new = services.tax_year_copy(organisation=register.org, to_year=2027)
    assert new.rules["reduction_percent"] == "0"
    # the Treasury table: concrete 43 rows (ages 1-42, 43+), half concrete 22, wood 19
    assert new.land_prices.count() == 2 and new.building_costs.count() == 1 and new.depreciation.count() == 84
    with pytest.raises(DomainError):
        services.tax_year_copy(organisation=register.org, to_year=2027)


def test_appraisal_csv_import_all_or_nothing(register):
    good = "zone,block,parcel_code,price_per_sq_wah\n01,A,,1500\n01,B,,3000\n,,01A002,900.50\n"
    assert services.appraisal_import_csv(tax_year=register.ty, kind="land", text=good) == 3
    assert LandPrice.objects.filter(tax_year=register.ty).count() == 3
    bad = "zone,block,parcel_code,price_per_sq_wah\n01,A,,abc\n,,99Z999,10\n"
    with pytest.raises(DomainError) as err:
        services.appraisal_import_csv(tax_year=register.ty, kind="land", text=bad)
    assert len(err.value.details["problems"]) == 2
    assert LandPrice.objects.filter(tax_year=register.ty).count() == 3  # unchanged
    services.assess_year(organisation=register.org, year=2026)
    # the parcel price beats the zone/block price: 400 x 900.50 x 0.3 %
    assert Assessment.objects.get(party=register.b).total == D("1080.60")


def test_rules_edited_in_the_admin_are_checked(register):
    from django.core.exceptions import ValidationError

    register.ty.rules = {**register.ty.rules, "reduction_percent": "150"}
    with pytest.raises(ValidationError) as err:
        register.ty.full_clean()
    assert "rules" in err.value.message_dict


def test_a_rerun_writes_only_what_changed_and_drops_drafts_of_former_taxpayers(register):
    services.assess_year(organisation=register.org, year=2026)
    same = services.assess_year(organisation=register.org, year=2026)
    assert (same.drafts_unchanged, same.drafts_updated, same.drafts_inserted, same.drafts_deleted) == (
        5,
        0,
        0,
        0,
    )
    # B sells his parcel to a new company; B is no longer a taxpayer
    ParcelRight.objects.filter(party=register.b).delete()
    newco = Party.objects.create(organisation=register.org, kind="juristic", juristic_name="New")
    ParcelRight.objects.create(parcel=register.parcels[1], party=newco)
    after = services.assess_year(organisation=register.org, year=2026)
    assert (after.drafts_unchanged, after.drafts_updated, after.drafts_inserted, after.drafts_deleted) == (
        4,
        0,
        1,
        1,
    )
    assert not Assessment.objects.filter(party=register.b).exists()
    assert Assessment.objects.get(party=newco).total == D("1200.00")


def test_stored_lines_render_exactly_as_the_engine_writes_them(register):
    """The compact stored form shows the same lines, rules and texts as the engine's own output."""
    services.assess_year(organisation=register.org, year=2026)
    rules = services.tax_year_rules(register.ty)
    a_home = Property(
        ref="01A001",
        land=(LandPortion(D("400"), D("1000"), Use.RESIDENTIAL, ref="01A001"),),
        buildings=(BuildingPortion(D("100"), D("8000"), Use.RESIDENTIAL, D("10"), ref="01A001/1"),),
        house_registration=True,
    )
    farm = Property(  # co-owned half and half: the whole judged once, half of its tax owed
        ref="01A003",
        land=(LandPortion(D("800"), D("1000"), Use.AGRICULTURAL, ref="01A003"),),
        share="1/2",
        co_owners=(CoOwner(str(register.d.pk), "1/2"), CoOwner(str(register.e.pk), "1/2")),
    )
    vacant = Property(
        ref="01B001", land=(LandPortion(D("4000"), D("2500"), Use.VACANT, ref="01B001"),), years_vacant=1
    )
    for party, kind, prop in (
        (register.a, TaxpayerKind.INDIVIDUAL, a_home),
        (register.d, TaxpayerKind.INDIVIDUAL, farm),
        (register.c, TaxpayerKind.JURISTIC, vacant),
    ):
        expected = assessment_to_dict(assess(Taxpayer(kind, (prop,), id=str(party.pk)), rules))
        expected["register_notes"] = []
        shown = Assessment.objects.get(party=party).itemised
        assert shown == expected
        assert all(line["text_th"] and line["text_en"] for line in shown["lines"])
    # the register's own notes keep their texts too
    LandPrice.objects.filter(tax_year=register.ty, block="B").delete()
    services.assess_year(organisation=register.org, year=2026)
    [note] = Assessment.objects.get(party=register.c).itemised["register_notes"]
    assert note == render_register_note(["note.no_land_price", "01B001", "01", "B"])
    assert note["text_en"] == "No appraisal price for parcel 01B001 (zone 01 block B): its land is not taxed"
