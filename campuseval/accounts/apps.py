from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "campuseval.accounts"
    verbose_name = "账号与角色"
