from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gis_portal.backup import restore
from gis_portal.backup_store import backups, restore_from_store
from gis_portal.errors import DomainError


class Command(BaseCommand):
    help = (
        "Restore a backup folder (or, with --from-store, a backup in the object store) into an empty "
        "database (checksums verified before and after)"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "backup_dir", nargs="?", help="the backup folder, or the backup's name in the store"
        )
        parser.add_argument(
            "--from-store", action="store_true", help="BACKUP_DIR names a backup in the store"
        )
        parser.add_argument("--list", action="store_true", help="list the backups in the object store")
        parser.add_argument("--database-url", help="restore into this database instead of DATABASE_URL's")
        parser.add_argument(
            "--media-root", help="restore media files here instead of the object store or MEDIA_ROOT"
        )
        parser.add_argument(
            "--force", action="store_true", help="replace the contents of a non-empty database"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["list"]:
            for name in backups():
                self.stdout.write(name)
            return
        if not options["backup_dir"]:
            raise CommandError("name the backup folder (or the backup in the store with --from-store)")
        run = restore_from_store if options["from_store"] else restore
        try:
            run(
                options["backup_dir"],
                database_url=options["database_url"],
                media_root=options["media_root"],
                force=options["force"],
                progress=lambda m: self.stdout.write(f"… {m}"),
            )
        except (DomainError, OSError) as exc:
            raise CommandError(getattr(exc, "message", None) or str(exc)) from None
        self.stdout.write(self.style.SUCCESS("restore complete; row counts and checksums match the backup"))
