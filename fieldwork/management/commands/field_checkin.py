"""``manage.py field_checkin FILE --org SLUG --user NAME``

Checks a field packet in: FILE is the packet's GeoPackage, or its folder zipped with the photos.
``--user`` is the staff member bringing it back (the history of every merged change names them).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from gis_portal.errors import DomainError
from parcels.selectors import organisation_by_slug

from ...checkin import check_in
from ...models import ItemStatus


class Command(BaseCommand):
    help = "Check a field packet in (all or nothing for errors of the packet; conflicts kept for a person)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file")
        parser.add_argument("--org", required=True)
        parser.add_argument("--user", required=True, help="the staff member bringing the packet back")

    def handle(self, *args: Any, **opts: Any) -> None:
        user = get_user_model()._default_manager.filter(username=opts["user"], is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {opts['user']!r}")
        path = Path(opts["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        try:
            checkin = check_in(
                path=path, file_name=path.name, organisation=organisation_by_slug(opts["org"]), user=user
            )
        except DomainError as exc:
            raise CommandError(f"[{exc.code}] {exc.message}") from None
        self.stdout.write(f"check-in {checkin.pk} of packet #{checkin.packet_id}: {checkin.counts}")
        for item in checkin.items.order_by("status", "layer", "fid"):
            if item.status == ItemStatus.NOTED:
                continue
            what = f"#{item.src_id}" if item.src_id else f"new (fid {item.fid})"
            line = f"  {item.status:<10} {item.layer:<10} {what:<16} {', '.join(item.changed_fields)}"
            if item.error_en:
                line += f"  – {item.error_message}"
            self.stdout.write(line)
