"""Pages behind the sticker (/h/<token>/…), here and in other apps: resolve the token the same way.

Every such page answers a bad token with the same constant page (it names no household or office),
picks the language (this browser's choice, else the household's), remembers a choice made by a
verified member, keeps the token out of referrers, and, for pages of verified members only, sends
an unverified phone to the verification form exactly as the resident page does.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from languages.selectors import household_language
from languages.services import household_language_set

from . import selectors, verification
from .i18n import COOKIE, WORDS_BY_LANG, is_language, pick_lang


def invalid_sticker(request: HttpRequest, lang: str) -> HttpResponse:
    """One constant page for unknown, revoked and malformed tokens."""
    return render(request, "eservices/invalid.html", {"T": WORDS_BY_LANG[lang], "L": lang}, status=404)


def resolve(request: HttpRequest, token: str) -> tuple[Any, str, dict] | HttpResponse:
    """``(household, token hash, ctx)`` for a live sticker, else the constant invalid page."""
    found = selectors.household_by_token(token)
    if found is None:
        return invalid_sticker(request, pick_lang(request))
    household, token_hash = found
    # A browser without a choice of its own gets the household's language.
    lang = pick_lang(request, default=household_language(household))
    ctx = {
        "T": WORDS_BY_LANG[lang],
        "L": lang,
        "token": token,
        "household": household,
        "org": household.organisation,
        "verified": verification.session_is_verified(
            request.session, household=household, token_hash=token_hash
        ),
    }
    return household, token_hash, ctx


def finish(request: HttpRequest, response: HttpResponse, household: Any, ctx: dict) -> HttpResponse:
    """Keep a language chosen by ?lang= (cookie; for the household when a member chose it)."""
    if is_language(request.GET.get("lang")):
        response.set_cookie(COOKIE, ctx["L"], max_age=365 * 86400, samesite="Lax")
        if ctx["verified"]:
            household_language_set(household=household, code=ctx["L"])
    response["Referrer-Policy"] = "same-origin"  # the token is in the URL: never sent to other sites
    return response


def verified_resident(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """``view(request, household, ctx, *args)`` for verified members only."""

    @wraps(view)
    @never_cache
    def wrapper(request: HttpRequest, token: str, *args: Any, **kwargs: Any) -> HttpResponse:
        resolved = resolve(request, token)
        if isinstance(resolved, HttpResponse):
            return resolved
        household, _token_hash, ctx = resolved
        if not ctx["verified"]:
            return redirect(f"/h/{token}/#verify")
        return finish(request, view(request, household, ctx, *args, **kwargs), household, ctx)

    return wrapper
