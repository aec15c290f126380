"""``manage.py assess --org SLUG --year YYYY``: the yearly assessment (drafts replaced, notices kept)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gis_portal.errors import DomainError
from parcels.selectors import organisation_by_slug
from taxes.services import assess_year


class Command(BaseCommand):
    help = "Assess every taxpayer of an organisation's register for a tax year (re-runnable)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org", required=True, help="organisation slug")
        parser.add_argument("--year", type=int, required=True, help="tax year (CE), e.g. 2026")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            org = organisation_by_slug(options["org"])
            result = assess_year(organisation=org, year=options["year"], progress=self.stdout.write)
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(
            f"done: {result.drafts_written} drafts ({result.drafts_inserted} new, {result.drafts_updated} "
            f"changed, {result.drafts_unchanged} unchanged; {result.drafts_deleted} drafts of former "
            f"taxpayers deleted; {result.skipped_issued} taxpayers with issued notices kept), "
            f"total {result.total:,.2f} baht, "
            f"{result.notes} notes, {result.seconds:.2f} s {result.timings}"
        )
