from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in

from . import checks, middleware


class ShellConfig(AppConfig):
    name = "campuseval.shell"
    verbose_name = "平台"

    def ready(self) -> None:
        # campuseval.E001 (a real SECRET_KEY when DEBUG is off) is registered by importing checks
        assert checks.secret_key_is_real
        user_logged_in.connect(middleware.stamp_login, dispatch_uid="campuseval.shell.stamp_login")
