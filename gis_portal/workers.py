"""Is a background worker alive for a queue? Each Celery worker writes a heartbeat per queue it consumes.

A worker started with ``celery -A gis_portal worker`` runs :class:`HeartbeatStep` (registered in
:mod:`gis_portal.celery`): on start and every ``HEARTBEAT_SECONDS`` it stores the time in the shared
cache (Redis) under one key per queue. A page that queues work (imagery uploads, the yearly run) calls
:func:`worker_status` and says, in Thai and English, when no worker has been seen for
``STALE_AFTER_SECONDS``: the job then waits in the queue until one starts, and nothing is lost.

The cache is the site's Redis, shared by every web and worker process, so the answer holds across
machines. A Redis outage reads as "no worker seen", which is also true: the broker is that Redis.
"""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from celery import bootsteps
from django.conf import settings
from django.core.cache import cache

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 15
STALE_AFTER_SECONDS = 60
KEY = "workers:heartbeat:{queue}"


@dataclass(frozen=True)
class WorkerStatus:
    """What a page says about the workers of a queue."""

    queue: str
    alive: bool
    last_seen: float | None  # Unix time of the newest heartbeat, None when never seen (or expired)
    hostname: str = ""

    @property
    def message_th(self) -> str:
        if self.alive:
            return ""
        return (
            "ไม่มีตัวประมวลผลเบื้องหลังทำงานอยู่ งานจะรอคิวจนกว่าจะเริ่มตัวประมวลผล "
            f"(make demo หรือ celery -A gis_portal worker -Q {self.queue})"
        )

    @property
    def message_en(self) -> str:
        if self.alive:
            return ""
        return (
            "No background worker is running: the job waits in the queue until one starts "
            f"(make demo, or celery -A gis_portal worker -Q {self.queue})"
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "queue": self.queue,
            "alive": self.alive,
            "last_seen": self.last_seen,
            "message_th": self.message_th,
            "message_en": self.message_en,
        }


def record_heartbeat(queues: Iterable[str], hostname: str, now: float | None = None) -> None:
    """Store "a worker consuming these queues was alive at ``now``" (expires on its own)."""
    now = time.time() if now is None else now
    value = {"at": now, "host": hostname}
    cache.set_many({KEY.format(queue=q): value for q in queues}, timeout=STALE_AFTER_SECONDS * 2)


def worker_status(queue: str, now: float | None = None) -> WorkerStatus:
    """Whether a worker consuming ``queue`` sent a heartbeat in the last ``STALE_AFTER_SECONDS``.

    With ``CELERY_TASK_ALWAYS_EAGER`` every task runs in the web process, so there is always a worker.
    """
    if getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False):
        return WorkerStatus(queue=queue, alive=True, last_seen=None, hostname="eager")
    now = time.time() if now is None else now
    seen = cache.get(KEY.format(queue=queue))
    if not isinstance(seen, dict) or not isinstance(seen.get("at"), int | float):
        return WorkerStatus(queue=queue, alive=False, last_seen=None)
    at = float(seen["at"])
    return WorkerStatus(
        queue=queue, alive=now - at <= STALE_AFTER_SECONDS, last_seen=at, hostname=str(seen.get("host", ""))
    )


class HeartbeatStep(bootsteps.StartStopStep):
    """Worker boot step: a heartbeat per consumed queue, on the worker's own timer (no extra thread)."""

    requires = {"celery.worker.components:Timer"}

    def __init__(self, worker: Any, **kwargs: Any) -> None:
        super().__init__(worker, **kwargs)
        self.tref: Any = None

    def _queues(self, worker: Any) -> list[str]:
        try:
            return sorted(q.name for q in worker.app.amqp.queues.consume_from.values())
        except Exception:  # noqa: BLE001 - a worker without a queue list still beats for the default queue
            return [worker.app.conf.task_default_queue]

    def _beat(self, worker: Any) -> None:
        try:
            record_heartbeat(self._queues(worker), worker.hostname or socket.gethostname())
        except Exception:  # noqa: BLE001 - a missed beat must never stop the worker
            log.exception("worker heartbeat not written")

    def start(self, worker: Any) -> None:
        self._beat(worker)
        self.tref = worker.timer.call_repeatedly(HEARTBEAT_SECONDS, self._beat, (worker,), priority=10)

    def stop(self, worker: Any) -> None:
        if self.tref is not None:
            self.tref.cancel()
            self.tref = None
