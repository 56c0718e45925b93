from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "campuseval.notifications"
    verbose_name = "消息通知"
