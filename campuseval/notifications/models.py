"""One message to one user: what happened, and a link to the page where they act on it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    text = models.CharField(_("内容"), max_length=300)
    link = models.CharField(_("链接"), max_length=300, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        # The table predates this app (it was created by the review app's first migration).
        db_table = "reviews_notification"
        ordering = ["-created_at"]
        verbose_name = _("消息通知")
        verbose_name_plural = _("消息通知")

    def __str__(self) -> str:
        return self.text
