"""Translation catalogues filled in the browser; residents pick a language; the household keeps it."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from gis_portal.errors import DomainError
from languages import services
from languages.catalogue import seed_languages, source_words
from languages.models import HouseholdLanguage, Language, Translation
from tests.eservices.conftest import id_answer

pytestmark = pytest.mark.django_db

SHAN_VERIFY = "ၸႂ်ႉၶႂၢမ်းမၼ်ႈၸႂ်"  # typed by the test, standing in for a speaker's own words


@pytest.fixture
def shan(db):
    cache.clear()
    seed_languages()
    return Language.objects.get(code="shn")


def test_every_apps_words_are_in_the_catalogue():
    words = source_words()
    assert words["verify"] == ("ยืนยันตัวตน", "Verify")  # the resident page
    assert "travel_title" in words  # Smart Travel


def test_a_leader_fills_a_catalogue_in_the_browser_and_a_volunteer_cannot(client, shan, leader, volunteer):
    client.force_login(volunteer)
    assert client.get("/languages/shn/").status_code == 403
    client.force_login(leader)
    page = client.get("/languages/shn/").content.decode()
    assert 'name="t:verify"' in page and "ยืนยันตัวตน" in page
    resp = client.post("/languages/shn/", {"t:verify": f"  {SHAN_VERIFY} ", "t:services": ""})
    assert resp.status_code == 302
    t = Translation.objects.get()
    assert (t.key, t.text, t.updated_by) == ("verify", SHAN_VERIFY, leader)
    assert client.post("/languages/shn/", {"t:no_such_word": "x"}).status_code == 400
    assert Translation.objects.count() == 1


def test_bad_texts_are_refused(shan, leader):
    with pytest.raises(DomainError):
        services.translations_save(language=shan, texts={"verify": "x" * 1001}, user=leader)
    assert not Translation.objects.exists()


def test_residents_see_a_published_language_with_thai_for_the_rest_and_the_household_keeps_it(
    client, shan, home, leader
):
    services.translations_save(language=shan, texts={"verify": SHAN_VERIFY}, user=leader)
    # Not offered until published.
    body = client.get(f"/h/{home.token}/?lang=shn").content.decode()
    assert SHAN_VERIFY not in body and 'lang="th"' in body
    Language.objects.filter(pk=shan.pk).update(published=True)
    cache.clear()
    body = client.get(f"/h/{home.token}/?lang=shn").content.decode()
    assert SHAN_VERIFY in body and 'lang="shn"' in body
    assert "บริการ" in body  # not yet translated: shown in Thai
    assert "languages/fonts.css" in body
    # A verified member picks Shan: the household keeps it for the next phone that scans the sticker.
    client.post(f"/h/{home.token}/verify/", {"method": "id_year", **id_answer(home)})
    client.get(f"/h/{home.token}/?lang=shn")
    assert HouseholdLanguage.objects.get(household=home.household).code == "shn"
    from django.test import Client

    fresh = Client().get(f"/h/{home.token}/").content.decode()
    assert SHAN_VERIFY in fresh


def test_fonts_for_myanmar_script_and_lisu_are_served_locally(client):
    from django.contrib.staticfiles import finders

    for name in ("NotoSansMyanmar-Regular.ttf", "NotoSansLisu-Regular.ttf", "LICENSE-noto.txt"):
        assert finders.find(f"languages/fonts/{name}"), name
    from pathlib import Path

    css = Path(finders.find("languages/fonts.css")).read_text(encoding="utf-8")
    assert "U+1000-109F" in css and "U+A4D0-A4FF" in css and "http" not in css
    assert all(
        ord(ch) in charset(finders.find("languages/fonts/NotoSansMyanmar-Regular.ttf")) for ch in SHAN_VERIFY
    )
    assert ord("ꓡ") in charset(finders.find("languages/fonts/NotoSansLisu-Regular.ttf"))


def charset(path: str) -> set[int]:
    """The code points a font covers, as fontconfig (Debian's fc-query) reads them."""
    import subprocess

    out = subprocess.run(
        ["fc-query", "--format", "%{charset}", path], capture_output=True, text=True, check=True
    ).stdout
    points: set[int] = set()
    for part in out.split():
        low, _, high = part.partition("-")
        points.update(range(int(low, 16), int(high or low, 16) + 1))
    return points
