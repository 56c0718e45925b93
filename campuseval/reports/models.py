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


class Target(models.Model):
    """A level target a region sets itself (the Taizhou notice: "2022年全市中小学校95%以上的达市合格型
    智慧校园…到2024年实现全市中小学校100%达市合格型智慧校园"; Bozhou: "遴选…示范区1~2个、示范校20所"):
    data the organizer keeps, never a constant in code, compared on the dashboards with the units
    that hold the level (cumulatively, across the family's campaigns). Either a share of the
    region's units or a count; optionally only for one campaign."""

    class Kind(models.TextChoices):
        SHARE = "share", _("比例（%）")
        COUNT = "count", _("数量（个）")

    class Subject(models.TextChoices):
        SCHOOL = "school", _("学校")
        DISTRICT = "district", _("区县")

    #: the pseudo-level of frameworks without levels (Bozhou): a unit selected on a final list
    SELECTED = "入选"

    region = models.ForeignKey(
        "orgs.Unit", verbose_name=_("目标区域"), on_delete=models.PROTECT, related_name="level_targets"
    )
    family = models.CharField(_("指标体系系列"), max_length=40)
    subject = models.CharField(_("申报对象"), max_length=16, choices=Subject.choices, default=Subject.SCHOOL)
    level = models.CharField(_("等级"), max_length=40)
    kind = models.CharField(_("目标类型"), max_length=8, choices=Kind.choices, default=Kind.SHARE)
    #: the share in percent (kind share) or the number of units (kind count)
    value = models.DecimalField(_("目标值"), max_digits=7, decimal_places=2)
    due_year = models.PositiveIntegerField(_("完成年度"))
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        verbose_name=_("仅限活动"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="level_targets",
    )
    note = models.CharField(_("依据或说明"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("等级目标")
        verbose_name_plural = _("等级目标")
        ordering = ["region__code", "family", "subject", "due_year", "pk"]
        indexes = [models.Index(fields=["family", "subject"], name="target_family_subject")]
        constraints = [
            models.CheckConstraint(condition=models.Q(value__gte=0), name="target_value_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.region} · {self.due_year}年 {self.level} {self.value_label}"

    @property
    def value_label(self) -> str:
        number = f"{self.value.normalize():f}" if self.value is not None else ""
        return f"{number}%" if self.kind == self.Kind.SHARE else f"{number} 个"
