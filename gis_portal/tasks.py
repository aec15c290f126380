"""Scheduled jobs of the whole site (run by Celery beat; see CELERY_BEAT_SCHEDULE in settings)."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

from celery import shared_task
from django.conf import settings

from . import storage
from .backup import backup, prune
from .backup_store import backup_to_store, prune_store

log = logging.getLogger(__name__)


@shared_task(bind=True, acks_late=True, autoretry_for=(OSError,), retry_backoff=60, max_retries=3)
def nightly_backup(self) -> str:  # noqa: ANN001
    """Back up into BACKUP_ROOT/<UTC date and time> (or, with an object store, into its backups/) and
    keep the newest BACKUP_KEEP backups."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    if storage.configured():
        backup_to_store(stamp, progress=log.info)
        removed_names = prune_store(settings.BACKUP_KEEP)
        log.info(
            "nightly backup %s written to the object store; %d old backup(s) removed",
            stamp,
            len(removed_names),
        )
        return f"store:{stamp}"
    root = Path(settings.BACKUP_ROOT)
    folder = root / stamp
    if folder.exists():  # a retry of a run that got this far: start that folder again
        import shutil

        shutil.rmtree(folder)
    backup(folder, progress=log.info)
    removed = prune(root, settings.BACKUP_KEEP)
    log.info("nightly backup %s written; %d old backup(s) removed", folder, len(removed))
    return str(folder)
