"""Sticker sheets: the PDF's QR codes, read back by zbar, open the right household's page."""

from __future__ import annotations

import subprocess
from urllib.parse import urlparse

import pytest
from django.core.management import CommandError, call_command

from eservices import conf
from eservices.models import HouseholdToken
from parcels import services as register
from tests.conftest import utm_point, utm_rect

pytestmark = pytest.mark.django_db


def decode_pdf(pdf_path, tmp_path) -> list[str]:
    """Render at 150 dpi and read every sticker with zbar, one sticker cell at a time (as a phone does:
    zbar reading a whole page of eight codes now and then skips one)."""
    from PIL import Image

    from eservices import stickers

    subprocess.run(["pdftoppm", "-r", "150", "-png", str(pdf_path), str(tmp_path / "page")], check=True)  # noqa: S607
    urls = []
    for png in sorted(tmp_path.glob("page*.png")):
        with Image.open(png) as page:
            scale = page.width / stickers.A4[0]
            for k in range(stickers.COLS * stickers.ROWS):
                col, row = k % stickers.COLS, k // stickers.COLS
                x = stickers.MARGIN_X + col * (stickers.CELL_W + stickers.GAP)
                top = stickers.MARGIN_Y + row * (stickers.CELL_H + stickers.GAP)
                box = [round(v * scale) for v in (x, top, x + stickers.CELL_W, top + stickers.CELL_H)]
                cell = tmp_path / f"cell-{png.stem}-{k}.png"
                page.crop(box).save(cell)
                out = subprocess.run(["zbarimg", "--raw", "-q", str(cell)], capture_output=True, text=True)  # noqa: S607
                urls += [line for line in out.stdout.splitlines() if line]
    return urls


@pytest.fixture
def households(pangmu, village):
    v2 = register.village_create(
        organisation=pangmu, number=2, name_th="บ้านห้วยเดื่อ", boundary=utm_rect(2000, -2000, 3000, 4000)
    )
    pangmu.phone = "053-613341"
    pangmu.save(update_fields=["phone"])
    homes = [
        register.household_create(
            organisation=pangmu, house_number=f"{i}/{i % 3}", location=utm_point(i * 30, 0)
        )
        for i in range(1, 10)
    ]
    homes.append(
        register.household_create(organisation=pangmu, house_number="99", location=utm_point(2500, 0))
    )
    assert homes[-1].village == v2
    return homes


def test_sticker_pdf_decodes_to_working_urls_for_every_household(client, households, tmp_path, monkeypatch):
    monkeypatch.setattr(conf, "PUBLIC_BASE_URL", "https://eservice.pangmu.go.th")
    out = tmp_path / "stickers.pdf"
    call_command("print_stickers", str(out), "--org", "pangmu", "--village", "1")
    urls = decode_pdf(out, tmp_path)
    village1 = [h for h in households if h.village.number == 1]
    assert len(urls) == len(village1) == 9  # two A4 pages (8 + 1), all read back
    seen = set()
    for url in urls:
        parsed = urlparse(url)
        assert parsed.scheme == "https" and parsed.netloc == "eservice.pangmu.go.th"
        r = client.get(parsed.path)
        assert r.status_code == 200
        body = r.content.decode()
        house = next(h for h in village1 if f"บ้านเลขที่ {h.house_number}</h1>" in body)
        seen.add(house.pk)
    assert seen == {h.pk for h in village1}
    # Village 2 was not printed, so it has no token yet.
    assert not HouseholdToken.objects.filter(household=households[-1]).exists()


def test_printing_again_kills_the_previous_sheet(client, households, tmp_path):
    first, second = tmp_path / "a.pdf", tmp_path / "b.pdf"
    call_command("print_stickers", str(first), "--org", "pangmu", "--village", "2", "--house", "99")
    (tmp_path / "one").mkdir()
    old = decode_pdf(first, tmp_path / "one")
    call_command("print_stickers", str(second), "--org", "pangmu", "--village", "2", "--house", "99")
    (tmp_path / "two").mkdir()
    new = decode_pdf(second, tmp_path / "two")
    assert len(old) == len(new) == 1 and old != new
    assert client.get(urlparse(old[0]).path).status_code == 404
    assert client.get(urlparse(new[0]).path).status_code == 200


def test_bad_arguments_print_nothing(households, tmp_path):
    with pytest.raises(CommandError):
        call_command("print_stickers", str(tmp_path / "x.pdf"), "--org", "nowhere")
    with pytest.raises(CommandError):
        call_command("print_stickers", str(tmp_path / "x.pdf"), "--org", "pangmu", "--village", "7")
    with pytest.raises(FileNotFoundError):
        call_command("print_stickers", str(tmp_path / "missing" / "x.pdf"), "--org", "pangmu")
    assert not HouseholdToken.objects.exists(), "no sticker may be revoked or issued when nothing was printed"


def test_admin_reprints_one_households_sticker(client, households, make_user, pangmu, tmp_path):
    officer = make_user("stickers", pangmu, "service officer")
    client.force_login(officer)
    target = households[0]
    r = client.post(
        "/admin/eservices/householdsticker/",
        {"action": "print_stickers", "_selected_action": [str(target.pk)]},
    )
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    pdf = tmp_path / "one.pdf"
    pdf.write_bytes(r.content)
    (urls,) = [decode_pdf(pdf, tmp_path)]
    assert len(urls) == 1
    assert f"บ้านเลขที่ {target.house_number}</h1>" in client.get(urlparse(urls[0]).path).content.decode()
    assert HouseholdToken.objects.filter(household=target, revoked_at__isnull=True).count() == 1
