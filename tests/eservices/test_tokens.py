"""Sticker tokens: unguessable, stored only hashed, revocable; bad tokens reveal nothing."""

from __future__ import annotations

import hashlib

import pytest

from eservices import services
from eservices.models import HouseholdToken

pytestmark = pytest.mark.django_db


def test_token_is_long_random_and_only_its_hash_is_stored(home):
    assert len(home.token) >= 22  # ≥ 128 bits of urlsafe base64
    row = HouseholdToken.objects.get(household=home.household, revoked_at__isnull=True)
    assert row.token_hash == hashlib.sha256(home.token.encode()).hexdigest()
    assert home.token not in {getattr(row, f.attname) for f in HouseholdToken._meta.fields}


def test_reissue_kills_the_old_sticker(client, home):
    assert client.get(f"/h/{home.token}/").status_code == 200
    new = services.token_issue(household=home.household)
    assert new != home.token
    assert client.get(f"/h/{home.token}/").status_code == 404
    assert client.get(f"/h/{new}/").status_code == 200
    assert HouseholdToken.objects.filter(household=home.household, revoked_at__isnull=True).count() == 1


def test_forged_revoked_and_mistyped_tokens_get_the_same_plain_page(client, home):
    revoked = home.token
    services.token_revoke(household=home.household)
    answers = [
        client.get(f"/h/{revoked}/"),
        client.get("/h/AAAAAAAAAAAAAAAAAAAAAAAA/"),
        client.get(f"/h/{revoked[:-1]}x/"),
        client.get("/h/" + "z" * 300 + "/"),
    ]
    bodies = {r.content for r in answers}
    assert {r.status_code for r in answers} == {404}
    assert len(bodies) == 1, "unknown and revoked tokens must be indistinguishable"
    body = answers[0].content.decode()
    assert "สติกเกอร์ไม่ถูกต้อง" in body
    for secret in (home.household.house_number, "ไทใหญ่", home.household.organisation.name_th, "หมู่ 1"):
        assert secret not in body
    # Sub-pages of a bad token answer the same way.
    assert client.get(f"/h/{revoked}/s/septic_pumping/").content == answers[0].content
    assert client.post(f"/h/{revoked}/verify/", {"id_last4": "0000"}).status_code == 404


def test_page_shows_the_household_and_no_private_data_before_verification(client, home):
    r = client.get(f"/h/{home.token}/")
    body = r.content.decode()
    assert r.status_code == 200
    assert home.household.house_number in body and "บ้านปางหมู" in body
    assert "<svg" in body and 'class="parcel"' in body and 'class="house"' in body
    assert "ขอสูบสิ่งปฏิกูล" in body and "icons.svg#ambulance" in body
    assert home.head.first_name not in body and home.head.national_id[-4:] not in body
    assert r["Cache-Control"].startswith("max-age=0") or "no-cache" in r["Cache-Control"]
    assert r["Referrer-Policy"] == "same-origin"


def test_english_switch_is_kept_in_a_cookie(client, home):
    r = client.get(f"/h/{home.token}/?lang=en")
    assert "House no." in r.content.decode() and r.cookies["eserv_lang"].value == "en"
    r = client.get(f"/h/{home.token}/")
    assert "House no." in r.content.decode()
    assert "บ้านเลขที่" in client.get(f"/h/{home.token}/?lang=th").content.decode()


def test_first_load_is_small(client, home):
    from django.contrib.staticfiles import finders

    page = len(client.get(f"/h/{home.token}/").content)
    from pathlib import Path

    css, js, icons = (
        Path(finders.find(f"eservices/{name}")).stat().st_size
        for name in ("resident.css", "resident.js", "icons.svg")
    )
    assert page + css + js + icons < 300 * 1024
    assert page + css + js + icons < 40 * 1024  # far below the budget: no map library on first load


def test_resident_page_query_count_is_constant(client, home, django_assert_max_num_queries):
    client.get(f"/h/{home.token}/")
    with django_assert_max_num_queries(8):
        client.get(f"/h/{home.token}/")
