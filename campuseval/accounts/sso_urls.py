"""Single sign-on URLs (namespace "sso"), always routed: each view answers 404 while its
protocol is switched off, so turning OIDC or CAS on or off needs no other change."""

from django.urls import path

from . import sso_views

app_name = "sso"

urlpatterns = [
    path("oidc/login/", sso_views.OIDCLoginView.as_view(), name="oidc_login"),
    path("oidc/callback/", sso_views.OIDCCallbackView.as_view(), name="oidc_callback"),
    path("cas/login/", sso_views.CASLoginView.as_view(), name="cas_login"),
    path("logout/", sso_views.LogoutView.as_view(), name="logout"),
]
