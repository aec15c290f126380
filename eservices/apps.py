from django.apps import AppConfig


class EservicesConfig(AppConfig):
    name = "eservices"
    default_auto_field = "django.db.models.BigAutoField"
