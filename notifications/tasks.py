"""Celery tasks: send one notification (retried with backoff), resend what was never queued."""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from eservices.sms import get_backend

from . import conf, line
from .models import Channel, LineChannel, Notification, NotificationStatus
from .transport import SendError, TransientSendError

log = logging.getLogger("notifications")


@shared_task(bind=True, acks_late=True, max_retries=conf.MAX_ATTEMPTS - 1)
def send_notification(self, notification_id: int) -> str:  # noqa: ANN001
    """Send one queued message; transient failures are retried with growing delays (1, 2, 4… min)."""
    with transaction.atomic():
        n = Notification.objects.select_for_update().filter(pk=notification_id).first()
        if n is None or n.status != NotificationStatus.QUEUED:
            return "skipped"
        n.attempts += 1
        try:
            n.provider_id = _deliver(n)[:64]
        except TransientSendError as exc:
            n.last_error = str(exc)[:300]
            if n.attempts >= conf.MAX_ATTEMPTS:
                n.status = NotificationStatus.FAILED
            n.save(update_fields=["attempts", "last_error", "status"])
            if n.status == NotificationStatus.FAILED:
                log.warning("notification %s failed for good: %s", n.pk, exc)
                return "failed"
            retry = True
        except SendError as exc:
            n.status = NotificationStatus.FAILED
            n.last_error = str(exc)[:300]
            n.save(update_fields=["attempts", "last_error", "status"])
            log.warning("notification %s refused: %s", n.pk, exc)
            return "failed"
        else:
            n.status = NotificationStatus.SENT
            n.sent_at = timezone.now()
            n.last_error = ""
            n.save(update_fields=["attempts", "provider_id", "status", "sent_at", "last_error"])
            return "sent"
    if retry:
        raise self.retry(countdown=60 * 2 ** (n.attempts - 1))
    return "queued"


def _deliver(n: Notification) -> str:
    if n.channel == Channel.LINE:
        channel = LineChannel.objects.filter(organisation_id=n.organisation_id).first()
        if channel is None:
            raise SendError("the office has no LINE channel configured")
        return line.push(
            access_token=channel.access_token, to=n.address, text=n.text, retry_key=str(n.retry_key)
        )
    return str(get_backend(conf.sms_backend()).send(n.address, n.text) or "")


@shared_task
def resend_stale(minutes: int = 10) -> int:
    """Queue again the messages still waiting after ``minutes`` (the broker was down, a worker died)."""
    cutoff = timezone.now() - timedelta(minutes=minutes)
    ids = list(
        Notification.objects.filter(status=NotificationStatus.QUEUED, created_at__lt=cutoff).values_list(
            "pk", flat=True
        )[:1000]
    )
    for pk in ids:
        send_notification.apply_async((pk,), retry=False)
    return len(ids)


@shared_task
def announce_bills_all() -> int:
    """Daily: tell every office's households about new notices and installments falling due."""
    from parcels.models import Organisation

    from .receivers import announce_bills

    return sum(announce_bills(pk) for pk in Organisation.objects.values_list("pk", flat=True))
