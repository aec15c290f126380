from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_roles(sender, **kwargs) -> None:  # noqa: ANN001
    from .roles import sync_roles

    sync_roles()


class GisPortalConfig(AppConfig):
    name = "gis_portal"
    verbose_name = "Pang Mu E-Smart Service"

    def ready(self) -> None:
        # Role groups need the permissions that post_migrate creates, so they are synced after it.
        # gis_portal has no models of its own, so listen to every app's post_migrate (idempotent).
        post_migrate.connect(_sync_roles, dispatch_uid="gis_portal_sync_roles")
