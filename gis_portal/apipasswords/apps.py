from django.apps import AppConfig


class ApiPasswordsConfig(AppConfig):
    name = "gis_portal.apipasswords"
    label = "apipasswords"
    verbose_name = "รหัสผ่านสำหรับโปรแกรม / API passwords"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import openapi  # noqa: F401  (registers the Basic scheme with drf-spectacular)
