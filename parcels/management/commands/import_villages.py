from typing import Any

from parcels.importers import ImportReport, import_villages

from ._import_base import ImportCommand


class Command(ImportCommand):
    help = (
        "Import villages (all or nothing) from a GeoPackage, GeoJSON or zipped Shapefile; "
        "see docs/IMPORT_SCHEMA.md"
    )

    def run_import(self, **kwargs: Any) -> ImportReport:
        return import_villages(**kwargs)
