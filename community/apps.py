from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "community"
    verbose_name = "ผู้นำชุมชนและ อสม. / community leaders and volunteers"
