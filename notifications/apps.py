from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "แจ้งเตือนทาง LINE และ SMS / notifications"

    def ready(self) -> None:
        from . import receivers, thaibulksms  # noqa: F401 - registers the "thaibulksms" SMS sender

        receivers.connect()
