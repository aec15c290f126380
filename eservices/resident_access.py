"""For other apps' pages behind the sticker (/h/<token>/…): resolve the token, require verification.

One helper so that every such page answers a bad token with the same constant page and sends an
unverified phone to the verification form, exactly as the resident page does.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from . import selectors, services
from .i18n import WORDS_BY_LANG, pick_lang


def verified_resident(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """``view(request, household, ctx, *args)`` with ctx = T, L, token, household, org; verified only."""

    @wraps(view)
    @never_cache
    def wrapper(request: HttpRequest, token: str, *args: Any, **kwargs: Any) -> HttpResponse:
        lang = pick_lang(request)
        found = selectors.household_by_token(token)
        if found is None:
            return render(
                request, "eservices/invalid.html", {"T": WORDS_BY_LANG[lang], "L": lang}, status=404
            )
        household, token_hash = found
        if not services.session_is_verified(request.session, household=household, token_hash=token_hash):
            return redirect(f"/h/{token}/#verify")
        ctx = {
            "T": WORDS_BY_LANG[lang],
            "L": lang,
            "token": token,
            "household": household,
            "org": household.organisation,
        }
        response = view(request, household, ctx, *args, **kwargs)
        response["Referrer-Policy"] = "same-origin"
        return response

    return wrapper
