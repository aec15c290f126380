"""Shared command-line front end of the village and parcel imports."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gis_portal.errors import DomainError
from parcels.importers import ImportReport, parse_field_map
from parcels.selectors import organisation_by_slug


class ImportCommand(BaseCommand):
    kind = ""

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="GeoPackage (.gpkg), GeoJSON or zipped Shapefile (.zip)")
        parser.add_argument("--org", required=True, help="organisation slug, e.g. pangmu")
        parser.add_argument(
            "--field",
            action="append",
            default=[],
            metavar="OURS=THEIRS",
            help="map one of our field names onto the file's column (repeatable)",
        )
        parser.add_argument(
            "--layer", help="layer name inside a GeoPackage (default: the first polygon layer)"
        )
        parser.add_argument("--dry-run", action="store_true", help="check everything, write nothing")

    def run_import(self, **kwargs: Any) -> ImportReport:
        raise NotImplementedError

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            organisation = organisation_by_slug(options["org"])
            report = self.run_import(
                organisation=organisation,
                path=options["file"],
                field_map=parse_field_map(options["field"]),
                dry_run=options["dry_run"],
                layer=options["layer"],
                progress=lambda msg: self.stdout.write(f"… {msg}"),
            )
        except DomainError as exc:
            raise CommandError(exc.message) from None
        for problem in report.problems:
            self.stderr.write(str(problem))
        if report.problems:
            raise CommandError(report.summary())
        self.stdout.write(self.style.SUCCESS(report.summary()))
