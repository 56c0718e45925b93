from django.apps import AppConfig


class CultivationConfig(AppConfig):
    name = "campuseval.cultivation"
    verbose_name = "培育建设"
