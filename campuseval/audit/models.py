"""Append-only audit log: who did what, when, from where, before and after."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _

from campuseval.spreadsheets.progress import RowProgress


class AuditEntry(models.Model):
    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(_("操作人"), max_length=150, blank=True)
    ip = models.GenericIPAddressField(_("来源地址"), null=True, blank=True)
    action = models.CharField(_("操作"), max_length=60, db_index=True)
    object_type = models.CharField(_("对象类型"), max_length=60, blank=True)
    object_id = models.CharField(_("对象编号"), max_length=40, blank=True, db_index=True)
    summary = models.CharField(_("摘要"), max_length=300, blank=True)
    campaign_id = models.BigIntegerField(_("活动"), null=True, blank=True, db_index=True)
    unit_id = models.BigIntegerField(_("单位"), null=True, blank=True, db_index=True)
    before = models.JSONField(_("变更前"), null=True, blank=True, encoder=DjangoJSONEncoder)
    after = models.JSONField(_("变更后"), null=True, blank=True, encoder=DjangoJSONEncoder)

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("审计记录只能追加，不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("审计记录不能删除")


def export_path(instance: AuditExport, filename: str) -> str:
    """A path nobody can guess (the storage may be a public bucket), outside exports/ (whose
    files without an ExportJob the reports cleanup removes)."""
    return f"audit-exports/{instance.user_id}/{instance.token}.xlsx"


class AuditExport(RowProgress, models.Model):
    """A system-wide audit log export (审计日志导出), built by the background worker with no row
    cap. The rows are those the requester may read when the task runs, with the filters kept here."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("生成中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    token = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="audit_exports")
    params = models.JSONField(_("筛选条件"), default=dict, blank=True)
    title = models.CharField(_("名称"), max_length=300)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    rows_done = models.PositiveIntegerField(_("已完成行数"), default=0)
    rows_total = models.PositiveIntegerField(_("总行数"), default=0)
    file = models.FileField(upload_to=export_path, max_length=300, blank=True)
    error = models.TextField(_("错误"), blank=True)
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("审计日志导出")
        verbose_name_plural = _("审计日志导出")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title
