"""The demo pipeline end to end: ``scripts/demo_run.py`` (what ``make demo`` runs) serves the site with a
worker and beat; an orthomosaic uploaded in the browser is processed and drawn on the staff map with no
other command; Ctrl-C stops every process."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.db import connection

from gis_portal import workers
from gis_portal.roles import GIS_EDITOR, SURVEYOR
from tests.drone.conftest import write_tiff
from tests.e2e.conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

BASE = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _database_url() -> str:
    d = connection.settings_dict
    return f"postgis://{d['USER']}:{d['PASSWORD']}@{d['HOST'] or '127.0.0.1'}:{d['PORT'] or 5432}/{d['NAME']}"


def _wait(predicate, timeout: float, what: str, process: subprocess.Popen, log: Path) -> None:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        assert process.poll() is None, f"the demo exited while waiting for {what}:\n{log.read_text()[-3000:]}"
        time.sleep(0.5)
    pytest.fail(f"no {what} within {timeout:.0f} s:\n{log.read_text()[-3000:]}")


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as r:  # noqa: S310 - a local URL of the test
            return r.status == 200
    except OSError:
        return False


def test_upload_after_make_demo_ends_on_the_map_and_ctrl_c_stops_everything(
    new_page, page_watch, make_user, village, tmp_path, settings
):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    org = village.organisation
    make_user("surveyor", org, SURVEYOR, GIS_EDITOR)
    tiff = write_tiff(tmp_path / "flight-2569.tif", width=400, height=320, valid=(0, 0, 400, 320))
    port = _free_port()
    env = os.environ | {
        "DATABASE_URL": _database_url(),
        "MEDIA_ROOT": str(tmp_path / "media"),
        "IMAGERY_ROOT": str(tmp_path / "media" / "imagery"),
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "DEBUG": "1",
    }
    # Jobs queued by earlier tests into this Redis (for databases that are gone) are dropped first.
    subprocess.run(  # noqa: S603
        [sys.executable, "-m", "celery", "-A", "gis_portal", "purge", "-f", "-Q", "celery,imagery"],
        cwd=BASE, env=env, check=True, capture_output=True, timeout=60,
    )
    from django.core.cache import cache

    cache.delete_many([workers.KEY.format(queue=q) for q in ("celery", "imagery")])
    log = tmp_path / "demo.log"
    with log.open("wb") as out:
        demo = subprocess.Popen(  # noqa: S603
            [sys.executable, str(BASE / "scripts" / "demo_run.py"), "--port", str(port)],
            cwd=BASE, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait(lambda: _answers(f"{url}/accounts/login/"), 90, "web server", demo, log)
        _wait(lambda: workers.worker_status("imagery").alive, 90, "worker heartbeat", demo, log)

        page = new_page(1366, 768)
        login(page, url, "surveyor")
        page.goto(f"{url}/imagery/")
        assert page.locator("#worker-down").count() == 0, "the page says no worker is alive"
        page.select_option("select[name=organisation]", org.slug)
        page.fill("input[name=captured]", "2026-11-20")
        page.fill("input[name=title]", "หมู่ 1 ทดสอบ")
        page.set_input_files("input[name=file]", str(tiff))
        page.click("#ortho-upload button[type=submit]")
        page.wait_for_function(
            "() => /พร้อมใช้งาน|ล้มเหลว|ปฏิเสธ|Refused|failed/i.test("
            "document.querySelector('#upload-message').textContent)",
            timeout=240_000,
        )
        message = page.inner_text("#upload-message")
        assert "พร้อมใช้งาน / Ready" in message, message

        # The staff map: the new imagery is among the layers, and its tiles draw.
        tiles: list[tuple[int, str]] = []
        page.on(
            "response",
            lambda r: tiles.append((r.status, r.headers.get("content-type", "")))
            if "/tiles/ortho/" in r.url else None,
        )
        page.goto(f"{url}/map/")
        page.wait_for_function("() => window.pangmuMap && window.pangmuMap.map", timeout=30_000)
        page.evaluate(
            """() => {
                const m = window.pangmuMap.map;
                const layer = window.pangmuMap.imageryLayers.find((l) => l.getVisible());
                m.getView().fit(layer.getExtent(), { maxZoom: 19 });
            }"""
        )
        page.wait_for_function(
            "() => performance.getEntriesByType('resource').some((e) => e.name.includes('/tiles/ortho/'))",
            timeout=30_000,
        )
        page.wait_for_load_state("networkidle")
        assert any(s == 200 and ct.startswith("image/") for s, ct in tiles), tiles
        page.screenshot(path=str(BASE / "var" / "e2e-demo-pipeline-map.png"))
        page_watch.assert_clean()
    finally:
        if demo.poll() is None:
            os.kill(demo.pid, signal.SIGINT)  # what Ctrl-C sends
        try:
            status = demo.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(demo.pid, signal.SIGKILL)
            raise
    text = log.read_text()
    assert status == 0, text[-3000:]
    assert "[demo] stopped" in text
    pids = [int(p) for p in re.findall(r"\[demo\] started \w+ \(pid (\d+)\)", text)]
    assert len(pids) == 3, text[-3000:]
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
