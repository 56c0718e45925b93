from django.apps import AppConfig


class UnitsConfig(AppConfig):
    name = "campuseval.units"
    verbose_name = "单位管理"
