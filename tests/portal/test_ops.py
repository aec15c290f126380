"""Operations: health probes, login lockout, CSP header, backup and restore."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import psycopg
import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from gis_portal import backup as backup_module
from parcels import services
from tests.conftest import utm_point, utm_rect


def test_healthz_and_readyz(client, db):
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200, ready.content
    assert set(ready.json()["checks"]) == {"database", "redis", "media"}


def test_readyz_reports_a_dead_redis(client, db, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["checks"]["redis"]["ok"] is False
    assert ready.json()["checks"]["database"]["ok"] is True


def test_request_id_and_csp_headers(client, db):
    response = client.get("/accounts/login/", HTTP_X_REQUEST_ID="abc-123")
    assert response["X-Request-ID"] == "abc-123"
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert client.get("/accounts/login/", HTTP_X_REQUEST_ID="bad id\n")["X-Request-ID"] != "bad id\n"


@pytest.mark.django_db
def test_login_lockout_after_repeated_failures(make_user, settings):
    from django.test import Client

    settings.LOGIN_MAX_FAILURES = 3
    username = f"somsri{uuid.uuid4().hex[:6]}"
    address = f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.7"  # counters of this test only
    client = Client(REMOTE_ADDR=address)
    make_user(username)
    for _ in range(3):
        response = client.post(reverse("login"), {"username": username, "password": "wrong"})
        assert response.status_code == 200 and not response.wsgi_request.user.is_authenticated
    locked = client.post(reverse("login"), {"username": username, "password": "x-Pass-2569!"})
    assert "locked" in locked.content.decode() and not locked.wsgi_request.user.is_authenticated
    admin_locked = client.post("/admin/login/", {"username": username, "password": "x-Pass-2569!"})
    assert not admin_locked.wsgi_request.user.is_authenticated
    # Another address is not locked out by this one's failures... but the user name still is.
    other = Client(REMOTE_ADDR="10.255.255.1").post(reverse("login"), {"username": username, "password": "x"})
    assert "locked" in other.content.decode()
    # Once the window has passed, the right password works again.
    from gis_portal.audit.models import LoginFailure
    from gis_portal.security import user_key

    LoginFailure.objects.update(at=timezone.now() - dt.timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS + 1))
    ok = client.post(reverse("login"), {"username": username, "password": "x-Pass-2569!"})
    assert ok.status_code == 302
    assert not LoginFailure.objects.filter(user_key=user_key(username)).exists()  # cleared by the sign-in


@pytest.mark.django_db(transaction=True)
def test_backup_restores_into_an_empty_database_identically(tmp_path, village, empty_database, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    (tmp_path / "media" / "orthos").mkdir(parents=True)
    (tmp_path / "media" / "orthos" / "a.tif").write_bytes(b"II*\x00" + bytes(range(256)) * 10)
    org = village.organisation
    parcel = services.parcel_create(
        organisation=org, code="01A001", geom=utm_rect(0, 0, 40, 30), doc_type="pbt5"
    )
    services.household_create(organisation=org, house_number="5", location=utm_point(10, 10))
    services.party_create(organisation=org, kind="person", first_name="นาง", national_id="3100600445635")
    out = tmp_path / "backup"
    call_command("backup", str(out))
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["tables"]["public.parcels_parcel"]["rows"] == 1
    assert manifest["media"][0]["path"] == "orthos/a.tif"
    restored_media = tmp_path / "restored-media"
    call_command("restore", str(out), "--database-url", empty_database, "--media-root", str(restored_media))
    source = backup_module.table_checksums(backup_module.current_database_url())
    assert backup_module.table_checksums(empty_database) == source
    assert (restored_media / "orthos" / "a.tif").read_bytes() == (
        tmp_path / "media/orthos/a.tif"
    ).read_bytes()
    with psycopg.connect(empty_database) as conn:
        (code,) = conn.execute("SELECT code FROM parcels_parcel WHERE id = %s", [parcel.pk]).fetchone()
    assert code == "01A001"
    # A second restore into the now non-empty database is refused without --force.
    with pytest.raises(CommandError, match="already has"):
        call_command(
            "restore", str(out), "--database-url", empty_database, "--media-root", str(restored_media)
        )
    # A corrupted backup is refused before anything is touched.
    (out / "media" / "orthos" / "a.tif").write_bytes(b"tampered")
    with pytest.raises(CommandError, match="differs"):
        call_command("restore", str(out), "--database-url", empty_database, "--force")
    assert connection.vendor == "postgresql"


def test_prune_keeps_the_newest(tmp_path):
    for name in ["20261101T020000Z", "20261102T020000Z", "20261103T020000Z"]:
        (tmp_path / name).mkdir()
        (tmp_path / name / "manifest.json").write_text("{}")
    removed = backup_module.prune(tmp_path, keep=2)
    assert [p.name for p in removed] == ["20261101T020000Z"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["20261102T020000Z", "20261103T020000Z"]


def test_cache_outage_degrades_to_no_cache():
    from gis_portal.cache import TolerantRedisCache

    down = TolerantRedisCache("redis://127.0.0.1:1/0", {"OPTIONS": {"socket_connect_timeout": 0.2}})
    assert down.get("k", "fallback") == "fallback"
    assert down.get_many(["a", "b"]) == {}
    assert down.add("k", 1) is False
    down.set("k", 1)  # dropped, no exception
    down.delete_many(["a"])
    assert down.incr("k") == 0


@pytest.mark.django_db
def test_login_page_and_lockout_survive_a_redis_outage(client, make_user, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "gis_portal.cache.TolerantRedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2},
        }
    }

    cache.set("outage-probe", 1)
    assert cache.get("outage-probe", "miss") == "miss"  # the dead Redis is really the one in use
    make_user("redisdown")
    assert client.get(reverse("login")).status_code == 200
    response = client.post(reverse("login"), {"username": "redisdown", "password": "x-Pass-2569!"})
    assert response.status_code == 302
    # The lockout does not depend on Redis: failures are counted in PostgreSQL.
    settings.LOGIN_MAX_FAILURES = 2
    client.logout()
    for _ in range(2):
        client.post(reverse("login"), {"username": "redisdown", "password": "wrong"})
    locked = client.post(reverse("login"), {"username": "redisdown", "password": "x-Pass-2569!"})
    assert "locked" in locked.content.decode() and not locked.wsgi_request.user.is_authenticated
