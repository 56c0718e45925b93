from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "campuseval.people"
    verbose_name = "账号管理"
