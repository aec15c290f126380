from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from gis_portal.errors import DomainError, ValidationProblems
from parcels.export import import_register, organisation_from_file
from parcels.importers import untrusted_gdal, vector_source
from parcels.selectors import organisation_by_slug


class Command(BaseCommand):
    help = (
        "Load a GeoPackage written by export_register into an organisation whose register is empty "
        "(all or nothing); --create makes the organisation from the file's organisation layer"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="a .gpkg written by export_register")
        parser.add_argument("--org", required=True, help="slug of the organisation to load into")
        parser.add_argument("--create", action="store_true", help="create the organisation from the file")
        parser.add_argument("--dla-code", help="with --create: the new organisation's DLA code")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            _source, driver = vector_source(options["file"])
            if driver != "GPKG":
                raise DomainError(
                    "file_type",
                    f"{options['file']} is not a GeoPackage written by export_register",
                    f"{options['file']} ไม่ใช่ไฟล์ GeoPackage ที่ส่งออกด้วย export_register",
                )
            with untrusted_gdal(), transaction.atomic():
                if options["create"]:
                    organisation = organisation_from_file(
                        options["file"], slug=options["org"], dla_code=options["dla_code"]
                    )
                else:
                    organisation = organisation_by_slug(options["org"])
                report = import_register(
                    organisation, options["file"], say=lambda msg: self.stdout.write(f"… {msg}")
                )
        except ValidationProblems as exc:
            for problem in exc.problems:
                self.stderr.write(str(problem))
            raise CommandError(exc.message) from None
        except DomainError as exc:
            raise CommandError(exc.message) from None
        for note in report.notes:
            self.stdout.write(self.style.WARNING(note))
        self.stdout.write(self.style.SUCCESS(f"imported into {organisation.slug}: {report.summary()}"))
