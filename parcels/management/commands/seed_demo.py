"""Load the Pang Mu demo register (generated on the real tambon boundary); see docs/DEMO_DATA.md."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from gis_portal.errors import DomainError
from parcels.demo import DEFAULT_HOUSEHOLDS, DEFAULT_SEED, DemoDataMissing, DemoSeedError, seed_demo


class Command(BaseCommand):
    help = (
        "Generate the Pang Mu demo register (villages, parcels, buildings, households, parties, rights); "
        "the same --seed always gives the same data. Does nothing if the demo is loaded, unless --flush."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})"
        )
        parser.add_argument(
            "--households",
            type=int,
            default=DEFAULT_HOUSEHOLDS,
            help=f"number of households, about one residential parcel each (default {DEFAULT_HOUSEHOLDS})",
        )
        parser.add_argument(
            "--flush",
            action="store_true",
            help="delete the pangmu organisation's demo register first, then seed again",
        )
        parser.add_argument(
            "--register-only",
            action="store_true",
            help="only the register: no service catalogue, tax year or imagery",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["households"] < 1:
            raise CommandError("--households must be at least 1")
        try:
            summary = seed_demo(
                seed=options["seed"],
                households=options["households"],
                flush=options["flush"],
                say=lambda msg: self.stdout.write(f"… {msg}"),
            )
        except DemoDataMissing as exc:
            raise CommandError(f"{exc} (settings.SHARED_DATA_DIR)") from None
        except (DemoSeedError, DomainError) as exc:
            raise CommandError(str(exc)) from None
        if not summary.skipped:
            self.stdout.write(self.style.SUCCESS("Pang Mu demo register loaded:"))
            for line in summary.lines():
                self.stdout.write(f"  {line}")
        if options["register_only"]:
            return
        # The other apps' demo data, each idempotent: the service catalogue, the larval survey's
        # kinds and thresholds, the villages' (empty) language catalogues, a tax year with
        # appraisal tables, and an orthomosaic rendered from the register through the ingest pipeline.
        for command, kwargs in (
            ("seed_services", {"org": "pangmu"}),
            ("seed_health", {"org": "pangmu"}),
            ("seed_languages", {}),
            ("seed_tax_demo", {"org": "pangmu"}),
            ("ingest_demo_ortho", {"org": "pangmu", "if_missing": True}),
        ):
            self.stdout.write(f"… {command}")
            call_command(command, stdout=self.stdout, stderr=self.stderr, **kwargs)
