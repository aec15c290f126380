from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gis_portal.backup import backup
from gis_portal.backup_store import backup_to_store
from gis_portal.errors import DomainError


class Command(BaseCommand):
    help = (
        "Back up the database (pg_dump custom format) and the media files with a checksum manifest, "
        "into a folder or (--to-store) into the object store's backups/"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("out", help="folder to create (must not exist or be empty), or the backup's name")
        parser.add_argument(
            "--to-store", action="store_true", help="write the backup into the object store, named OUT"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        progress = lambda m: self.stdout.write(f"… {m}")  # noqa: E731
        try:
            if options["to_store"]:
                manifest = backup_to_store(options["out"], progress=progress)
            else:
                manifest = backup(options["out"], progress=progress)
        except (DomainError, OSError) as exc:
            raise CommandError(getattr(exc, "message", None) or str(exc)) from None
        rows = sum(t["rows"] for t in manifest["tables"].values())
        self.stdout.write(
            self.style.SUCCESS(f"backup {options['out']}: {rows} rows, {len(manifest['media'])} files")
        )
