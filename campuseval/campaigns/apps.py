from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "campuseval.campaigns"
    verbose_name = "遴选/创建活动"
