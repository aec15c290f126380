"""Worker liveness: a real Celery worker's heartbeat, and the imagery page saying when none is alive."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.cache import cache
from django.urls import reverse

from gis_portal import workers
from gis_portal.roles import SURVEYOR

BASE = Path(__file__).resolve().parents[2]


@pytest.fixture
def no_heartbeat():  # noqa: ANN201
    keys = [workers.KEY.format(queue=q) for q in ("imagery", "celery")]
    cache.delete_many(keys)
    yield
    cache.delete_many(keys)


def test_status_follows_the_heartbeat_and_goes_stale(no_heartbeat, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    assert workers.worker_status("imagery").alive is False
    assert workers.worker_status("imagery").last_seen is None
    workers.record_heartbeat(["imagery"], "w1@host", now=1000.0)
    assert workers.worker_status("imagery", now=1000.0 + workers.STALE_AFTER_SECONDS).alive is True
    stale = workers.worker_status("imagery", now=1001.0 + workers.STALE_AFTER_SECONDS)
    assert stale.alive is False and stale.last_seen == 1000.0
    assert "celery -A gis_portal worker -Q imagery" in stale.message_en
    assert "ไม่มีตัวประมวลผล" in stale.message_th
    # Another queue is not made alive by this one's heartbeat.
    assert workers.worker_status("celery", now=1000.0).alive is False


def test_eager_tasks_always_have_a_worker(no_heartbeat, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    assert workers.worker_status("imagery").alive is True


@pytest.mark.slow
def test_a_real_worker_beats_for_each_queue_it_consumes(no_heartbeat, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    worker = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "celery", "-A", "gis_portal", "worker", "-Q", "imagery", "-c", "1",
         "-n", f"heartbeat-test-{os.getpid()}@%h", "--without-mingle", "--without-gossip"],
        cwd=BASE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not workers.worker_status("imagery").alive:
            assert worker.poll() is None, "the worker exited"
            time.sleep(0.5)
        status = workers.worker_status("imagery")
        assert status.alive, "no heartbeat within 60 s"
        assert status.hostname.startswith("heartbeat-test-")
        # It does not consume the default queue, so it says nothing about it.
        assert workers.worker_status("celery").alive is False
    finally:
        worker.terminate()
        worker.wait(timeout=30)


@pytest.mark.django_db
def test_imagery_page_and_job_status_say_when_no_worker_is_alive(
    client, make_user, pangmu, no_heartbeat, settings, tmp_path
):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.IMAGERY_ROOT = str(tmp_path / "imagery")
    client.force_login(make_user("surveyor1", pangmu, SURVEYOR))
    page = client.get(reverse("drone_ingest:index")).content.decode()
    assert 'id="worker-down"' in page
    assert "ไม่มีตัวประมวลผลเบื้องหลังทำงานอยู่" in page and "No background worker is running" in page

    workers.record_heartbeat(["imagery", "celery"], "w1@host")
    page = client.get(reverse("drone_ingest:index")).content.decode()
    assert 'id="worker-down"' not in page


@pytest.mark.django_db
def test_job_status_carries_the_worker_state(client, make_user, pangmu, no_heartbeat, settings, tmp_path):
    from drone_ingest.models import Orthomosaic

    settings.CELERY_TASK_ALWAYS_EAGER = False
    user = make_user("surveyor1", pangmu, SURVEYOR)
    client.force_login(user)
    ortho = Orthomosaic.objects.create(
        organisation=pangmu, captured_on="2026-01-15", source_name="a.tif", file_size=1, sha256="0" * 64
    )
    body = client.get(reverse("drone_ingest:status", args=[ortho.pk])).json()
    assert body["worker"]["alive"] is False and body["worker"]["message_en"]
    workers.record_heartbeat(["imagery"], "w1@host")
    body = client.get(reverse("drone_ingest:status", args=[ortho.pk])).json()
    assert body["worker"] == {
        "queue": "imagery", "alive": True, "last_seen": body["worker"]["last_seen"],
        "message_th": "", "message_en": "",
    }
