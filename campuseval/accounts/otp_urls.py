"""The second-factor pages, under the accounts namespace (included by accounts/urls.py)."""

from django.urls import path

from . import otp_views

urlpatterns = [
    path("otp/", otp_views.verify, name="otp_verify"),
    path("otp/setup/", otp_views.setup, name="otp_setup"),
    path("otp/setup/start/", otp_views.start, name="otp_start"),
    path("otp/recovery/", otp_views.regenerate, name="otp_recovery"),
]
