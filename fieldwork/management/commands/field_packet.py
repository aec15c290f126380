"""``manage.py field_packet --org SLUG --village N OUT [--user NAME] [--team TEXT]``

Makes a village field packet and writes it to OUT: a .zip, or a folder (unpacked) otherwise.
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError

from gis_portal.errors import DomainError
from parcels.models import Village
from parcels.selectors import organisation_by_slug

from ...packets import build_packet, request_packet


class Command(BaseCommand):
    help = "Make a field packet (QGIS/QField project, GeoPackage, offline basemap) of one village."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("out", help="a .zip file, or a folder to unpack the packet into")
        parser.add_argument("--org", required=True)
        parser.add_argument("--village", required=True, type=int, help="หมู่ที่ / village number")
        parser.add_argument("--user", help="the staff member taking the packet (default: a superuser)")
        parser.add_argument("--team", default="", help="the field team's names")

    def handle(self, *args: Any, **opts: Any) -> None:
        users = get_user_model()._default_manager
        if opts["user"]:
            user = users.filter(username=opts["user"], is_active=True).first()
            if user is None:
                raise CommandError(f"No active user {opts['user']!r}")
        else:
            user = users.filter(is_superuser=True, is_active=True).order_by("id").first()
            if user is None:
                raise CommandError("Give --user (no superuser exists to stand for the office)")
        try:
            organisation = organisation_by_slug(opts["org"])
            village = Village.objects.filter(organisation=organisation, number=opts["village"]).first()
            if village is None:
                raise CommandError(f"{organisation.slug} has no village {opts['village']}")
            packet = request_packet(organisation=organisation, village=village, user=user, team=opts["team"])
            packet = build_packet(
                packet.pk, progress=lambda pct, stage: self.stderr.write(f"{pct:3d}% {stage}")
            )
        except DomainError as exc:
            raise CommandError(exc.message) from None
        out = Path(opts["out"])
        with default_storage.open(packet.file_name, "rb") as source:
            if out.suffix.lower() == ".zip":
                with out.open("wb") as target:
                    shutil.copyfileobj(source, target)
            else:
                out.mkdir(parents=True, exist_ok=True)
                with zipfile.ZipFile(source) as archive:
                    archive.extractall(out)
        b = packet.basemap
        self.stdout.write(
            f"packet {packet.pk} ({packet.uuid}): {packet.counts} basemap "
            + (
                f"z{b['min_zoom']}–{b['max_zoom']} {b['tiles']} tiles {b['bytes']:,} B"
                if b.get("present")
                else "none"
            )
            + f"; {packet.file_size:,} B in {packet.build_seconds} s → {out}"
        )
