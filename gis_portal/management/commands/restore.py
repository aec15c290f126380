from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gis_portal.backup import restore
from gis_portal.errors import DomainError


class Command(BaseCommand):
    help = "Restore a backup folder into an empty database (checksums verified before and after)"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("backup_dir")
        parser.add_argument("--database-url", help="restore into this database instead of DATABASE_URL's")
        parser.add_argument("--media-root", help="restore media files here instead of MEDIA_ROOT")
        parser.add_argument(
            "--force", action="store_true", help="replace the contents of a non-empty database"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            restore(
                options["backup_dir"],
                database_url=options["database_url"],
                media_root=options["media_root"],
                force=options["force"],
                progress=lambda m: self.stdout.write(f"… {m}"),
            )
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(self.style.SUCCESS("restore complete; row counts and checksums match the backup"))
