"""The review list: paged, searchable by name (with or without title), notice number, parcel code and house
number; bulk issue confirmed with the count and the amount, refused when they changed."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from gis_portal.roles import TAX_OFFICER, VIEWER
from parcels import services as reg
from parcels.models import Party
from taxes import services, taxyears
from taxes.models import Assessment, AssessmentStatus
from taxes.selectors import split_title

pytestmark = pytest.mark.django_db


@pytest.fixture
def assessed(register):
    """The five drafts of the register, A renamed นายจายปัน อ่องแก้ว (his title apart, as registered)."""
    register.a.title, register.a.first_name, register.a.last_name = "นาย", "จายปัน", "อ่องแก้ว"
    register.a.save(update_fields=["title", "first_name", "last_name"])
    services.assess_year(organisation=register.org, year=2026)
    # 2026's own dates have passed: the office sets its dates, as the year page asks before issuing
    today = timezone.localdate()
    taxyears.tax_year_set_office_dates(
        tax_year=register.ty,
        dates=[today + timedelta(days=d) for d in (45, 75, 105)],
        reason="ออกล่าช้า / late",
    )
    return register


def _names(client, register, **params) -> list[str]:
    page = client.get(reverse("taxes:review", args=[register.org.slug, 2026]), {"status": "", **params})
    assert page.status_code == 200
    return sorted(a.party.display_name for a in page.context["rows"])


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        ("นายจายปัน", ("นาย", "จายปัน")),
        ("นางสาวบัวคำ", ("นางสาว", "บัวคำ")),  # not นาง + สาวบัวคำ
        ("นางบัวคำ", ("นาง", "บัวคำ")),
        ("ด.ช.ก้อง", ("ด.ช", "ก้อง")),
        ("จายปัน", ("", "จายปัน")),
        ("นาย", ("", "นาย")),  # a bare title is not split into an empty name
    ],
)
def test_split_title(token, expected):
    assert split_title(token) == expected


def test_search_by_full_name_with_or_without_title_and_by_numbers(client, assessed, make_user):
    r = assessed
    client.force_login(make_user("officer", r.org, TAX_OFFICER))
    a = "นายจายปัน อ่องแก้ว"
    for query in ("นายจายปัน อ่องแก้ว", "จายปัน อ่องแก้ว", "จายปัน", "อ่องแก้ว", "  นายจายปัน   อ่องแก้ว "):
        assert _names(client, r, q=query) == [a], query
    # a wrong title, or a name that is not his, finds nobody
    assert _names(client, r, q="นางจายปัน อ่องแก้ว") == []
    assert _names(client, r, q="จายปัน ทดสอบ") == []
    # a company by part of its name
    assert _names(client, r, q="บริษัท ซี") == ["บริษัท ซี จำกัด"]
    # the parcel code: the co-owners of 01A003 both; case does not matter
    assert _names(client, r, q="01a003") == ["ดี ทดสอบ", "อี ทดสอบ"]
    # house number 1: A lives there, and his house stands on 01A001
    assert _names(client, r, q="1") == [a]
    # the notice number, once issued
    b = Assessment.objects.get(party=r.b)
    services.assessments_issue(tax_year=r.ty, assessment_ids=[b.pk])
    b.refresh_from_db()
    assert _names(client, r, q=b.notice_number) == ["บริษัท บี จำกัด"]


def test_another_organisation_is_not_searched(client, assessed, make_user, mokchampae):
    other = reg.party_create(organisation=mokchampae, kind="person", title="นาย", first_name="จายปัน",
                             last_name="อ่องแก้ว")
    other_ty = services.tax_year_create(organisation=mokchampae, year=2026)
    Assessment.objects.create(
        organisation=mokchampae, tax_year=other_ty, party=other, category="residential", detail={},
        total=D("5.00"),
    )
    officer = make_user("officer", assessed.org, TAX_OFFICER)
    client.force_login(officer)
    assert _names(client, assessed, q="จายปัน") == ["นายจายปัน อ่องแก้ว"]
    assert client.get(reverse("taxes:review", args=["mokchampae", 2026])).status_code == 404


def test_the_list_is_paged_in_a_fixed_number_of_queries(client, assessed, make_user):
    r = assessed
    client.force_login(make_user("officer", r.org, TAX_OFFICER))
    url = reverse("taxes:review", args=[r.org.slug, 2026])
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    parties = Party.objects.bulk_create(
        Party(organisation=r.org, kind="person", title="นาง", first_name=f"คำ{i:03d}", last_name="ใจดี")
        for i in range(245)
    )
    Assessment.objects.bulk_create(
        Assessment(organisation=r.org, tax_year=r.ty, party=p, village=r.village, category="residential",
                   detail={}, total=D("10.00"))
        for p in parties
    )
    with CaptureQueriesContext(connection) as many:
        first = client.get(url)
    assert len(many) == len(few)
    assert len(first.context["rows"]) == 100
    assert first.context["page"].paginator.count == 250
    html = first.content.decode()
    assert "พบ 250 รายการ หน้า 1 จาก 3" in html and "page=2" in html
    last = client.get(url, {"page": 3})
    assert len(last.context["rows"]) == 50
    seen = {a.pk for n in (1, 2, 3) for a in client.get(url, {"page": n}).context["rows"]}
    assert len(seen) == 250  # every draft on exactly one page
    # paging keeps the filters
    found = client.get(url, {"q": "ใจดี", "page": 2})
    assert found.context["page"].number == 2
    assert "q=%E0%B9%83%E0%B8%88%E0%B8%94%E0%B8%B5" in found.content.decode()
    assert client.get(url, {"page": "x"}).context["page"].number == 1  # a bad page number: the first


def test_issue_selected_asks_to_confirm_the_count_and_amount(client, assessed, make_user):
    r = assessed
    client.force_login(make_user("officer", r.org, TAX_OFFICER))
    url = reverse("taxes:review", args=[r.org.slug, 2026])
    b, c = Assessment.objects.get(party=r.b), Assessment.objects.get(party=r.c)
    page = client.post(url, {"ids": [b.pk, c.pk], "issue_selected": "1"})
    html = page.content.decode()
    assert page.status_code == 200 and 'id="confirm-issue"' in html
    assert page.context["selection"]["n"] == 2 and page.context["selection"]["total"] == D("31200.00")
    assert "31,200.00" in html and "ออกแบบแจ้ง <strong id=\"confirm-count\">2</strong> ฉบับ" in html
    assert not Assessment.objects.filter(status=AssessmentStatus.ISSUED).exists()  # nothing issued yet

    # the amount changed after the page was shown (e.g. re-assessed): refused, nothing issued
    stale = {"ids": [b.pk, c.pk], "issue_selected": "1", "confirm": "1", "expected_count": "2",
             "expected_total": "30000.00"}
    refused = client.post(url, stale, follow=True)
    assert "The drafts changed since you confirmed: 2 drafts, 31,200.00 baht now" in refused.content.decode()
    assert "ร่างเปลี่ยนไปหลังจากยืนยัน" in refused.content.decode()
    assert not Assessment.objects.filter(status=AssessmentStatus.ISSUED).exists()
    # no confirmation at all: refused with a reason
    bare = client.post(url, {"ids": [b.pk], "issue_selected": "1", "confirm": "1"}, follow=True)
    assert "Confirm the number of notices and the amount first" in bare.content.decode()
    assert not Assessment.objects.filter(status=AssessmentStatus.ISSUED).exists()


def test_confirmed_issue_all_issues_exactly_what_was_confirmed(client, assessed, make_user):
    r = assessed
    client.force_login(make_user("officer", r.org, TAX_OFFICER))
    url = reverse("taxes:review", args=[r.org.slug, 2026])
    shown = client.post(url, {"issue_all": "1"})
    sel = shown.context["selection"]
    assert sel["n"] == 5 and sel["total"] == D("31200.00")
    # one more draft appears before the officer confirms: the confirmed figures no longer hold
    extra = reg.party_create(organisation=r.org, kind="person", first_name="เอฟ", last_name="ทดสอบ")
    late = Assessment.objects.create(organisation=r.org, tax_year=r.ty, party=extra, category="other",
                                     detail={}, total=D("7.00"))
    form = {"issue_all": "1", "confirm": "1", "expected_count": "5", "expected_total": str(sel["total"])}
    refused = client.post(url, form, follow=True).content.decode()
    assert "6 drafts, 31,207.00 baht now (confirmed 5, 31,200.00 baht)" in refused
    assert Assessment.objects.filter(status=AssessmentStatus.DRAFT).count() == 6
    late.delete()
    done = client.post(url, form, follow=True)
    assert "ออกแบบแจ้งแล้ว 5 ฉบับ" in done.content.decode()
    assert Assessment.objects.filter(status=AssessmentStatus.ISSUED).count() == 5


def test_a_viewer_cannot_issue(client, assessed, make_user):
    client.force_login(make_user("viewer", assessed.org, VIEWER))
    url = reverse("taxes:review", args=[assessed.org.slug, 2026])
    assert client.post(url, {"issue_all": "1"}).status_code == 403
    assert client.get(url).status_code == 200
