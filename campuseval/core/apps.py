from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "campuseval.core"
    verbose_name = "平台"
