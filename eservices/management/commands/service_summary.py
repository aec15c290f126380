"""Print the day's summary of service requests (new, closed, open, overdue by service type)."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from parcels.models import Organisation


class Command(BaseCommand):
    help = "Daily summary of service requests for one organisation (default: today)."

    def add_arguments(self, parser):  # noqa: ANN001, ANN201
        parser.add_argument("--org", required=True)
        parser.add_argument("--day", help="YYYY-MM-DD")

    def handle(self, *args, **options):  # noqa: ANN002, ANN003, ANN201
        from eservices.selectors import daily_summary

        org = Organisation.objects.filter(slug=options["org"]).first()
        if org is None:
            raise CommandError(f"No organisation {options['org']!r}")
        try:
            day = date.fromisoformat(options["day"]) if options["day"] else None
        except ValueError:
            raise CommandError("--day must be YYYY-MM-DD") from None
        s = daily_summary(org.pk, day)
        self.stdout.write(f"{org.name_th} {s['day'].isoformat()}")
        for r in s["rows"]:
            self.stdout.write(
                f"  {r['service_type__code']}: new {r['new']}, closed {r['closed']}, open {r['open']}, "
                f"overdue {r['overdue']}"
            )
        t = s["totals"]
        self.stdout.write(
            f"  total: new {t['new']}, closed {t['closed']}, open {t['open']}, overdue {t['overdue']}"
        )
