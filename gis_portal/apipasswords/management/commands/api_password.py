"""``manage.py api_password USER --label L`` (prints the secret once), ``--list``, ``--revoke ID``."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from gis_portal.errors import DomainError

from ...models import ApiPassword
from ...services import create_api_password, revoke_api_password


class Command(BaseCommand):
    help = "Make, list or revoke a staff user's API passwords (HTTP Basic for QGIS and the APIs)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username")
        parser.add_argument("--label", help="what the password is for, e.g. 'QGIS office PC'")
        parser.add_argument("--list", action="store_true")
        parser.add_argument("--revoke", type=int, metavar="ID")

    def handle(self, *args: Any, **opts: Any) -> None:
        user = get_user_model()._default_manager.filter(username=opts["username"]).first()
        if user is None:
            raise CommandError(f"No user {opts['username']!r}")
        try:
            if opts["revoke"]:
                record = revoke_api_password(user=user, pk=opts["revoke"])
                self.stdout.write(f"revoked {record.pk} ({record.label})")
            elif opts["list"]:
                for p in ApiPassword.objects.filter(user=user):
                    state = "active" if p.is_active else f"revoked {p.revoked_at:%Y-%m-%d %H:%M}"
                    self.stdout.write(f"{p.pk}\t{p.label}\t…{p.hint}\t{state}")
            else:
                made = create_api_password(user=user, label=opts["label"] or "")
                self.stdout.write(made.secret)
        except DomainError as exc:
            raise CommandError(exc.message) from None
