from django.apps import AppConfig


class ShellConfig(AppConfig):
    name = "campuseval.shell"
    verbose_name = "平台"
