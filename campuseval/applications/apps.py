from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    name = "campuseval.applications"
    verbose_name = "申报"
