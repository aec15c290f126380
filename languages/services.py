"""Changes to the catalogues (by people in the browser) and to a household's language."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from gis_portal.errors import DomainError
from parcels.models import Household

from .catalogue import source_words
from .models import HouseholdLanguage, Language, Translation

MAX_LEN = 1000


@transaction.atomic
def translations_save(*, language: Language, texts: dict[str, str], user: Any) -> int:
    """Store the texts typed for known keys (an empty box removes that translation); returns changes."""
    known = source_words()
    unknown = [k for k in texts if k not in known]
    if unknown:
        raise DomainError("unknown_key", f"Unknown words: {', '.join(unknown[:5])}", "ไม่รู้จักคำเหล่านี้")
    changed = 0
    existing = {t.key: t for t in Translation.objects.filter(language=language, key__in=list(texts))}
    for key, raw in texts.items():
        text = " ".join((raw or "").replace("\x00", "").split())
        if len(text) > MAX_LEN:
            raise DomainError("too_long", f"{key}: too long", f"{key}: ยาวเกินไป")
        row = existing.get(key)
        if not text:
            if row:
                row.delete()
                changed += 1
        elif row is None:
            Translation.objects.create(language=language, key=key, text=text, updated_by=user)
            changed += 1
        elif row.text != text:
            row.text, row.updated_by = text, user
            row.save(update_fields=["text", "updated_by", "updated_at"])
            changed += 1
    return changed


def household_language_set(*, household: Household, code: str) -> None:
    HouseholdLanguage.objects.update_or_create(household=household, defaults={"code": code[:12]})
