"""``manage.py seed_tax_demo [--org pangmu] [--year 2026]``: appraisal tables and a tax year for the demo."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gis_portal.errors import DomainError
from parcels.selectors import organisation_by_slug
from taxes.demo import seed_tax_demo


class Command(BaseCommand):
    help = "Create the demo organisation's tax year with made-up appraisal tables (see docs/TAX.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org", default="pangmu")
        parser.add_argument("--year", type=int, default=2026)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            org = organisation_by_slug(options["org"])
            ty = seed_tax_demo(organisation=org, year=options["year"])
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(
            f"{ty}: {ty.land_prices.count()} land prices, {ty.building_costs.count()} building costs, "
            f"{ty.depreciation.count()} depreciation rows"
        )
