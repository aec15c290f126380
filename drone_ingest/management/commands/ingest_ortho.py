"""``manage.py ingest_ortho FILE --org SLUG --captured YYYY-MM-DD [--kind ortho|dsm|dtm]``."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from drone_ingest import services
from drone_ingest.models import ImageryKind, RefusedImagery
from gis_portal.errors import DomainError
from parcels.selectors import organisation_by_slug


class Command(BaseCommand):
    help = "Ingest an orthomosaic, DSM or DTM GeoTIFF through the imagery pipeline (check, COG, footprint)."

    def add_arguments(self, parser):  # noqa: ANN001, ANN201
        parser.add_argument("file", type=Path)
        parser.add_argument("--org", required=True, help="organisation slug")
        parser.add_argument("--captured", required=True, type=dt.date.fromisoformat, help="YYYY-MM-DD")
        parser.add_argument("--kind", choices=ImageryKind.values, default=ImageryKind.ORTHO)
        parser.add_argument("--title", default="")
        parser.add_argument(
            "--queue", action="store_true", help="queue the processing on the imagery Celery queue instead"
        )

    def handle(self, *args, **opts):  # noqa: ANN002, ANN003, ANN201
        last = {"pct": -1}

        def progress(pct: int, stage: str) -> None:
            if pct != last["pct"]:
                last["pct"] = pct
                self.stdout.write(f"{pct:3d}% {stage}")
                self.stdout.flush()

        try:
            organisation = organisation_by_slug(opts["org"])
            self.stdout.write(f"checking {opts['file']}")
            ortho = services.ingest_file(
                organisation=organisation,
                path=opts["file"],
                captured_on=opts["captured"],
                kind=opts["kind"],
                title=opts["title"],
                queue=opts["queue"],
            )
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(
            f"record {ortho.pk} ({ortho.width}×{ortho.height}, {ortho.crs}, "
            f"{ortho.ground_resolution_m:.3f} m)"
        )
        if opts["queue"]:
            self.stdout.write(f"queued: id={ortho.pk}")
            return
        status = services.process_orthomosaic(ortho.pk, progress=progress)
        refused = RefusedImagery.objects.filter(orthomosaic_id=ortho.pk).first()
        if refused is not None:
            sys.stdout.flush()
            raise CommandError(f"refused, nothing kept: {refused.error_th} / {refused.error_en}")
        ortho.refresh_from_db()
        if ortho.status != "ready":
            sys.stdout.flush()
            raise CommandError(f"id={ortho.pk} {status}: {ortho.error_message}")
        self.stdout.write(
            self.style.SUCCESS(
                f"id={ortho.pk} ready: COG {ortho.cog_size:,} bytes, "
                f"footprint {ortho.footprint_area_m2:,.0f} m²"
            )
        )
