"""HTTP Basic with a per-user API password (what QGIS 3.22 can send) for the REST and OGC APIs."""

from __future__ import annotations

import base64

import pytest
from django.core.management import call_command

from gis_portal.apipasswords.models import ApiPassword
from gis_portal.apipasswords.services import create_api_password
from gis_portal.audit.models import LoginFailure

pytestmark = pytest.mark.django_db


def basic(username: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{username}:{password}".encode()).decode()
    return {"HTTP_AUTHORIZATION": f"Basic {token}"}


@pytest.fixture
def https_only(settings):  # noqa: ANN001, ANN201
    settings.API_BASIC_REQUIRE_HTTPS = True
    settings.LOGIN_MAX_FAILURES = 5


def test_api_password_opens_rest_and_ogc_over_https(client, register, other_register, viewer, https_only):
    secret = create_api_password(user=viewer, label="QGIS office PC").secret
    answer = client.get("/api/v1/parcels/", secure=True, **basic("viewer", secret))
    assert answer.status_code == 200, answer.content
    codes = {f["properties"]["code"] for f in answer.json()["features"]}
    assert codes and all(not c.startswith("9") for c in codes)
    assert len(answer.json()["features"]) == 5  # Pang Mu's only: nothing of the other organisation
    ogc = client.get("/ogc/collections/parcels/items?limit=100", secure=True, **basic("viewer", secret))
    assert ogc.status_code == 200 and ogc.json()["numberMatched"] == 5
    record = ApiPassword.objects.get(user=viewer)
    assert record.last_used_at is not None and record.hint == secret[-4:]
    assert secret not in record.digest  # only a digest is stored


def test_login_password_plain_http_and_revoked_password_are_refused(client, register, viewer, https_only):
    secret = create_api_password(user=viewer, label="QGIS").secret
    # The login password is never an API password.
    answer = client.get("/api/v1/parcels/", secure=True, **basic("viewer", "x-Pass-2569!"))
    assert answer.status_code == 401 and "API password" in answer.json()["detail"]
    # Plain HTTP: refused, whatever the password.
    answer = client.get("/ogc/collections", **basic("viewer", secret))
    assert answer.status_code == 401 and "HTTPS" in answer.json()["description"]
    answer = client.get("/api/v1/parcels/", **basic("viewer", secret))
    assert answer.status_code == 401 and "HTTPS" in answer.json()["detail"]
    # Revoked: refused from then on; another password of the same user still works.
    call_command("api_password", "viewer", "--revoke", str(ApiPassword.objects.get(user=viewer).pk))
    assert client.get("/api/v1/parcels/", secure=True, **basic("viewer", secret)).status_code == 401
    other = create_api_password(user=viewer, label="laptop").secret
    assert client.get("/api/v1/parcels/", secure=True, **basic("viewer", other)).status_code == 200
    # Garbage in the header: a clear 401, not a 500.
    answer = client.get("/api/v1/parcels/", secure=True, HTTP_AUTHORIZATION="Basic %%%not-base64")
    assert answer.status_code == 401


def test_lockout_applies_to_basic_and_the_login_form(client, register, viewer, https_only):
    secret = create_api_password(user=viewer, label="QGIS").secret
    for _ in range(5):
        assert client.get("/ogc/collections", secure=True, **basic("viewer", "wrong")).status_code == 401
    assert LoginFailure.objects.count() == 5
    # Locked: even the right API password is refused (429 with a Retry-After), and so is the login page.
    answer = client.get("/api/v1/parcels/", secure=True, **basic("viewer", secret))
    assert answer.status_code == 429 and "Too many" in answer.json()["detail"]
    assert client.get("/ogc/collections", secure=True, **basic("viewer", secret)).status_code == 429
    page = client.post("/accounts/login/", {"username": "viewer", "password": "x-Pass-2569!"}, secure=True)
    assert page.status_code == 200 and "locked" in page.content.decode()


def test_success_clears_failures_of_the_name(client, register, viewer, https_only):
    secret = create_api_password(user=viewer, label="QGIS").secret
    for _ in range(3):
        client.get("/ogc/collections", secure=True, **basic("viewer", "wrong"))
    assert LoginFailure.objects.count() == 3
    assert client.get("/ogc/collections", secure=True, **basic("viewer", secret)).status_code == 200
    assert LoginFailure.objects.count() == 0


def test_page_makes_shows_once_and_revokes(client, viewer, editor):
    client.force_login(viewer)
    page = client.post("/accounts/api-passwords/", {"label": "QGIS office PC"})
    assert page.status_code == 200 and page["Cache-Control"] == "no-store"
    html = page.content.decode()
    record = ApiPassword.objects.get(user=viewer)
    start = html.index('id="api-password-secret">') + len('id="api-password-secret">')
    secret = html[start : html.index("<", start)]
    assert len(secret) == 32 and record.hint == secret[-4:]
    again = client.get("/accounts/api-passwords/").content.decode()
    assert secret not in again and "QGIS office PC" in again
    # Another user's password cannot be revoked from here (404), one's own can.
    theirs = create_api_password(user=editor, label="theirs").record
    assert client.post(f"/accounts/api-passwords/{theirs.pk}/revoke/").status_code == 404
    assert client.post(f"/accounts/api-passwords/{record.pk}/revoke/").status_code == 302
    record.refresh_from_db()
    theirs.refresh_from_db()
    assert record.revoked_at is not None and theirs.revoked_at is None


def test_command_prints_the_secret_once(viewer, capsys):
    call_command("api_password", "viewer", "--label", "QGIS")
    secret = capsys.readouterr().out.strip()
    assert len(secret) == 32
    call_command("api_password", "viewer", "--list")
    listing = capsys.readouterr().out
    assert "QGIS" in listing and secret not in listing and secret[-4:] in listing
