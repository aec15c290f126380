"""Who may see which organisations' tiles, without touching the database on every tile request.

A map page asks for dozens of tiles a second. Loading the session row, the user row and the user's
memberships for each one cost three queries – far more than serving a cached tile. So the first tile
request of a session resolves the scope the usual way (session → user → organisations) and keeps it
in the tile cache under a hash of the session key; later requests read it back with one cache read.

The kept scope can never outlive what it was built from:

- it expires with the session (and after ``TILE_SCOPE_SECONDS`` at most, 300 s by default);
- signing out deletes it at once (``user_logged_out``);
- any change to the user (password, active flag, superuser) or to their memberships bumps a
  per-user generation that every cached tile read checks in the same ``MGET`` as the tile itself
  (see :func:`tiles.cache.get_tile_for_scope`), so a revoked membership takes effect on the very
  next tile.

Each process also keeps the scopes it has used for up to 30 s (a small LRU), so a cached tile costs
one cache read in all: the tile, its generations and the user's generation in one ``MGET``.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest

from .cache import _cache, _ns
from .selectors import tile_organisation_ids

TILE_SCOPE_SECONDS = int(getattr(settings, "TILE_SCOPE_SECONDS", os.environ.get("TILE_SCOPE_SECONDS", "300")))


@dataclass(frozen=True)
class Scope:
    user_id: int
    org_ids: tuple[int, ...]
    user_gen: int  # the user's generation when the scope was built


def _scope_key(session_key: str) -> str:
    digest = hashlib.blake2b(session_key.encode(), digest_size=16).hexdigest()
    return f"{_ns()}:scope:{digest}"


def user_gen_key(user_id: int) -> str:
    return f"{_ns()}:ug:{user_id}"


# A small per-process memo in front of the cache (session hash → scope, valid-until). It is safe for
# the same reason the cached copy is: every use is checked against the user's generation.
_MEMO: OrderedDict[str, tuple[Scope, float]] = OrderedDict()
_MEMO_SIZE = 2048
_MEMO_SECONDS = 30.0


def _memo_get(key: str) -> Scope | None:
    found = _MEMO.get(key)
    if found is None:
        return None
    if found[1] < time.monotonic():
        _MEMO.pop(key, None)
        return None
    return found[0]


def _memo_put(key: str, scope: Scope, ttl: float) -> None:
    _MEMO[key] = (scope, time.monotonic() + min(ttl, _MEMO_SECONDS))
    _MEMO.move_to_end(key)
    while len(_MEMO) > _MEMO_SIZE:
        _MEMO.popitem(last=False)


def cached_scope(request: HttpRequest) -> Scope | None:
    """The kept scope of the request's session, or None (no cookie, never built, expired, signed out)."""
    session_key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    if not session_key:
        return None
    key = _scope_key(session_key)
    memo = _memo_get(key)
    if memo is not None:
        return memo
    entry = _cache().get(key)
    if not entry:
        return None
    user_id, org_ids, user_gen, valid_until = entry
    scope = Scope(user_id, tuple(org_ids), user_gen)
    _memo_put(key, scope, valid_until - time.time())
    return scope


def build_scope(request: HttpRequest) -> Scope | None:
    """Resolve the scope from the session and the database, and keep it; None when not signed in."""
    user = request.user
    if not user.is_authenticated:
        return None
    cache = _cache()
    user_gen = int(cache.get(user_gen_key(user.pk)) or 0)
    scope = Scope(user.pk, tuple(tile_organisation_ids(user)), user_gen)
    session = request.session
    session_key = session.session_key
    if session_key:
        ttl = max(1, min(TILE_SCOPE_SECONDS, session.get_expiry_age()))
        key = _scope_key(session_key)
        cache.set(key, (scope.user_id, list(scope.org_ids), scope.user_gen, time.time() + ttl), ttl)
        _memo_put(key, scope, ttl)
    return scope


def forget_session(session_key: str | None) -> None:
    if session_key:
        key = _scope_key(session_key)
        _MEMO.pop(key, None)
        _cache().delete(key)


def bump_user(user_id: int) -> None:
    """Make every kept scope of the user stale (their memberships or account changed).

    Bumped at once and again when the surrounding transaction commits: a scope rebuilt from the
    database between the two (still seeing the old rows) is stale by the time the change is visible.
    """
    _bump_user(user_id)
    transaction.on_commit(lambda: _bump_user(user_id))


def _bump_user(user_id: int) -> None:
    cache = _cache()
    key = user_gen_key(user_id)
    cache.add(key, 0, None)
    try:
        cache.incr(key)
    except ValueError:  # vanished between add and incr (evicted): start again
        cache.set(key, 1, None)


# --- signal receivers (connected in TilesConfig.ready) -------------------------------------------------


def on_logged_out(sender: Any, request: HttpRequest | None = None, user: Any = None, **kwargs: Any) -> None:
    if request is not None and getattr(request, "session", None) is not None:
        forget_session(request.session.session_key)
    if user is not None and getattr(user, "pk", None):
        bump_user(user.pk)


def on_user_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    if instance.pk:
        bump_user(instance.pk)


def on_membership_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    if instance.user_id:
        bump_user(instance.user_id)


def request_organisation_ids(request: HttpRequest) -> list[int] | None:
    """The organisations whose tiles the request's session may see; None when nobody is signed in.

    One cache read of the user's generation when the scope is kept (checked like the vector tiles do
    in their ``MGET``); otherwise the scope is built from the session and the database.
    """
    kept = cached_scope(request)
    if kept is not None and int(_cache().get(user_gen_key(kept.user_id)) or 0) == kept.user_gen:
        return list(kept.org_ids)
    fresh = build_scope(request)
    return None if fresh is None else list(fresh.org_ids)
