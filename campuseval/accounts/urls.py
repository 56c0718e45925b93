from django.contrib.auth import views as auth_views
from django.urls import path

from . import otp_urls, views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("password/done/", views.PasswordChangeDoneView.as_view(), name="password_change_done"),
]

# the second-factor pages (accounts/otp_urls.py)
urlpatterns += otp_urls.urlpatterns
