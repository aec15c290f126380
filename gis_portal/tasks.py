"""Scheduled jobs of the whole site (run by Celery beat; see CELERY_BEAT_SCHEDULE in settings)."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

from celery import shared_task
from django.conf import settings

from .backup import backup, prune

log = logging.getLogger(__name__)


@shared_task(bind=True, acks_late=True, autoretry_for=(OSError,), retry_backoff=60, max_retries=3)
def nightly_backup(self) -> str:  # noqa: ANN001
    """Back up into BACKUP_ROOT/<UTC date and time> and keep the newest BACKUP_KEEP backups."""
    root = Path(settings.BACKUP_ROOT)
    folder = root / dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    if folder.exists():  # a retry of a run that got this far: start that folder again
        import shutil

        shutil.rmtree(folder)
    backup(folder, progress=log.info)
    removed = prune(root, settings.BACKUP_KEEP)
    log.info("nightly backup %s written; %d old backup(s) removed", folder, len(removed))
    return str(folder)
