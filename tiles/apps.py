from django.apps import AppConfig


class TilesConfig(AppConfig):
    name = "tiles"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django.contrib.auth.signals import user_logged_out
        from django.db.models.signals import post_delete, post_save

        from parcels.models import Membership

        from . import scope

        user_logged_out.connect(scope.on_logged_out, dispatch_uid="tiles-scope-logout")
        user_model = get_user_model()
        for signal, uid in ((post_save, "save"), (post_delete, "delete")):
            signal.connect(scope.on_user_changed, sender=user_model, dispatch_uid=f"tiles-scope-u-{uid}")
            signal.connect(
                scope.on_membership_changed, sender=Membership, dispatch_uid=f"tiles-scope-m-{uid}"
            )
