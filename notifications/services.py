"""Queue notifications for households and staff, link LINE accounts, handle the LINE webhook.

A notification is a row written in the transaction of the change that caused it; its sending is
queued on Celery only after that transaction commits, so a rolled-back change sends nothing and a
slow or failing provider never holds up the request. If the queue cannot be reached, the row
stays ``queued`` and the periodic :func:`notifications.tasks.resend_stale` picks it up.
"""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from gis_portal.errors import DomainError
from parcels.models import Household, Organisation

from . import conf, line
from .models import Channel, LineChannel, LineLink, LinkCode, Notification, SmsContact
from .phones import thai_mobile

log = logging.getLogger("notifications")

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud or typed on a phone


def _enqueue(ids: list[int]) -> None:
    from .tasks import send_notification

    for pk in ids:
        try:
            send_notification.apply_async((pk,), retry=False)
        except Exception:  # noqa: BLE001 - the broker is down: the periodic resend picks it up
            log.warning("notification %s not queued (broker unavailable); left for the periodic resend", pk)


def _queue(rows: list[Notification]) -> list[Notification]:
    created = []
    for row in rows:
        try:
            with transaction.atomic():
                row.save()
            created.append(row)
        except IntegrityError:
            continue  # this event already went to this address
    ids = [n.pk for n in created]
    if ids:
        transaction.on_commit(lambda: _enqueue(ids))
    return created


def notify_household(*, household: Household, text: str, event: str) -> list[Notification]:
    """Queue ``text`` to every linked LINE account and SMS number of the household (once per event)."""
    rows = [
        Notification(
            organisation_id=household.organisation_id,
            household=household,
            channel=Channel.LINE,
            address=link.line_user_id,
            text=text,
            event=event[:60],
        )
        for link in LineLink.objects.filter(household=household, active=True)
    ] + [
        Notification(
            organisation_id=household.organisation_id,
            household=household,
            channel=Channel.SMS,
            address=contact.phone,
            text=text,
            event=event[:60],
        )
        for contact in SmsContact.objects.filter(household=household, active=True)
    ]
    return _queue(rows)


def notify_staff(*, organisation_id: int, user_ids: list[int], text: str, event: str) -> list[Notification]:
    """Queue ``text`` to the linked LINE accounts of these staff users."""
    rows = [
        Notification(
            organisation_id=organisation_id,
            user_id=link.user_id,
            channel=Channel.LINE,
            address=link.line_user_id,
            text=text,
            event=event[:60],
        )
        for link in LineLink.objects.filter(
            organisation_id=organisation_id, user_id__in=user_ids, active=True
        )
    ]
    return _queue(rows)


# --- linking -----------------------------------------------------------------------------------


def link_code_issue(
    *, organisation: Organisation, household: Household | None = None, user: Any = None
) -> LinkCode:
    """A fresh 8-character code to send from LINE; earlier unused codes of the same owner expire."""
    now = timezone.now()
    owner = {"household": household} if household is not None else {"user": user}
    LinkCode.objects.filter(used_at__isnull=True, expires_at__gt=now, **owner).update(expires_at=now)
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
    return LinkCode.objects.create(
        organisation=organisation,
        code=code,
        expires_at=now + timedelta(minutes=conf.LINK_CODE_MINUTES),
        **owner,
    )


@transaction.atomic
def link_by_code(*, organisation: Organisation, line_user_id: str, code: str) -> LineLink | None:
    """Link the LINE user to the owner of an unused, unexpired code of this office (None if none)."""
    code = "".join(ch for ch in (code or "").upper() if ch.isalnum())[:12]
    found = (
        LinkCode.objects.select_for_update()
        .filter(organisation=organisation, code=code, used_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )
    if found is None or not line_user_id:
        return None
    found.used_at = timezone.now()
    found.save(update_fields=["used_at"])
    link, _ = LineLink.objects.get_or_create(
        organisation=organisation,
        line_user_id=line_user_id,
        household=found.household,
        user=found.user,
        active=True,
    )
    return link


def unlink_line_user(*, organisation: Organisation, line_user_id: str) -> int:
    """The user blocked the office's account: stop sending to them."""
    return LineLink.objects.filter(organisation=organisation, line_user_id=line_user_id, active=True).update(
        active=False
    )


def sms_contact_add(*, household: Household, phone: str) -> SmsContact:
    """Add a Thai mobile number for the household's SMS notifications (refuses other numbers)."""
    number = thai_mobile(phone)
    contact, _ = SmsContact.objects.get_or_create(household=household, phone=number, active=True)
    return contact


def sms_contact_remove(*, household: Household, contact_id: int) -> None:
    SmsContact.objects.filter(household=household, pk=contact_id).update(active=False)


# --- the LINE webhook --------------------------------------------------------------------------

REPLIES = {
    "linked": "เชื่อม LINE กับบ้านเลขที่ {house} แล้ว จะได้รับแจ้งสถานะคำขอ ภาษี และข่าวสำคัญทางนี้ / "
    "Linked to house {house}: you will hear about requests, tax and alerts here.",
    "linked_staff": "เชื่อม LINE กับบัญชีเจ้าหน้าที่แล้ว / Linked to your staff account.",
    "unknown": "ส่งรหัส 8 ตัวจากหน้าบ้านของท่าน (สแกน QR ที่บ้าน แล้วกด “แจ้งเตือนทาง LINE”) / "
    "Send the 8-character code from your household page.",
}


class BadSignature(DomainError):
    status_code = 403


def webhook_handle(*, organisation: Organisation, body: bytes, signature: str) -> int:
    """Check the signature, then handle each event (link codes, follow/unfollow); returns events handled."""
    import json

    channel = LineChannel.objects.filter(organisation=organisation).first()
    if channel is None or not line.signature_ok(body, signature, channel.channel_secret):
        raise BadSignature(
            "bad_signature", "The X-Line-Signature does not match.", "ลายเซ็น X-Line-Signature ไม่ถูกต้อง"
        )
    try:
        payload = json.loads(body)
        events = list(payload.get("events") or [])
    except (ValueError, AttributeError, TypeError):
        raise DomainError(
            "bad_body", "The webhook body is not LINE's JSON.", "ข้อมูลไม่ใช่ JSON ของ LINE"
        ) from None
    handled = 0
    for event in events[:100]:
        if not isinstance(event, dict):
            continue
        user_id = str((event.get("source") or {}).get("userId") or "")[:40]
        kind = event.get("type")
        reply_text = None
        if kind == "unfollow":
            unlink_line_user(organisation=organisation, line_user_id=user_id)
        elif kind == "message" and (event.get("message") or {}).get("type") == "text":
            link = link_by_code(
                organisation=organisation, line_user_id=user_id, code=str(event["message"].get("text", ""))
            )
            if link is None:
                reply_text = REPLIES["unknown"]
            elif link.household_id:
                reply_text = REPLIES["linked"].format(house=link.household.house_number)
            else:
                reply_text = REPLIES["linked_staff"]
        elif kind == "follow":
            reply_text = REPLIES["unknown"]
        handled += 1
        token = event.get("replyToken")
        if reply_text and token:
            transaction.on_commit(lambda t=token, r=reply_text: _reply_quietly(channel.access_token, t, r))
    return handled


def _reply_quietly(access_token: str, reply_token: str, text: str) -> None:
    from .transport import SendError

    try:
        line.reply(access_token=access_token, reply_token=reply_token, text=text)
    except SendError as exc:  # a reply is a courtesy: the link itself is stored
        log.warning("LINE reply failed: %s", exc)
