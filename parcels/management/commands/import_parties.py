from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gis_portal.errors import DomainError
from parcels.selectors import organisation_by_slug
from parcels.tabular import import_households, import_parties


class Command(BaseCommand):
    help = (
        "Add the parties (or --table households) of a .csv or .xlsx spreadsheet, all or nothing, "
        "with a validation report naming every bad row"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help=".csv or .xlsx; header row with our column names (docs/API.md)")
        parser.add_argument("--org", required=True, help="organisation slug")
        parser.add_argument("--table", choices=["parties", "households"], default="parties")
        parser.add_argument("--dry-run", action="store_true", help="check everything, write nothing")
        parser.add_argument("--report", help="also write the validation report to this .csv")

    def handle(self, *args: Any, **options: Any) -> None:
        run = import_households if options["table"] == "households" else import_parties
        try:
            organisation = organisation_by_slug(options["org"])
            report = run(organisation=organisation, path=options["file"], dry_run=options["dry_run"])
        except DomainError as exc:
            raise CommandError(exc.message) from None
        if options["report"]:
            report.write_csv(options["report"])
        for problem in report.problems:
            self.stderr.write(str(problem))
        if report.problems:
            raise CommandError(report.summary())
        self.stdout.write(self.style.SUCCESS(report.summary()))
