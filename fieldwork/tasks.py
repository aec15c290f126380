"""Celery task: make a field packet (the basemap can take minutes for a large village)."""

from __future__ import annotations

from celery import shared_task
from django.db import transaction

from . import packets


@shared_task(name="fieldwork.build_packet", acks_late=True, ignore_result=True)
def build_packet_task(packet_id: int) -> None:
    packets.build_packet(packet_id)


def queue_build(packet_id: int) -> None:
    """Make the packet on a worker once the request's transaction has committed."""
    transaction.on_commit(lambda: build_packet_task.delay(packet_id))
