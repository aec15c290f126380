"""Seed the office's service catalogue and welfare rules (idempotent: only adds what is missing)."""

from django.core.management.base import BaseCommand, CommandError

from parcels.models import Organisation


class Command(BaseCommand):
    help = "Add the seeded service types and welfare rules for one or every organisation (idempotent)."

    def add_arguments(self, parser):  # noqa: ANN001, ANN201
        parser.add_argument("--org", help="organisation slug (default: every organisation)")

    def handle(self, *args, **options):  # noqa: ANN002, ANN003, ANN201
        from eservices.catalogue import seed_services

        orgs = Organisation.objects.all()
        if options["org"]:
            orgs = orgs.filter(slug=options["org"])
            if not orgs.exists():
                raise CommandError(f"No organisation {options['org']!r}")
        for org in orgs:
            types, rules = seed_services(org)
            self.stdout.write(f"{org.slug}: {types} service type(s), {rules} welfare rule(s) added")
