"""Sign-in, sign-out and password change: Django's auth views with the platform's forms and
templates. Lock-out after repeated failures is django-axes' (settings AXES_*)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.urls import reverse_lazy

from campuseval.audit.services import client_ip

from . import services
from .forms import ChangePasswordForm, LoginForm
from .middleware import must_change_password
from .models import User
from .validators import PasswordPolicyValidator


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    form_class = ChangePasswordForm
    success_url = reverse_lazy("accounts:password_change_done")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        """`forced`: the page the user is held on until a one-time or expired password is replaced."""
        context = super().get_context_data(**kwargs)
        context["forced"] = must_change_password(self.request.user)
        context["policy"] = PasswordPolicyValidator().get_help_text()
        return context

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
