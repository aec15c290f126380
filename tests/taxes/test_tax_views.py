"""Staff pages, the tax-status tiles and POST /api/v1/tax/quote: the whole year through HTTP."""

from __future__ import annotations

import json
import math
import uuid
from datetime import timedelta

import mapbox_vector_tile
import pytest
from django.urls import reverse
from django.utils import timezone

from gis_portal.roles import TAX_OFFICER, VIEWER
from taxes.models import Assessment, Payment, TaxYear

pytestmark = pytest.mark.django_db


def _tile(lon: float, lat: float, z: int) -> tuple[int, int, int]:
    n = 2**z
    x = int((lon + 180.0) / 360.0 * n)
    y = int((1.0 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2.0 * n)
    return z, x, y


def _tile_statuses(client, parcel, year=2026, z=17):
    lon, lat = parcel.geom.centroid.coords
    resp = client.get(reverse("tiles:mvt-tax-status", args=[year, *_tile(lon, lat, z)]))
    assert resp.status_code == 200
    data = mapbox_vector_tile.decode(resp.content) if resp.content else {}
    feats = data.get("tax_status", {}).get("features", [])
    for f in feats:
        assert set(f["properties"]) <= {"code", "status"}  # nothing personal
    return {f["properties"]["code"]: f["properties"]["status"] for f in feats}


def _confirmed(*drafts: Assessment, ids: bool = True) -> dict:
    """The confirmation of a bulk issue: the drafts' count and tax, as the confirmation page posts them."""
    form = {
        "confirm": "1",
        "expected_count": str(len(drafts)),
        "expected_total": str(sum(a.total for a in drafts)),
    }
    return form | ({"ids": [a.pk for a in drafts]} if ids else {})


def test_whole_year_over_http(client, register, make_user):
    officer = make_user("officer", register.org, TAX_OFFICER)
    client.force_login(officer)
    slug = register.org.slug
    assert client.get(reverse("taxes:index")).status_code == 200
    assert client.get(reverse("taxes:appraisal", args=[slug, 2026])).status_code == 200
    assert _tile_statuses(client, register.parcels[1])["01A002"] == "not_assessed"
    resp = client.post(reverse("taxes:assess", args=[slug, 2026]))
    assert resp.status_code == 302
    page = client.get(reverse("taxes:review", args=[slug, 2026]))
    assert page.status_code == 200 and "บริษัท ซี จำกัด" in page.content.decode()
    assert _tile_statuses(client, register.parcels[1])["01A002"] == "draft"
    b = Assessment.objects.get(party=register.b)
    # 2026's dates (June-August) have passed: issuing now is refused and asks for the office's dates
    resp = client.post(
        reverse("taxes:review", args=[slug, 2026]), {**_confirmed(b), "issue_selected": "1"}, follow=True
    )
    assert "could not pay in time" in resp.content.decode()
    b.refresh_from_db()
    assert b.status == "draft"
    today = timezone.localdate()
    dates = [(today + timedelta(days=n)).isoformat() for n in (45, 75, 105)]
    refused = client.post(
        reverse("taxes:office-dates", args=[slug, 2026]), {"due_date": dates, "reason": ""}, follow=True
    )
    assert (
        "reason" in refused.content.decode() and not TaxYear.objects.get(pk=register.ty.pk).office_due_dates
    )
    client.post(
        reverse("taxes:office-dates", args=[slug, 2026]),
        {"due_date": dates, "reason": "แบบแจ้งออกล่าช้าเพราะสำรวจทะเบียนใหม่ / the register was resurveyed"},
    )
    client.post(reverse("taxes:review", args=[slug, 2026]), {**_confirmed(b), "issue_selected": "1"})
    b.refresh_from_db()
    assert b.status == "issued" and b.notice_number
    assert [i.due_date.isoformat() for i in b.installments.all()] == dates[:1]  # below 3,000: one payment
    assert b.issue_batch.office_dates and "resurveyed" in b.issue_batch.reason
    assert _tile_statuses(client, register.parcels[1])["01A002"] == "issued_unpaid"
    # the staff map's parcel panel lists the notice and its status for the tax office, not for others
    tax = client.get(f"/map/api/panel/parcels/{register.parcels[1].pk}/").json()["tax"]
    assert [(t["year"], t["notice"], t["total"]) for t in tax] == [(2026, b.notice_number, f"{b.total:,.2f}")]
    assert "issued, unpaid" in tax[0]["status"]
    client.force_login(make_user("gis", register.org, "GIS editor"))
    assert client.get(f"/map/api/panel/parcels/{register.parcels[1].pk}/").json()["tax"] is None
    client.force_login(officer)
    pdf_resp = client.get(reverse("taxes:notice-pdf", args=[b.pk]))
    assert pdf_resp["Content-Type"] == "application/pdf" and pdf_resp.content.startswith(b"%PDF")
    # the calculation (stored compactly) is shown with each line's rule code and its texts
    html = client.get(reverse("taxes:assessment", args=[b.pk])).content.decode()
    assert "rate.other.1" in html and "Land 01A002 (other) 400 sq wah × 1,000.00 baht/sq wah" in html
    assert "อื่น ๆ (นอกจากเกษตรกรรมและที่อยู่อาศัย): ฐานภาษีส่วน 0.00–400,000.00" in html
    assert "resurveyed" in html  # the office's reason is shown with the dates
    form = {
        "action": "pay",
        "amount": "1200.00",
        "paid_on": today.isoformat(),
        "payment_key": str(uuid.uuid4()),
    }
    resp = client.post(reverse("taxes:assessment", args=[b.pk]), form)
    assert resp.status_code == 302, resp.content.decode()
    again = client.post(reverse("taxes:assessment", args=[b.pk]), form, follow=True)  # the form sent twice
    assert "already recorded" in again.content.decode()
    assert _tile_statuses(client, register.parcels[1])["01A002"] == "paid"
    p = Payment.objects.get()
    assert p.receipt_number in again.content.decode()  # the first receipt
    no_key = client.post(reverse("taxes:assessment", args=[b.pk]), {**form, "payment_key": ""}, follow=True)
    assert "reload the page" in no_key.content.decode() and Payment.objects.count() == 1
    assert client.get(reverse("taxes:receipt-pdf", args=[p.pk])).content.startswith(b"%PDF")
    client.post(
        reverse("taxes:review", args=[slug, 2026]),
        {"issue_all": "1", **_confirmed(*Assessment.objects.filter(status="draft"), ids=False)},
    )
    assert not Assessment.objects.filter(status="draft").exists()
    batch = client.get(reverse("taxes:notices-pdf", args=[slug, 2026]))
    assert batch.content.startswith(b"%PDF")
    reports = client.get(reverse("taxes:reports", args=[slug, 2026])).content.decode()
    assert "1,200.00" in reports  # collected from B; C's office dates are still ahead: not in arrears
    c_number = Assessment.objects.get(party=register.c).notice_number
    bank_csv = f"bank_reference,paid_on,amount,ref1,ref2\nB1,2026-04-28,30000.00,{c_number},0\n"
    from django.core.files.uploadedfile import SimpleUploadedFile

    for _ in range(2):
        client.post(
            reverse("taxes:payments-import", args=[slug, 2026]),
            {"file": SimpleUploadedFile("bank.csv", bank_csv.encode(), content_type="text/csv")},
        )
    assert Payment.objects.filter(bank_reference="B1").count() == 1
    assert _tile_statuses(client, register.parcels[2])["01B001"] == "paid"


def test_viewer_reads_but_cannot_act_and_other_orgs_see_nothing(client, register, make_user, mokchampae):
    viewer = make_user("viewer", register.org, VIEWER)
    client.force_login(viewer)
    slug = register.org.slug
    assert client.get(reverse("taxes:reports", args=[slug, 2026])).status_code == 200
    assert client.post(reverse("taxes:assess", args=[slug, 2026])).status_code == 403
    assert not Assessment.objects.exists()
    outsider = make_user("outsider", mokchampae, TAX_OFFICER)
    client.force_login(outsider)
    assert client.get(reverse("taxes:year", args=[slug, 2026])).status_code == 404
    assert client.post(reverse("taxes:assess", args=[slug, 2026])).status_code == 404
    assert _tile_statuses(client, register.parcels[0]) == {}


def test_tax_status_layer_only_for_roles_that_see_tax_data(client, register, make_user):
    from gis_portal.map.selectors import map_context

    viewer = make_user("exec", register.org, VIEWER)
    client.force_login(viewer)
    assert _tile_statuses(client, register.parcels[1])["01A002"] == "not_assessed"
    assert map_context(viewer)["tax_years"] == [{"year": 2026, "year_be": 2569}]
    # A GIS editor or service officer works on the same map but sees no tax status.
    editor = make_user("gis", register.org, "GIS editor", "service officer")
    client.force_login(editor)
    assert _tile_statuses(client, register.parcels[1]) == {}
    assert map_context(editor)["tax_years"] == []


def test_bad_input_says_what_is_wrong(client, register, make_user):
    client.force_login(make_user("officer", register.org, TAX_OFFICER))
    from django.core.files.uploadedfile import SimpleUploadedFile

    resp = client.post(
        reverse("taxes:appraisal", args=[register.org.slug, 2026]),
        {"kind": "building", "file": SimpleUploadedFile("c.csv", b"building_type,cost_per_m2\ncastle,1\n")},
        follow=True,
    )
    assert "unknown building_type" in resp.content.decode()
    assert register.ty.building_costs.count() == 1


def test_tax_quote_api(client, make_user, pangmu):
    client.force_login(make_user("q", pangmu, TAX_OFFICER))
    body = {
        "year": 2026,
        "taxpayer": {"kind": "juristic"},
        "properties": [
            {
                "ref": "x",
                "land": [
                    {
                        "area_sq_wah": "1000",
                        "price_per_sq_wah": "10000",
                        "uses": [{"use": "residential", "share": "0.6"}, {"use": "other", "share": "0.4"}],
                    }
                ],
            }
        ],
    }
    resp = client.post("/api/v1/tax/quote", json.dumps(body), content_type="application/json")
    assert resp.status_code == 200, resp.content
    assert resp.json()["total"] == "13200.00"  # DOMAIN.md worked example 8
    bad = client.post("/api/v1/tax/quote", '{"year": 1990}', content_type="application/json")
    assert bad.status_code == 400 and bad.json()["problems"]
    client.logout()
    assert client.post(
        "/api/v1/tax/quote", json.dumps(body), content_type="application/json"
    ).status_code in (401, 403)
