"""Excel exports too large to build within a request: built by a background task, kept in the
default storage, downloadable only by the person who asked for them."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from campuseval.spreadsheets.progress import RowProgress


def export_path(instance: ExportJob, filename: str) -> str:
    """A path nobody can guess (the storage may be a public bucket); the human file name is
    kept in `filename` and sent on download."""
    return f"exports/{instance.user_id}/{instance.token}.xlsx"


class ExportJob(RowProgress, models.Model):
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


def import_upload_path(instance: ImportJob, filename: str) -> str:
    """The uploaded sheet, kept for the worker under a name nobody can guess."""
    return f"imports/{instance.user_id}/{instance.token}.xlsx"


def import_passwords_path(instance: ImportJob, filename: str) -> str:
    return f"imports/{instance.user_id}/{instance.token}-passwords.xlsx"


class ImportJob(RowProgress, models.Model):
    """One Excel import (accounts, experts, units or an indicator table): run in the request when the
    sheet is short, by the background worker when it is long. Holds the progress, the row
    messages, the uploaded file until the worker is done with it, and the new accounts'
    initial passwords as a sheet the importer may download once."""

    class Kind(models.TextChoices):
        ACCOUNTS = "accounts", _("账号")
        EXPERTS = "experts", _("专家库")
        FRAMEWORK = "framework", _("指标表")
        UNITS = "units", _("单位")

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("导入中")
        DONE = "done", _("已完成")
        REFUSED = "refused", _("未导入")
        FAILED = "failed", _("失败")

    #: a refused or failed import is over too, and its page shows the whole sheet as gone through
    finished_statuses = complete_statuses = (Status.DONE, Status.REFUSED, Status.FAILED)

    token = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="import_jobs")
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    #: the framework table's key, title, subject and level names
    params = models.JSONField(_("参数"), default=dict, blank=True)
    filename = models.CharField(_("文件名"), max_length=200, blank=True)
    upload = models.FileField(upload_to=import_upload_path, max_length=300, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    rows_done = models.PositiveIntegerField(_("已处理行数"), default=0)
    rows_total = models.PositiveIntegerField(_("总行数"), default=0)
    #: {"refused": [[row, reason]], "created": n, "updated": n, "notes": [...]}; never a password
    report = models.JSONField(_("结果"), default=dict, blank=True)
    passwords = models.FileField(upload_to=import_passwords_path, max_length=300, blank=True)
    passwords_count = models.PositiveIntegerField(default=0)
    passwords_taken_at = models.DateTimeField(null=True, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    error = models.TextField(_("错误"), blank=True)
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("导入任务")
        verbose_name_plural = _("导入任务")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.filename}"

    @property
    def refused(self) -> list[tuple[int, str]]:
        return [(int(n), str(reason)) for n, reason in (self.report or {}).get("refused", [])]
