from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "campuseval.orgs"
    verbose_name = "单位"
