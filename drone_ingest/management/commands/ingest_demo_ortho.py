"""``manage.py ingest_demo_ortho --org pangmu``: render and ingest an orthomosaic of the demo area."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from drone_ingest.demo import ingest_demo_orthomosaic
from gis_portal.errors import DomainError
from parcels.selectors import organisation_by_slug


class Command(BaseCommand):
    help = "Render an orthomosaic from the register (forest, fields, tracks, roofs) and ingest it."

    def add_arguments(self, parser):  # noqa: ANN001, ANN201
        parser.add_argument("--org", default="pangmu")
        parser.add_argument("--resolution", type=float, default=None, help="metres per pixel")

    def handle(self, *args, **opts):  # noqa: ANN002, ANN003, ANN201
        try:
            organisation = organisation_by_slug(opts["org"])
            kwargs = {"resolution": opts["resolution"]} if opts["resolution"] else {}
            ortho = ingest_demo_orthomosaic(
                organisation, progress=lambda m: self.stdout.write(str(m)), **kwargs
            )
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(self.style.SUCCESS(f"id={ortho.pk} {ortho.status}"))
