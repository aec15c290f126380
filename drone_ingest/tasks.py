"""Celery tasks of the imagery pipeline (queue "imagery": run a worker with ``-Q imagery -c 1``)."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(
    bind=True,
    name="drone_ingest.process_orthomosaic",
    queue="imagery",
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
)
def process_orthomosaic_task(self, ortho_id: int) -> str | None:  # noqa: ANN001
    """Process one orthomosaic; a redelivery (same task id) after a crash takes its own job over."""
    token = f"celery-{self.request.id or 'eager'}"
    return services.process_orthomosaic(ortho_id, token=token)


@shared_task(name="drone_ingest.requeue_stale", queue="imagery", ignore_result=True)
def requeue_stale_task() -> list[int]:
    """Periodic (celery beat): requeue jobs whose worker died, and purge abandoned uploads."""
    services.purge_stale_uploads()
    return services.requeue_stale()
