from django.apps import AppConfig


class DroneIngestConfig(AppConfig):
    name = "drone_ingest"
    default_auto_field = "django.db.models.BigAutoField"
