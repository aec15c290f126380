from django.core.management.base import BaseCommand, CommandError

from health.catalogue import seed_health
from parcels.models import Organisation


class Command(BaseCommand):
    help = "Add the larval survey's container kinds and thresholds and the followed diseases (idempotent)."

    def add_arguments(self, parser):  # noqa: ANN001, ANN201
        parser.add_argument("--org", required=True)

    def handle(self, *args, **opts):  # noqa: ANN002, ANN003, ANN201
        org = Organisation.objects.filter(slug=opts["org"]).first()
        if org is None:
            raise CommandError(f"no organisation {opts['org']!r}")
        self.stdout.write(f"{seed_health(org)} rows added")
