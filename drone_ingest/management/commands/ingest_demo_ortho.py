"""``manage.py ingest_demo_ortho --org pangmu``: render and ingest an orthomosaic of the demo area."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from drone_ingest.demo import ingest_demo_orthomosaic
from drone_ingest.models import Orthomosaic
from gis_portal.errors import DomainError
from parcels.selectors import organisation_by_slug


class Command(BaseCommand):
    help = "Render an orthomosaic from the register (forest, fields, tracks, roofs) and ingest it."

    def add_arguments(self, parser):  # noqa: ANN001, ANN201
        parser.add_argument("--org", default="pangmu")
        parser.add_argument("--resolution", type=float, default=None, help="metres per pixel")
        parser.add_argument(
            "--if-missing",
            action="store_true",
            help="do nothing when the organisation already has ready imagery",
        )

    def handle(self, *args, **opts):  # noqa: ANN002, ANN003, ANN201
        try:
            organisation = organisation_by_slug(opts["org"])
            if opts["if_missing"]:
                ready = Orthomosaic.objects.filter(organisation=organisation, status="ready").first()
                if ready is not None:
                    self.stdout.write(f"imagery already loaded (id={ready.pk}); nothing to do")
                    return
            kwargs = {"resolution": opts["resolution"]} if opts["resolution"] else {}
            ortho = ingest_demo_orthomosaic(
                organisation, progress=lambda m: self.stdout.write(str(m)), **kwargs
            )
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(self.style.SUCCESS(f"id={ortho.pk} {ortho.status}"))
