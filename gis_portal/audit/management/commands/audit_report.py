"""Who saw, exported or changed which personal records of an organisation since a date."""

from __future__ import annotations

import csv
import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from gis_portal.audit.models import AuditEntry
from gis_portal.errors import DomainError
from parcels.models import Party
from parcels.selectors import organisation_by_slug


def _day_start(text: str, option: str) -> dt.datetime:
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{option} must be a date YYYY-MM-DD / {option} ต้องเป็นวันที่ YYYY-MM-DD") from None
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min), timezone.get_default_timezone())


class Command(BaseCommand):
    help = (
        "Print who saw or exported personal records (the audit log) and who changed parties (their "
        "history) in one organisation since a date, oldest first"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org", required=True, help="organisation slug, e.g. pangmu")
        parser.add_argument("--since", required=True, help="first day, YYYY-MM-DD (Asia/Bangkok)")
        parser.add_argument("--until", help="last day, YYYY-MM-DD (default: today)")
        parser.add_argument("--kind", help="only this kind of record (party, household, service_request)")
        parser.add_argument("--record", type=int, help="only entries that include this record id")
        parser.add_argument("--user", help="only this user name (or actor)")
        parser.add_argument("--csv", action="store_true", help="CSV instead of aligned text")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            organisation = organisation_by_slug(options["org"])
        except DomainError as exc:
            raise CommandError(exc.message) from None
        since = _day_start(options["since"], "--since")
        until = (
            _day_start(options["until"], "--until") + dt.timedelta(days=1)
            if options.get("until")
            else timezone.now() + dt.timedelta(seconds=1)
        )
        entries = AuditEntry.objects.filter(organisation_id=organisation.pk, at__gte=since, at__lt=until)
        if options.get("kind"):
            entries = entries.filter(record_kind=options["kind"])
        if options.get("record") is not None:
            entries = entries.filter(record_ids__contains=[options["record"]])
        if options.get("user"):
            entries = entries.filter(actor=options["user"])
        rows: list[tuple[Any, ...]] = [
            (
                e.at,
                e.actor_kind,
                e.actor,
                e.action,
                e.record_kind,
                e.record_ids,
                e.masked_ids,
                e.purpose,
                e.client_address,
                e.request_id,
            )
            for e in entries.order_by("at", "id").iterator()
        ]
        if options.get("kind") in (None, "", "party"):
            rows += self._party_changes(organisation.pk, since, until, options)
        rows.sort(key=lambda r: r[0])
        self._write(rows, options["csv"])

    def _party_changes(
        self, organisation_id: int, since: dt.datetime, until: dt.datetime, options: dict[str, Any]
    ) -> list[tuple[Any, ...]]:
        """Changes of parties come from their simple-history records (not duplicated in the log)."""
        history = Party.history.filter(  # type: ignore[attr-defined]
            organisation_id=organisation_id, history_date__gte=since, history_date__lt=until
        ).select_related("history_user")
        if options.get("record") is not None:
            history = history.filter(id=options["record"])
        if options.get("user"):
            history = history.filter(history_user__username=options["user"])
        kinds = {"+": "created", "~": "changed", "-": "deleted"}
        return [
            (
                h.history_date,
                "staff" if h.history_user_id else "system",
                h.history_user.get_username() if h.history_user else "",
                "change",
                "party",
                [h.id],
                [],
                f"{kinds.get(h.history_type, h.history_type)} {h.history_change_reason or ''}".strip(),
                "",
                "",
            )
            for h in history.order_by("history_date", "history_id").iterator()
        ]

    def _write(self, rows: list[tuple[Any, ...]], as_csv: bool) -> None:
        header = ["when", "actor_kind", "actor", "action", "kind", "ids", "masked_ids"]
        header += ["purpose", "address", "request_id"]
        if as_csv:
            writer = csv.writer(self.stdout)
            writer.writerow(header)
            for row in rows:
                writer.writerow(
                    [
                        timezone.localtime(row[0]).isoformat(timespec="seconds"),
                        *row[1:5],
                        " ".join(map(str, row[5])),
                        " ".join(map(str, row[6])),
                        *row[7:],
                    ]
                )
            return
        for row in rows:
            when = timezone.localtime(row[0]).strftime("%Y-%m-%d %H:%M:%S")
            ids = ",".join(map(str, row[5]))
            masked = f" masked:{','.join(map(str, row[6]))}" if row[6] else ""
            self.stdout.write(
                f"{when}  {row[2] or '-'} ({row[1]})  {row[3]} {row[4]} [{ids}]{masked}  {row[7]}"
                + (f"  from {row[8]}" if row[8] else "")
                + (f"  req {row[9]}" if row[9] else "")
            )
        self.stdout.write(f"{len(rows)} entries")
