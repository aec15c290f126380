from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gis_portal.audit import log as audit_log
from gis_portal.errors import DomainError
from parcels.export import export_register
from parcels.selectors import organisation_by_slug


class Command(BaseCommand):
    help = (
        "Write an organisation's register to one GeoPackage: a layer per table, in the organisation's "
        "UTM zone; national IDs and phones masked unless --with-personal-data"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("out", help="output file, e.g. pangmu.gpkg (replaced if it exists)")
        parser.add_argument("--org", required=True, help="organisation slug, e.g. pangmu")
        parser.add_argument(
            "--with-personal-data",
            action="store_true",
            help="write whole national IDs, phones and birth dates (PDPA: only for a lawful purpose)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            organisation = organisation_by_slug(options["org"])
            counts = export_register(
                organisation, options["out"], with_personal_data=options["with_personal_data"]
            )
        except DomainError as exc:
            raise CommandError(exc.message) from None
        audit_log.record_party_export(
            None,
            organisation_id=organisation.pk,
            personal=options["with_personal_data"],
            purpose="manage.py export_register",
            detail={"file": str(options["out"])},
        )
        for layer, n in counts.items():
            self.stdout.write(f"{layer}: {n}")
        self.stdout.write(self.style.SUCCESS(f"wrote {options['out']} in EPSG:{organisation.utm_srid}"))
