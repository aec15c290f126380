"""The local set-up is idempotent: a second run of `make setup` changes nothing and is fast."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_setup_second_run_changes_nothing():
    started = time.monotonic()
    result = subprocess.run(
        ["bash", "scripts/setup.sh"], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    elapsed = time.monotonic() - started
    assert result.returncode == 0, result.stdout + result.stderr
    for verb in ("installing", "creating", "starting"):
        assert verb not in result.stdout, result.stdout
    assert "ready" in result.stdout
    assert elapsed < 30


def test_ci_runs_make_test_and_compose_lists_the_services():
    assert "make test" in (ROOT / ".ci" / "run").read_text()
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    assert {"db", "redis", "web", "worker"} <= set(compose["services"])
