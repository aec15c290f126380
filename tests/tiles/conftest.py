"""Tile tests: a cache namespace of their own per test, so runs sharing one Redis never meet."""

from __future__ import annotations

import uuid

import pytest


@pytest.fixture(autouse=True)
def tile_cache_namespace(monkeypatch):
    from tiles import cache

    monkeypatch.setattr(cache, "namespace", f"test-{uuid.uuid4().hex[:12]}")
    return cache.namespace
