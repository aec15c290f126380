"""``manage.py issue_notices --org SLUG --year YYYY [--pdf FILE]``: issue every draft, optionally print."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gis_portal.errors import DomainError
from parcels.selectors import organisation_by_slug
from taxes import pdf, selectors, services


class Command(BaseCommand):
    help = "Issue all draft assessments of a year (notice numbers, installments); --pdf writes the notices."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org", required=True)
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--pdf", help="write every issued notice of the year to this PDF file")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            org = organisation_by_slug(options["org"])
            ty = services.tax_year_get(org, options["year"])
            n = services.assessments_issue(tax_year=ty)
            self.stdout.write(f"issued {n} notices")
            if options["pdf"]:
                rows = list(selectors.notices_for_batch(ty, 10**9))
                Path(options["pdf"]).write_bytes(pdf.notices_pdf(rows, services.tax_office_for(org)))
                self.stdout.write(f"wrote {len(rows)} notices to {options['pdf']}")
        except DomainError as exc:
            raise CommandError(exc.message) from None
