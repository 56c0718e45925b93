"""People and their roles, each role scoped to a unit."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    display_name = models.CharField(_("姓名"), max_length=60, blank=True)
    phone = models.CharField(_("手机"), max_length=20, blank=True)
    #: the bureau's staff number (工号), by which single sign-on may match an account
    staff_no = models.CharField(_("工号"), max_length=40, blank=True)
    #: set when an administrator gave a one-time password: the next sign-in must choose a new one
    must_change_password = models.BooleanField(_("下次登录须修改密码"), default=False)
    #: when the password was last set, for a configured expiry (none by default)
    password_changed_at = models.DateTimeField(_("密码修改时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        constraints = [
            models.UniqueConstraint(
                fields=["staff_no"], condition=~models.Q(staff_no=""), name="unique_staff_no"
            ),
        ]

    def __str__(self) -> str:
        return self.display_name or self.username


class Role(models.TextChoices):
    APPLICANT = "applicant", _("学校填报员")
    HEAD = "head", _("学校负责人")
    COUNTY_REVIEWER = "county_reviewer", _("区县审核员")
    ORGANIZER = "organizer", _("市/省组织者")
    EXPERT = "expert", _("评审专家")
    ADMIN = "admin", _("系统管理员")


class Membership(models.Model):
    """A role held at a unit: a school applicant at a school, a county reviewer at a county,
    an organizer at a city or province, an expert registered under a unit."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = _("角色授权")
        verbose_name_plural = _("角色授权")
        constraints = [
            models.UniqueConstraint(fields=["user", "unit", "role"], name="unique_membership"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.unit}"
