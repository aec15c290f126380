"""``{% icon "home" %}``: an icon from the small SVG sprite (emoji fonts are missing on many old phones)."""

from functools import lru_cache

from django import template
from django.templatetags.static import static
from django.utils.html import format_html

register = template.Library()


@lru_cache(maxsize=1)
def _sprite_url() -> str:
    # Looked up once per process: the (hashed) static name does not change while it runs.
    return static("eservices/icons.svg")


@register.simple_tag
def icon(name: str, css: str = "i") -> str:
    return format_html(
        '<svg class="{}" aria-hidden="true" focusable="false"><use href="{}#{}"/></svg>',
        css,
        _sprite_url(),
        name or "doc",
    )


@register.filter
def bedate(value, lang: str = "th") -> str:  # noqa: ANN001
    """d/m/yyyy in the Buddhist Era for Thai (2026 CE = 2569 BE), the Common Era for English."""
    if not value:
        return ""
    from django.utils import timezone

    if hasattr(value, "hour") and timezone.is_aware(value):
        value = timezone.localtime(value)
    year = value.year + 543 if lang != "en" else value.year
    text = f"{value.day}/{value.month}/{year}"
    if hasattr(value, "hour"):
        text += f" {value.hour:02d}:{value.minute:02d}"
    return text
