"""``manage.py copy_tax_year --org SLUG --to 2027 [--from 2026]``: a new year as a copy of the last."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gis_portal.errors import DomainError
from parcels.selectors import organisation_by_slug
from taxes import services


class Command(BaseCommand):
    help = "Create a tax year by copying the rules and appraisal tables of the last (or --from) year."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org", required=True)
        parser.add_argument("--to", type=int, required=True, dest="to_year")
        parser.add_argument("--from", type=int, dest="from_year")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            org = organisation_by_slug(options["org"])
            ty = services.tax_year_copy(
                organisation=org, to_year=options["to_year"], from_year=options["from_year"]
            )
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(
            f"created {ty}: {ty.land_prices.count()} land prices, "
            f"{ty.building_costs.count()} building costs, "
            f"{ty.depreciation.count()} depreciation rows; check the year's reductions and due dates"
        )
