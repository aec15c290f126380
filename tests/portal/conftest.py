"""Fixtures of the operations tests (backup and restore)."""

from __future__ import annotations

import uuid

import psycopg
import pytest

from gis_portal import backup as backup_module


@pytest.fixture
def empty_database():
    """A new empty PostGIS database (from template1) for the restore, dropped afterwards."""
    name = f"restore_{uuid.uuid4().hex[:10]}"
    base = backup_module.current_database_url()
    admin_url = base.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield base.rsplit("/", 1)[0] + f"/{name}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
