"""Requeue imagery jobs whose worker died, jobs never started, and purge abandoned uploads."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from drone_ingest import services


class Command(BaseCommand):
    help = "Requeue stale 'processing' imagery jobs (and, with --failed, retryable failures)."

    def add_arguments(self, parser):  # noqa: ANN001, ANN201
        parser.add_argument("--failed", action="store_true", help="also retry failed jobs that are retryable")

    def handle(self, *args, **opts):  # noqa: ANN002, ANN003, ANN201
        purged = services.purge_stale_uploads()
        ids = services.requeue_stale(include_failed=opts["failed"])
        self.stdout.write(f"requeued {len(ids)} job(s) {ids}; purged {purged} abandoned upload(s)")
