"""One message to one user: what happened, a link to the page where they act on it, and how its
e-mail copy fared."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class EmailStatus(models.TextChoices):
    QUEUED = "queued", _("待发送")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")


class Notification(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    text = models.CharField(_("内容"), max_length=300)
    link = models.CharField(_("链接"), max_length=300, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    #: the e-mail copy, sent by a background task after the transaction that notified commits
    email_status = models.CharField(_("邮件"), max_length=8, choices=EmailStatus.choices, blank=True, default="")
    email_error = models.CharField(_("邮件发送错误"), max_length=300, blank=True)
    email_at = models.DateTimeField(_("邮件发送时间"), null=True, blank=True)

    class Meta:
        # The table predates this app (it was created by the review app's first migration).
        db_table = "reviews_notification"
        ordering = ["-created_at"]
        verbose_name = _("消息通知")
        verbose_name_plural = _("消息通知")
        indexes = [models.Index(fields=["email_status", "-created_at"], name="notification_email_status")]

    def __str__(self) -> str:
        return self.text
