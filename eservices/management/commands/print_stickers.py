"""Print A4 sheets of household QR stickers; printing issues new tokens and revokes the old stickers."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from parcels.models import Household, Organisation, RegisterStatus


class Command(BaseCommand):
    help = (
        "Write a PDF of QR stickers for the active households of an organisation (optionally one village). "
        "Every printed household gets a new token: its previous sticker stops working."
    )

    def add_arguments(self, parser):  # noqa: ANN001, ANN201
        parser.add_argument("out", help="output PDF path")
        parser.add_argument("--org", required=True, help="organisation slug")
        parser.add_argument("--village", type=int, help="village number (หมู่ที่)")
        parser.add_argument("--house", help="one house number (with --village)")

    def handle(self, *args, **options):  # noqa: ANN002, ANN003, ANN201
        from eservices.services import stickers_print

        org = Organisation.objects.filter(slug=options["org"]).first()
        if org is None:
            raise CommandError(f"No organisation {options['org']!r}")
        qs = Household.objects.filter(organisation=org, status=RegisterStatus.ACTIVE).select_related(
            "village", "organisation"
        )
        if options["village"] is not None:
            qs = qs.filter(village__number=options["village"])
        if options["house"]:
            if options["village"] is None:
                raise CommandError("--house needs --village")
            qs = qs.filter(house_number=options["house"])
        households = list(qs.order_by("village__number", "house_number"))
        if not households:
            raise CommandError("No active households match; nothing printed")
        out = Path(options["out"])
        # Open the file first: tokens are issued (and old stickers revoked) only if it can be written.
        with out.open("wb") as fh:
            fh.write(stickers_print(households=households))
        self.stdout.write(f"{len(households)} sticker(s), {(len(households) + 7) // 8} page(s) → {out}")
