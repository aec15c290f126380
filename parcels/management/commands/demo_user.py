"""Create (or reset) the demo staff users of the Pang Mu demo and print their credentials."""

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

from gis_portal import roles
from parcels.models import Membership, Organisation

DEMO_USERS = [
    ("demo", "ผู้ดูแลระบบตัวอย่าง", [roles.GIS_EDITOR, roles.TAX_OFFICER, roles.SERVICE_OFFICER, roles.SURVEYOR]),
    ("editor", "เจ้าหน้าที่แผนที่", [roles.GIS_EDITOR]),
    ("tax", "เจ้าหน้าที่จัดเก็บภาษี", [roles.TAX_OFFICER]),
    ("viewer", "ผู้บริหาร", [roles.VIEWER]),
]


class Command(BaseCommand):
    help = "Create the demo staff users for an organisation (default pangmu) and print their passwords"

    def add_arguments(self, parser):  # noqa: ANN001, ANN201
        parser.add_argument("--org", default="pangmu")
        parser.add_argument("--password", default="pangmu-demo-2569")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            organisation = Organisation.objects.get(slug=options["org"])
        except Organisation.DoesNotExist:
            raise CommandError(
                f"No organisation {options['org']!r}; run `manage.py seed_demo` first"
            ) from None
        roles.sync_roles()
        user_model = get_user_model()
        self.stdout.write(self.style.SUCCESS("Demo staff users (username / password / roles):"))
        for username, first_name, role_names in DEMO_USERS:
            user, _ = user_model.objects.get_or_create(username=username)
            user.first_name = first_name
            user.is_staff = True  # every demo user may open the admin; what they see follows their roles
            user.is_superuser = False
            user.set_password(options["password"])
            user.save()
            for role_name in role_names:
                Membership.objects.get_or_create(
                    user=user, organisation=organisation, role=Group.objects.get(name=role_name)
                )
            self.stdout.write(f"  {username} / {options['password']} / {', '.join(role_names)}")
        self.stdout.write("Open http://127.0.0.1:8000/ and sign in; the admin is at /admin/.")
