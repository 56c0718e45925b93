from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "campuseval.reports"
    verbose_name = "报表与文书"
