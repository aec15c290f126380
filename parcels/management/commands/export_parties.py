from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gis_portal.audit import log as audit_log
from gis_portal.errors import DomainError
from parcels.selectors import organisation_by_slug
from parcels.tabular import export_households, export_parties


class Command(BaseCommand):
    help = "Write the parties (or --table households) of an organisation to a .csv or .xlsx spreadsheet"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("out", help="output .csv (UTF-8 with BOM, opens in Excel) or .xlsx")
        parser.add_argument("--org", required=True, help="organisation slug")
        parser.add_argument("--table", choices=["parties", "households"], default="parties")
        parser.add_argument(
            "--with-personal-data", action="store_true", help="whole national IDs, phones and birth dates"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            organisation = organisation_by_slug(options["org"])
            if options["table"] == "households":
                n = export_households(organisation, options["out"])
            else:
                n = export_parties(
                    organisation, options["out"], with_personal_data=options["with_personal_data"]
                )
                audit_log.record_party_export(
                    None,
                    organisation_id=organisation.pk,
                    personal=options["with_personal_data"],
                    purpose="manage.py export_parties",
                    detail={"file": str(options["out"])},
                )
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(self.style.SUCCESS(f"wrote {n} {options['table']} to {options['out']}"))
