"""``manage.py import_payments --org SLUG FILE.csv``: record a bank reconciliation file (idempotent)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gis_portal.errors import DomainError
from parcels.selectors import organisation_by_slug
from taxes import bank, services


class Command(BaseCommand):
    help = "Import the bank's payment file (format in taxes/bank.py, docs/TAX.md); re-importing is safe."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org", required=True)
        parser.add_argument("file")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            org = organisation_by_slug(options["org"])
            try:
                data = Path(options["file"]).read_bytes()
            except OSError as exc:
                raise CommandError(f"cannot read {options['file']}: {exc.strerror}") from None
            result = services.payments_import(organisation=org, rows=bank.parse_reconciliation(data))
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(
            f"{result.rows} lines: {result.recorded} recorded ({result.amount:,.2f} baht), "
            f"{result.duplicates} already recorded and skipped"
        )
