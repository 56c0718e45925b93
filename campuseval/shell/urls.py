from django.urls import path

from . import otp_reset, views

app_name = "shell"

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/otp/reset/<int:pk>/", otp_reset.reset, name="otp_reset"),
]
