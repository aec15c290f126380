"""A Redis cache that degrades to 'no cache' while Redis is unreachable, instead of failing requests.

Everything the site keeps in the cache can be rebuilt (tiles, rendered page parts) or is a safety
limit whose absence for the length of an outage is logged (login failure counters). A read during
an outage is a miss, a write is dropped, and each failure is logged once per minute.
"""

from __future__ import annotations

import functools
import logging
import time
from typing import Any

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger(__name__)
_DOWN = (RedisConnectionError, RedisTimeoutError, OSError)
_last_warning = 0.0


def _warn(exc: Exception) -> None:
    global _last_warning
    now = time.monotonic()
    if now - _last_warning > 60:
        _last_warning = now
        log.warning("cache unavailable, serving without it: %s", exc)


def _tolerant(default: Any = None):  # noqa: ANN202
    def wrap(method):  # noqa: ANN001, ANN202
        @functools.wraps(method)
        def inner(self, *args: Any, **kwargs: Any) -> Any:  # noqa: ANN001
            try:
                return method(self, *args, **kwargs)
            except _DOWN as exc:
                _warn(exc)
                return default() if callable(default) else default

        return inner

    return wrap


class ReusingRedisCacheClient(RedisCacheClient):
    """Django's Redis client builds a new ``redis.Redis`` object (and its table of ~170 response
    callbacks) for every cache call; that cost more than the round trip itself on a cached tile.
    A ``redis.Redis`` over a connection pool is safe to share between threads, so keep one per pool.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = self._client(connection_pool=self._get_connection_pool(write))
        return client


class TolerantRedisCache(RedisCache):
    def __init__(self, server: Any, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        try:
            return super().get(key, default, version)
        except _DOWN as exc:
            _warn(exc)
            return default

    get_many = _tolerant(dict)(RedisCache.get_many)

    @_tolerant(dict)
    def get_many_trusted(self, keys: list[str]) -> dict[str, Any]:
        """``get_many`` for keys the code builds itself (plain ASCII, short): skips the per-character
        memcached key check, which costs more than the read on the hottest path (a cached tile)."""
        key_map = {self.make_key(key): key for key in keys}
        ret = self._cache.get_many(list(key_map))
        return {key_map[k]: v for k, v in ret.items()}
    set = _tolerant()(RedisCache.set)
    set_many = _tolerant(list)(RedisCache.set_many)
    add = _tolerant(False)(RedisCache.add)
    touch = _tolerant(False)(RedisCache.touch)
    delete = _tolerant(False)(RedisCache.delete)
    delete_many = _tolerant()(RedisCache.delete_many)
    has_key = _tolerant(False)(RedisCache.has_key)
    incr = _tolerant(0)(RedisCache.incr)
    clear = _tolerant(False)(RedisCache.clear)
