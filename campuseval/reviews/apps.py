from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "campuseval.reviews"
    verbose_name = "评审与遴选"
