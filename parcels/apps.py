from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ParcelsConfig(AppConfig):
    name = "parcels"
    verbose_name = _("ทะเบียนทรัพย์สิน / property register")
    default_auto_field = "django.db.models.BigAutoField"
