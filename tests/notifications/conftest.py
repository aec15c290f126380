"""Notifications against local servers that speak LINE's and ThaiBulkSMS's APIs; Celery runs eagerly."""

from __future__ import annotations

import pytest

from notifications.models import LineChannel
from tests.eservices.conftest import home, officer, other_home, seeded  # noqa: F401 - shared fixtures
from tests.fakes import ProviderServer

LINE_SECRET = "0123456789abcdef0123456789abcdef"
LINE_USER = "U" + "4af4980629" * 3 + "ab"


@pytest.fixture
def providers(settings):
    server = ProviderServer()
    settings.LINE_API_BASE = server.url
    settings.THAIBULKSMS_API_BASE = server.url
    settings.THAIBULKSMS_API_KEY = "key"
    settings.THAIBULKSMS_API_SECRET = "secret"
    settings.THAIBULKSMS_SENDER = "PangMu"
    settings.NOTIFY_SMS_BACKEND = "thaibulksms"
    yield server
    server.close()


@pytest.fixture
def eager():
    from gis_portal.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield app
    app.conf.task_always_eager = before


@pytest.fixture
def line_channel(pangmu):
    return LineChannel.objects.create(
        organisation=pangmu, channel_secret=LINE_SECRET, access_token="line-token", basic_id="@pangmu"
    )
