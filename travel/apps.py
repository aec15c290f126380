from django.apps import AppConfig


class TravelConfig(AppConfig):
    name = "travel"
    verbose_name = "Smart Travel: ที่เที่ยว โฮมสเตย์ งานประเพณี / places to visit"
