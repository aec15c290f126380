from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gis_portal.backup import backup
from gis_portal.errors import DomainError


class Command(BaseCommand):
    help = "Back up the database (pg_dump custom format) and the media files with a checksum manifest"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("out", help="folder to create (must not exist or be empty)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            manifest = backup(options["out"], progress=lambda m: self.stdout.write(f"… {m}"))
        except DomainError as exc:
            raise CommandError(exc.message) from None
        rows = sum(t["rows"] for t in manifest["tables"].values())
        self.stdout.write(
            self.style.SUCCESS(f"backup {options['out']}: {rows} rows, {len(manifest['media'])} files")
        )
