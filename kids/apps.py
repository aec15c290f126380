from django.apps import AppConfig


class KidsConfig(AppConfig):
    name = "kids"
    verbose_name = "Smart Kids: ศูนย์พัฒนาเด็กเล็ก / child development centre"
