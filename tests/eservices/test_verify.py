"""Verification by ID digits + birth year or an SMS code: rate-limited, locked, logged, one household only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from eservices import conf, verification
from eservices.models import VerificationAttempt

from .conftest import id_answer

pytestmark = pytest.mark.django_db


def _verify(client, home, **data):
    return client.post(f"/h/{home.token}/verify/", {"method": "id_year", **data})


def test_right_answer_shows_private_data_in_rai_ngan_wah(client, home):
    r = _verify(client, home, **id_answer(home))
    assert r.status_code == 302 and r["Location"].endswith("#private")
    body = client.get(f"/h/{home.token}/").content.decode()
    assert home.head.first_name in body  # owner
    assert "01A012" in body
    # 60 m × 40 m = 2,400 m² ≈ 1 rai 2 ngan 0 sq wah (geodesic area, a little off the UTM figure).
    assert "1-2-0" in body or "1-1-99" in body
    assert "ไร่-งาน-ตร.ว." in body
    # the 12 m × 10 m building: 120 m² = 30 sq wah
    assert "0-0-30.0" in body or "0-0-29.9" in body
    assert "ยังดูใบแจ้งภาษีทางนี้ไม่ได้" not in body  # the tax app publishes bills (none issued here)
    # welfare: the elder (elderly allowance band) and the toddler (newborn support) not yet registered
    assert "เบี้ยยังชีพผู้สูงอายุ" in body and home.elder.first_name in body
    assert "เงินอุดหนุนเด็กแรกเกิด" in body


def test_birth_year_in_common_era_works_too(client, home):
    answer = id_answer(home) | {"birth_year": str(home.head.birth_date.year)}
    _verify(client, home, **answer)
    assert home.head.first_name in client.get(f"/h/{home.token}/").content.decode()


@pytest.mark.parametrize(
    "data",
    [
        {"id_last4": "0000", "birth_year": "2518"},
        {"id_last4": "", "birth_year": ""},
        {"id_last4": "12ab", "birth_year": "99999"},
    ],
)
def test_wrong_answers_show_nothing_and_are_logged(client, home, data):
    r = _verify(client, home, **data)
    assert r["Location"].endswith("#verify-message")
    body = client.get(f"/h/{home.token}/").content.decode()
    assert home.head.first_name not in body and "ข้อมูลไม่ตรงกับทะเบียน" in body
    attempt = VerificationAttempt.objects.get()
    assert attempt.success is False and attempt.household == home.household and attempt.ip == "127.0.0.1"


def test_locked_after_repeated_failures_even_for_the_right_answer(client, home):
    for _ in range(conf.VERIFY_MAX_FAILURES_PER_DEVICE):
        _verify(client, home, id_last4="0000", birth_year="2500")
    r = _verify(client, home, **id_answer(home))
    assert r.status_code == 303 and r["Location"].endswith("#verify-message")
    body = client.get(f"/h/{home.token}/").content.decode()
    assert home.head.first_name not in body
    assert "ตอบผิดหลายครั้งเกินไปบนโทรศัพท์เครื่องนี้" in body
    assert VerificationAttempt.objects.filter(success=True).count() == 0
    # After the lock window the right answer works again.
    VerificationAttempt.objects.update(
        created_at=timezone.now() - timedelta(minutes=conf.VERIFY_LOCK_MINUTES + 1)
    )
    _verify(client, home, **id_answer(home))
    assert home.head.first_name in client.get(f"/h/{home.token}/").content.decode()


def test_the_lock_holds_one_phone_not_the_family_behind_the_same_address(client, home):
    """Two phones of one family behind one carrier address: the one that kept guessing is locked
    on this sticker; the other still verifies."""
    from django.test import Client

    for _ in range(conf.VERIFY_MAX_FAILURES_PER_DEVICE):
        _verify(client, home, id_last4="0000", birth_year="2500")
    _verify(client, home, **id_answer(home))
    assert home.head.first_name not in client.get(f"/h/{home.token}/").content.decode()
    other_phone = Client()  # same address (127.0.0.1), its own device cookie
    other_phone.post(f"/h/{home.token}/verify/", {"method": "id_year", **id_answer(home)})
    assert home.head.first_name in other_phone.get(f"/h/{home.token}/").content.decode()
    devices = set(VerificationAttempt.objects.values_list("device", flat=True))
    assert len(devices) == 2 and all(len(d) == 64 for d in devices)
    # The cookie's value itself is not stored (only its hash).
    cookie = client.cookies[verification.DEVICE_COOKIE].value
    assert not VerificationAttempt.objects.filter(device__contains=cookie.split(":")[0]).exists()


def test_a_forged_device_cookie_is_a_new_device(client, home):
    client.cookies[verification.DEVICE_COOKIE] = "made-up-device-id-0123456789"
    _verify(client, home, id_last4="0000", birth_year="2500")
    assert client.cookies[verification.DEVICE_COOKIE].value != "made-up-device-id-0123456789"
    assert verification.device_of(_request_with(client)).new is False


def _request_with(client):
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.COOKIES = {k: v.value for k, v in client.cookies.items()}
    return request


def test_an_address_is_slowed_down_never_locked(client, home, other_home, monkeypatch):
    """Past the free failures an address waits a doubling delay (said in seconds); the try made too
    early is not counted; after the wait the right answer works; another address is not slowed."""
    from django.test import Client

    monkeypatch.setattr(conf, "VERIFY_FREE_FAILURES_PER_IP", 3)
    monkeypatch.setattr(conf, "VERIFY_SLOWDOWN_BASE_SECONDS", 2)
    phones = [Client() for _ in range(3)]  # three phones, three stickers' worth of guessing
    for phone, h in zip(phones, (home, other_home, home), strict=True):
        phone.post(f"/h/{h.token}/verify/", {"method": "id_year", "id_last4": "0000", "birth_year": "2500"})
    assert verification.slowdown_seconds(3, 3) == 2 and verification.slowdown_seconds(5, 3) == 8
    fresh = Client()
    r = fresh.post(f"/h/{other_home.token}/verify/", {"method": "id_year", **id_answer(other_home)})
    assert r.status_code == 303
    body = fresh.get(f"/h/{other_home.token}/").content.decode()
    assert other_home.head.first_name not in body
    assert "กรุณาลองใหม่ในอีก" in body and "วินาที" in body
    assert VerificationAttempt.objects.count() == 3  # the early try was not counted
    elsewhere = Client(REMOTE_ADDR="10.0.0.7")
    elsewhere.post(f"/h/{other_home.token}/verify/", {"method": "id_year", **id_answer(other_home)})
    assert other_home.head.first_name in elsewhere.get(f"/h/{other_home.token}/").content.decode()
    # Once the wait is over the same address gets in: the slowdown is not a lock.
    VerificationAttempt.objects.update(created_at=timezone.now() - timedelta(seconds=3))
    fresh.post(f"/h/{other_home.token}/verify/", {"method": "id_year", **id_answer(other_home)})
    assert other_home.head.first_name in fresh.get(f"/h/{other_home.token}/").content.decode()


def test_a_sticker_guessed_from_many_fresh_devices_is_slowed_down(home, monkeypatch):
    """Clearing the cookie makes a new device, but the sticker's own slowdown still holds."""
    from django.test import Client

    monkeypatch.setattr(conf, "VERIFY_FREE_FAILURES_PER_TOKEN", 4)
    monkeypatch.setattr(conf, "VERIFY_FREE_FAILURES_PER_IP", 1000)
    for i in range(4):
        Client(REMOTE_ADDR=f"10.1.0.{i + 1}").post(
            f"/h/{home.token}/verify/", {"method": "id_year", "id_last4": "0000", "birth_year": "2500"}
        )
    late = Client(REMOTE_ADDR="10.1.0.99")
    late.post(f"/h/{home.token}/verify/", {"method": "id_year", **id_answer(home)})
    body = late.get(f"/h/{home.token}/").content.decode()
    assert home.head.first_name not in body and "วินาที" in body


def test_the_answer_is_said_inside_the_verification_card(client, home):
    _verify(client, home, id_last4="0000", birth_year="2500")
    body = client.get(f"/h/{home.token}/").content.decode()
    card = body[body.index('id="verify"') :]
    assert 'id="verify-message"' in card and "ข้อมูลไม่ตรงกับทะเบียน" in card
    assert body.count("ข้อมูลไม่ตรงกับทะเบียน") == 1  # not also at the top of the page


def test_sms_code_verifies_once(client, home, outbox):
    r = client.post(f"/h/{home.token}/verify/", {"method": "otp_send"})
    assert r.status_code == 302
    assert len(outbox) == 1 and outbox[0][0] == home.head.phone
    code = outbox[0][1].split()[2]
    assert code.isdigit() and len(code) == 6
    assert "xxx-xxx-5678" in client.get(f"/h/{home.token}/").content.decode()
    client.post(f"/h/{home.token}/verify/", {"method": "otp", "code": code})
    assert home.head.first_name in client.get(f"/h/{home.token}/").content.decode()
    # The code cannot be used again from another phone.
    from django.test import Client

    other = Client()
    other.post(f"/h/{home.token}/verify/", {"method": "otp", "code": code})
    assert home.head.first_name not in other.get(f"/h/{home.token}/").content.decode()


def test_wrong_sms_code_counts_as_failure(client, home, outbox):
    client.post(f"/h/{home.token}/verify/", {"method": "otp_send"})
    client.post(
        f"/h/{home.token}/verify/",
        {"method": "otp", "code": "000000" if outbox[0][1].split()[2] != "000000" else "111111"},
    )
    assert VerificationAttempt.objects.filter(method="otp", success=False).count() == 1


def test_verification_is_scoped_to_one_household(client, home, other_home):
    _verify(client, home, **id_answer(home))
    assert home.head.first_name in client.get(f"/h/{home.token}/").content.decode()
    other_body = client.get(f"/h/{other_home.token}/").content.decode()
    assert other_home.head.first_name not in other_body and home.head.first_name not in other_body
    # One household's answer does not open another household.
    _verify(client, other_home, **id_answer(home))
    assert other_home.head.first_name not in client.get(f"/h/{other_home.token}/").content.decode()


def test_reissued_sticker_ends_the_verified_session(client, home):
    from eservices import services

    _verify(client, home, **id_answer(home))
    new = services.token_issue(household=home.household)
    assert home.head.first_name not in client.get(f"/h/{new}/").content.decode()


def test_verified_session_expires(client, home, monkeypatch):
    _verify(client, home, **id_answer(home))
    session = client.session
    session["eserv_verified"]["exp"] = timezone.now().timestamp() - 1
    session.save()
    assert home.head.first_name not in client.get(f"/h/{home.token}/").content.decode()


def test_sending_a_code_does_not_reset_the_failure_count(client, home, outbox, monkeypatch):
    monkeypatch.setattr(conf, "VERIFY_MAX_FAILURES_PER_DEVICE", 2)
    _verify(client, home, id_last4="0000", birth_year="2500")
    client.post(f"/h/{home.token}/verify/", {"method": "otp_send"})
    _verify(client, home, id_last4="0000", birth_year="2500")
    _verify(client, home, **id_answer(home))
    assert home.head.first_name not in client.get(f"/h/{home.token}/").content.decode()
