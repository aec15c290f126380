"""The words to translate: every app's ``i18n.WORDS`` table of (Thai, English) pairs, found the way
gis_portal.roles finds each app's roles (no app imports another to list them)."""

from __future__ import annotations

from importlib import import_module

from django.apps import apps


def source_words() -> dict[str, tuple[str, str]]:
    """``{key: (Thai, English)}`` from each installed app's ``i18n.WORDS`` (first app wins on a clash)."""
    words: dict[str, tuple[str, str]] = {}
    for config in apps.get_app_configs():
        try:
            module = import_module(f"{config.name}.i18n")
        except ModuleNotFoundError:
            continue
        for key, pair in getattr(module, "WORDS", {}).items():
            words.setdefault(key, pair)
    return words


# The languages the office serves, seeded unpublished and empty: speakers fill them in the browser.
LANGUAGES = [
    ("shn", "ไทใหญ่", "Shan", "Mymr"),
    ("ksw", "กะเหรี่ยงสะกอ", "S'gaw Karen", "Mymr"),
    ("lis", "ลีซู", "Lisu", "Lisu"),
    ("hnj", "ม้ง (ม้งเขียว)", "Hmong Njua", "Latn"),
    ("mww", "ม้ง (ม้งขาว)", "Hmong Daw", "Latn"),
]


def seed_languages() -> int:
    from .models import Language

    added = 0
    for code, th, en, script in LANGUAGES:
        _, new = Language.objects.get_or_create(
            code=code, defaults={"name_th": th, "name_en": en, "script": script}
        )
        added += new
    return added
