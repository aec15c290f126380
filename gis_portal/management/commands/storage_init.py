from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from gis_portal import storage


class Command(BaseCommand):
    help = (
        "Prepare the object store (OBJECT_STORE_BUCKET): create the bucket if it is missing; with "
        "--upload-local-media, copy the files of MEDIA_ROOT that the store lacks (moving an office "
        "from local disk to the store). Without a bucket configured it says so and does nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--upload-local-media",
            action="store_true",
            help="copy every file under MEDIA_ROOT that is missing in the store (or differs in size)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        cfg = storage.config()
        if cfg is None:
            self.stdout.write(
                "no object store configured (OBJECT_STORE_BUCKET is empty): files stay on local disk"
            )
            return
        try:
            created = storage.ensure_bucket()
            self.stdout.write(
                f"bucket {cfg.bucket} {'created' if created else 'ready'} ({cfg.endpoint or 'AWS'})"
            )
            if options["upload_local_media"]:
                self._upload(Path(settings.MEDIA_ROOT))
        except OSError as exc:
            raise CommandError(str(exc)) from None

    def _upload(self, root: Path) -> None:
        stored = dict(storage.listing())
        copied = kept = 0
        for path in sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []:
            name = path.relative_to(root).as_posix()
            if name.startswith("imagery/uploads/") or path.name.startswith(".readyz-"):
                continue  # uploads in progress stay with the web server that receives them
            if stored.get(name) == path.stat().st_size:
                kept += 1
                continue
            storage.upload(path, name)
            copied += 1
            self.stdout.write(f"… {name}")
        self.stdout.write(
            self.style.SUCCESS(f"{copied} files copied to the store, {kept} were there already")
        )
