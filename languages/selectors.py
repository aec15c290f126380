"""Reads of the catalogues: the words of a language (Thai where a word is not yet translated)."""

from __future__ import annotations

from django.core.cache import cache
from django.db.models import Max

from parcels.models import Household

from .catalogue import source_words
from .models import HouseholdLanguage, Language, Translation

CACHE_SECONDS = 60


def published_languages() -> list[tuple[str, str, str]]:
    """``[(code, label, script)]`` of the languages offered to residents (cached for a minute)."""
    rows = cache.get("lang:published")
    if rows is None:
        rows = [
            (lang.code, lang.label, lang.script)
            for lang in Language.objects.filter(published=True).order_by("name_en")
        ]
        cache.set("lang:published", rows, CACHE_SECONDS)
    return rows


def published_codes() -> set[str]:
    return {code for code, _, _ in published_languages()}


def words(code: str) -> dict[str, str]:
    """Every source key in language ``code``: its translation, else the Thai text."""
    version = Translation.objects.filter(language__code=code).aggregate(v=Max("updated_at"))["v"]
    key = f"lang:words:{code}:{version.timestamp() if version else 0}"
    table = cache.get(key)
    if table is None:
        table = {k: pair[0] for k, pair in source_words().items()}
        table.update(dict(Translation.objects.filter(language__code=code).values_list("key", "text")))
        cache.set(key, table, CACHE_SECONDS)
    return table


def progress(language: Language) -> tuple[int, int]:
    total = len(source_words())
    done = Translation.objects.filter(language=language, key__in=list(source_words())).count()
    return done, total


def household_language(household: Household) -> str | None:
    return HouseholdLanguage.objects.filter(household=household).values_list("code", flat=True).first()


def script_of(code: str) -> str:
    return Language.objects.filter(code=code).values_list("script", flat=True).first() or ""
