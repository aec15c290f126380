"""Word back to the household: LINE linking by webhook, status changes pushed, SMS, retries, bad input."""

from __future__ import annotations

import json

import pytest

from eservices import services as eservices
from gis_portal.errors import DomainError
from notifications import line, services
from notifications.models import LineLink, LinkCode, Notification, SmsContact
from notifications.phones import international, thai_mobile

from .conftest import LINE_SECRET, LINE_USER

pytestmark = pytest.mark.django_db


def signed(body: dict, secret: str = LINE_SECRET) -> tuple[bytes, str]:
    raw = json.dumps(body, ensure_ascii=False).encode()
    return raw, line.signature(raw, secret)


def message_event(text: str, user: str = LINE_USER) -> dict:
    return {
        "destination": "Uxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        "events": [
            {
                "type": "message",
                "mode": "active",
                "timestamp": 1764662400000,
                "webhookEventId": "01JEXAMPLE",
                "deliveryContext": {"isRedelivery": False},
                "replyToken": "b60d432864f44d079f6d8efe86cf404b",
                "source": {"type": "user", "userId": user},
                "message": {"id": "444573844083572737", "type": "text", "quoteToken": "q", "text": text},
            }
        ],
    }


def test_signature_is_base64_hmac_sha256_of_the_body():
    # As LINE documents it: base64 of the binary HMAC-SHA256 digest of the raw body, keyed by the secret.
    import base64
    import hashlib
    import hmac

    body = b'{"events":[]}'
    expected = base64.b64encode(hmac.new(LINE_SECRET.encode(), body, hashlib.sha256).digest()).decode()
    assert line.signature(body, LINE_SECRET) == expected
    assert line.signature_ok(body, expected, LINE_SECRET)
    assert not line.signature_ok(body + b" ", expected, LINE_SECRET)
    assert not line.signature_ok(body, "", LINE_SECRET)


def link(client, home, providers) -> LineLink:
    code = services.link_code_issue(organisation=home.household.organisation, household=home.household).code
    raw, sig = signed(message_event(f"  {code.lower()} "))
    resp = client.post(
        "/notify/line/pangmu/webhook", raw, content_type="application/json", HTTP_X_LINE_SIGNATURE=sig
    )
    assert resp.status_code == 200, resp.content
    return LineLink.objects.get(line_user_id=LINE_USER)


def test_link_by_code_then_a_status_change_is_pushed(
    client, home, officer, providers, eager, line_channel, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        linked = link(client, home, providers)
    assert linked.household == home.household
    assert "12/1" in providers.replied[0]["messages"][0]["text"]
    req, _ = eservices.service_request_submit(
        household=home.household,
        service_type=home.household.organisation.service_types.get(code="water_connection"),
        nonce="n1",
        form={"phone": "0812345678"},
    )
    with django_capture_on_commit_callbacks(execute=True):
        eservices.request_change_status(
            request_id=req.pk, to_status="accepted", comment="ช่างไปวันพุธ", user=officer
        )
    [push] = providers.pushed
    assert push["to"] == LINE_USER and push["retry_key"]
    assert (
        f"R{req.pk:06d}" in push["texts"][0]
        and "รับเรื่องแล้ว" in push["texts"][0]
        and "ช่างไปวันพุธ" in push["texts"][0]
    )
    assert Notification.objects.get().status == "sent"


def test_a_used_or_expired_code_links_nothing(client, home, providers, line_channel):
    code = services.link_code_issue(organisation=home.household.organisation, household=home.household)
    LinkCode.objects.filter(pk=code.pk).update(
        expires_at=code.created_at if hasattr(code, "created_at") else code.expires_at.replace(year=2000)
    )
    raw, sig = signed(message_event(code.code))
    assert (
        client.post(
            "/notify/line/pangmu/webhook", raw, content_type="application/json", HTTP_X_LINE_SIGNATURE=sig
        ).status_code
        == 200
    )
    assert not LineLink.objects.exists()


@pytest.mark.parametrize("how", ["wrong_secret", "no_header", "body_changed"])
def test_a_webhook_with_a_bad_signature_is_refused_and_stores_nothing(
    client, home, providers, line_channel, how
):
    code = services.link_code_issue(organisation=home.household.organisation, household=home.household).code
    raw, sig = signed(message_event(code), secret="another-secret" if how == "wrong_secret" else LINE_SECRET)
    headers = {} if how == "no_header" else {"HTTP_X_LINE_SIGNATURE": sig}
    if how == "body_changed":
        raw = raw.replace(LINE_USER.encode(), b"U" + b"0" * 32)
    resp = client.post("/notify/line/pangmu/webhook", raw, content_type="application/json", **headers)
    assert resp.status_code == 403 and resp.json()["code"] == "bad_signature"
    assert not LineLink.objects.exists()
    assert LinkCode.objects.get(code=code).used_at is None


def test_unfollow_stops_the_messages(client, home, providers, line_channel):
    link(client, home, providers)
    raw, sig = signed({"events": [{"type": "unfollow", "source": {"type": "user", "userId": LINE_USER}}]})
    client.post(
        "/notify/line/pangmu/webhook", raw, content_type="application/json", HTTP_X_LINE_SIGNATURE=sig
    )
    assert not LineLink.objects.filter(active=True).exists()


def test_transient_failures_are_retried_without_sending_twice(
    client, home, officer, providers, eager, line_channel, django_capture_on_commit_callbacks
):
    link(client, home, providers)
    n = services.notify_household(household=home.household, text="ทดสอบ", event="test:1")
    providers.fail_next = [500, 429]
    with django_capture_on_commit_callbacks(execute=True):
        pass
    from notifications.tasks import send_notification

    send_notification.apply(args=(n[0].pk,))
    n[0].refresh_from_db()
    assert n[0].status == "sent" and n[0].attempts == 3
    assert len(providers.pushed) == 1


def test_a_refused_message_fails_for_good(client, home, providers, eager, line_channel):
    from notifications.tasks import send_notification

    link(client, home, providers)
    [n] = services.notify_household(household=home.household, text="x", event="test:2")
    providers.fail_next = [400]
    assert send_notification.apply(args=(n.pk,)).get() == "failed"
    n.refresh_from_db()
    assert n.status == "failed" and "400" in n.last_error


def test_the_same_event_is_sent_once_per_address(client, home, providers, line_channel):
    link(client, home, providers)
    assert len(services.notify_household(household=home.household, text="x", event="e:1")) == 1
    assert services.notify_household(household=home.household, text="x", event="e:1") == []


def test_sms_goes_through_thaibulksms(home, providers, eager):
    from notifications.tasks import send_notification

    services.sms_contact_add(household=home.household, phone="081-234-5678")
    [n] = services.notify_household(household=home.household, text="ภาษีของท่าน", event="test:sms")
    assert send_notification.apply(args=(n.pk,)).get() == "sent"
    [sms] = providers.sms
    assert sms["msisdn"] == "66812345678" and sms["message"] == "ภาษีของท่าน" and sms["sender"] == "PangMu"


@pytest.mark.parametrize(
    "bad", ["+14155550100", "053613341", "02-123-4567", "0812345", "๐๘๑๒๓๔๕๖๗๘x", "", "0812345678901"]
)
def test_a_phone_number_that_is_not_a_thai_mobile_is_refused(home, bad):
    with pytest.raises(DomainError) as exc:
        services.sms_contact_add(household=home.household, phone=bad)
    assert exc.value.code == "not_thai_mobile" and "06 08" in exc.value.message_th
    assert not SmsContact.objects.exists()


def test_thai_mobile_forms():
    assert thai_mobile("+66 81 234 5678") == "0812345678"
    assert thai_mobile("66912345678") == "0912345678"
    assert international("0612345678") == "66612345678"


def test_a_broker_outage_does_not_fail_the_change(
    home, officer, line_channel, monkeypatch, django_capture_on_commit_callbacks
):
    from notifications import tasks

    def down(*args, **kwargs):
        raise ConnectionError("redis down")

    monkeypatch.setattr(tasks.send_notification, "apply_async", down)
    LineLink.objects.create(
        organisation=home.household.organisation, household=home.household, line_user_id=LINE_USER
    )
    req, _ = eservices.service_request_submit(
        household=home.household,
        service_type=home.household.organisation.service_types.get(code="water_connection"),
        nonce="n2",
        form={"phone": "0812345678"},
    )
    with django_capture_on_commit_callbacks(execute=True):
        eservices.request_change_status(request_id=req.pk, to_status="accepted", user=officer)
    assert Notification.objects.get().status == "queued"  # left for resend_stale
