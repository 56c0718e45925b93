"""Excel exports too large to build within a request: built by a background task, kept in the
default storage, downloadable only by the person who asked for them."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def export_path(instance: ExportJob, filename: str) -> str:
    """A path nobody can guess (the storage may be a public bucket); the human file name is
    kept in `filename` and sent on download."""
    return f"exports/{instance.user_id}/{instance.token}.xlsx"


class ExportJob(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("生成中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    token = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="export_jobs")
    list_key = models.CharField(_("列表"), max_length=32)
    title = models.CharField(_("名称"), max_length=300)
    #: the scope as requested; the task re-checks it against the user's roles when it runs
    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="+")
    params = models.JSONField(_("筛选条件"), default=dict, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    rows_done = models.PositiveIntegerField(_("已完成行数"), default=0)
    rows_total = models.PositiveIntegerField(_("总行数"), default=0)
    file = models.FileField(upload_to=export_path, max_length=300, blank=True)
    filename = models.CharField(_("文件名"), max_length=200, blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    error = models.TextField(_("错误"), blank=True)
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("导出任务")
        verbose_name_plural = _("导出任务")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "-created_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.rows_total:
            return 0
        return min(100, int(self.rows_done * 100 / self.rows_total))
