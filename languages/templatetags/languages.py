"""``{% language_menu L %}``: links to every offered language in its own script and font."""

from django import template
from django.templatetags.static import static
from django.utils.html import format_html, format_html_join

from .. import selectors

register = template.Library()


@register.simple_tag
def language_menu(current: str) -> str:
    rows = [("th", "ภาษาไทย", "Thai"), ("en", "English", "Latn"), *selectors.published_languages()]
    links = format_html_join(
        "",
        '<a href="?lang={}" lang="{}" class="script-{}{}">{}</a>',
        ((code, code, script, " on" if code == current else "", label) for code, label, script in rows),
    )
    return format_html('<nav class="langs" aria-label="language">{}</nav>', links)


@register.simple_tag
def language_fonts() -> str:
    """The @font-face rules (by unicode-range: a font is fetched only when its script is on the page)."""
    return format_html('<link rel="stylesheet" href="{}">', static("languages/fonts.css"))
