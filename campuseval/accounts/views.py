"""Sign-in, sign-out and password change: Django's auth views with the platform's forms and
templates. Lock-out after repeated failures is django-axes' (settings AXES_*)."""

from __future__ import annotations

from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.urls import reverse_lazy

from campuseval.audit.services import client_ip

from . import services
from .forms import ChangePasswordForm, LoginForm
from .models import User


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    form_class = ChangePasswordForm
    success_url = reverse_lazy("accounts:password_change_done")

    def form_valid(self, form: ChangePasswordForm) -> HttpResponse:  # type: ignore[override]
        user = self.request.user
        if not isinstance(user, User):  # PasswordChangeView is login_required: never reached
            raise PermissionDenied
        services.change_password(
            actor=user, new_password=form.cleaned_data["new_password1"], ip=client_ip(self.request)
        )
        update_session_auth_hash(self.request, user)
        return super(auth_views.PasswordChangeView, self).form_valid(form)


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "accounts/password_change_done.html"
