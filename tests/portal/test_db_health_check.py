"""The per-request connection health check: no round trip on a quiet link, a new connection when the
server has ended the old one (PostgreSQL restarted or the backend was terminated)."""

from __future__ import annotations

import time

import psycopg
import pytest
from django.db import connections

pytestmark = pytest.mark.django_db


@pytest.fixture
def wrapper():
    # A connection of its own (not the test's transaction), on the test database.
    conn = connections.create_connection("default")
    yield conn
    conn.close()


def _pid(conn) -> int:
    with conn.cursor() as cur:
        cur.execute("SELECT pg_backend_pid()")
        return cur.fetchone()[0]


def _new_request(conn) -> None:
    # What Django does at the start and end of every request.
    conn.close_if_unusable_or_obsolete()


def _count_is_usable(conn, monkeypatch) -> list[int]:
    calls: list[int] = []
    real = conn.is_usable

    def counting() -> bool:
        calls.append(1)
        return real()

    monkeypatch.setattr(conn, "is_usable", counting)
    return calls


def test_quiet_connection_is_trusted_without_a_round_trip(wrapper, monkeypatch):
    assert wrapper.settings_dict["CONN_HEALTH_CHECKS"]
    first = _pid(wrapper)
    calls = _count_is_usable(wrapper, monkeypatch)
    for _ in range(3):
        _new_request(wrapper)
        assert _pid(wrapper) == first
    assert calls == []


def test_connection_ended_by_the_server_is_replaced_before_the_query(wrapper, monkeypatch):
    first = _pid(wrapper)
    params = wrapper.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg.connect(**params, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [first])
    deadline = time.monotonic() + 5
    while not wrapper._server_said_something() and time.monotonic() < deadline:
        time.sleep(0.05)
    calls = _count_is_usable(wrapper, monkeypatch)
    _new_request(wrapper)
    second = _pid(wrapper)  # no error: the dead connection was found and replaced first
    assert second != first
    assert calls == [1]
