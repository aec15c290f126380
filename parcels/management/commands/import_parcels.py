from typing import Any

from parcels.importers import ImportReport, import_parcels

from ._import_base import ImportCommand


class Command(ImportCommand):
    help = (
        "Import parcels (all or nothing) from a GeoPackage, GeoJSON or zipped Shapefile; "
        "see docs/IMPORT_SCHEMA.md"
    )

    def run_import(self, **kwargs: Any) -> ImportReport:
        return import_parcels(**kwargs)
