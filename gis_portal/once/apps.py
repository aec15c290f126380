from django.apps import AppConfig


class OnceConfig(AppConfig):
    name = "gis_portal.once"
    label = "once"
    verbose_name = "แบบฟอร์มที่ส่งแล้ว / forms sent"
    default_auto_field = "django.db.models.BigAutoField"
