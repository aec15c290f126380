"""Production settings pass Django's deployment checklist, and every docker-compose service's
command runs here without Docker with the same settings module."""

from __future__ import annotations

import os
import secrets
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def production_env(**extra: str) -> dict[str, str]:
    env = {**os.environ}
    # The browser tests' conftest sets this for Playwright; a deployment never has it.
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    env.update(
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="127.0.0.1,esmart.example",
        SECURE_SSL_REDIRECT="false",  # the test talks plain HTTP on loopback
    )
    env.update(extra)
    return env


def command_of(service: str) -> list[str]:
    command = COMPOSE["services"][service]["command"]
    return command if isinstance(command, list) else shlex.split(command)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_check_deploy_is_clean_with_production_settings():
    env = production_env(SECURE_SSL_REDIRECT="true")
    result = subprocess.run(
        [str(BIN / "python"), "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_compose_services_and_healthchecks():
    services = COMPOSE["services"]
    assert {"db", "redis", "objectstore", "web", "worker", "beat", "proxy"} <= set(services)
    for name in ("db", "redis", "objectstore", "web", "worker"):
        assert "healthcheck" in services[name], name
    for name, service in services.items():
        assert service.get("restart") == "unless-stopped", name


@pytest.mark.slow
def test_web_command_serves_with_gunicorn(db):
    shell = command_of("web")
    assert shell[:2] == ["sh", "-c"]
    gunicorn = shlex.split(shell[2].split("&&")[-1])
    port = free_port()
    gunicorn = [str(BIN / gunicorn[0]), *gunicorn[1:]]
    gunicorn[gunicorn.index("--bind") + 1] = f"127.0.0.1:{port}"
    gunicorn[gunicorn.index("--workers") + 1] = "1"
    proc = subprocess.Popen(
        gunicorn, cwd=ROOT, env=production_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        body = None
        for _ in range(60):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                    body = response.read()
                    headers = response.headers
                break
            except OSError:
                time.sleep(0.5)
        assert body == b'{"status": "ok"}', proc.stdout.read1() if proc.stdout else b""
        assert headers["X-Request-ID"]
        assert "script-src 'self'" in headers["Content-Security-Policy"]
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)


@pytest.mark.slow
@pytest.mark.parametrize("service", ["worker", "beat"])
def test_celery_commands_start(service, tmp_path):
    command = command_of(service)
    command = [str(BIN / command[0]), *command[1:]]
    if "--schedule" in command:
        command[command.index("--schedule") + 1] = str(tmp_path / "celerybeat-schedule")
    if service == "worker":
        # A queue of this test's own, so the worker takes no job queued by anyone else.
        command[command.index("-Q") + 1] = f"deploy-test-{secrets.token_hex(4)}"
        command += ["--hostname", f"deploytest{secrets.token_hex(3)}@%h"]
    proc = subprocess.Popen(
        command, cwd=ROOT, env=production_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    wanted = "ready." if service == "worker" else "beat: Starting..."
    seen = []
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            seen.append(line)
            if wanted in line:
                break
        assert any(wanted in line for line in seen), "".join(seen[-30:])
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.mark.slow
def test_collectstatic_with_production_storage(tmp_path):
    # The manifest storage follows every url() and source map reference: a missing file fails here.
    result = subprocess.run(
        [str(BIN / "python"), "manage.py", "collectstatic", "--noinput"],
        cwd=ROOT,
        env=production_env(STATIC_ROOT=str(tmp_path)),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]
    assert (tmp_path / "staticfiles.json").exists()
    assert list((tmp_path / "vendor" / "ol").glob("ol.*.js"))


def test_compose_file_validates(tmp_path):
    # Debian's docker-compose (1.29, installed by `make setup`) parses and validates the file without a
    # Docker engine; the `docker compose` plugin is not packaged by Debian.
    import shutil

    assert shutil.which("docker-compose"), "make setup installs docker-compose"
    (tmp_path / "docker-compose.yml").write_text((ROOT / "docker-compose.yml").read_text())
    env_example = (ROOT / ".env.example").read_text()
    (tmp_path / ".env").write_text(env_example)
    ok = subprocess.run(
        ["docker-compose", "config", "-q"], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert ok.returncode == 0, ok.stderr
    # Without a database password the file refuses to render (the `:?` guard), so the check can fail.
    (tmp_path / ".env").write_text(
        "\n".join(line for line in env_example.splitlines() if not line.startswith("DB_PASSWORD"))
    )
    bad = subprocess.run(
        ["docker-compose", "config", "-q"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        env={k: v for k, v in os.environ.items() if k != "DB_PASSWORD"},
    )
    assert bad.returncode != 0 and "DB_PASSWORD" in bad.stderr
