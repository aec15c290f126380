from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "gis_portal.audit"
    label = "audit"
    verbose_name = "บันทึกการเข้าถึงข้อมูลส่วนบุคคล / personal data audit log"
    default_auto_field = "django.db.models.BigAutoField"
