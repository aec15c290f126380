"""``manage.py import_appraisal_csv --org SLUG --year YYYY --table land|building|depreciation FILE``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gis_portal.errors import DomainError
from parcels.selectors import organisation_by_slug
from taxes import services


class Command(BaseCommand):
    help = "Replace one appraisal table of a tax year from a CSV file (columns in docs/TAX.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org", required=True)
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--table", required=True, choices=sorted(services.APPRAISAL_KINDS))
        parser.add_argument("file")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            org = organisation_by_slug(options["org"])
            ty = services.tax_year_get(org, options["year"])
            try:
                text = Path(options["file"]).read_text(encoding="utf-8-sig")
            except (OSError, UnicodeDecodeError) as exc:
                raise CommandError(f"cannot read {options['file']} as UTF-8: {exc}") from None
            n = services.appraisal_import_csv(tax_year=ty, kind=options["table"], text=text)
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(f"{n} rows imported into the {options['table']} table of {ty}")
