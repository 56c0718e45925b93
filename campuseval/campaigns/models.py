"""Frameworks available to the platform, and campaigns (遴选/创建) that use them."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from campuseval.engine import FrameworkError, load_framework_text


class FrameworkRecord(models.Model):
    """A framework file loaded into the platform; `source_yaml` is the snapshot campaigns
    score against, so later edits to the file never change a running campaign."""

    key = models.CharField(_("框架编号"), max_length=80, unique=True)
    #: the file's `family`: editions of one issuer's framework, read together by the level
    #: ladder and the dashboards' targets
    family = models.CharField(_("框架系列"), max_length=40, blank=True, db_index=True)
    title = models.CharField(_("名称"), max_length=200)
    subject = models.CharField(_("对象"), max_length=16)  # school | district
    total = models.DecimalField(_("总分"), max_digits=8, decimal_places=2)
    bonus_total = models.DecimalField(_("加分"), max_digits=8, decimal_places=2, default=0)
    source_yaml = models.TextField(_("框架文件"))
    sha256 = models.CharField(max_length=64)
    is_active = models.BooleanField(_("启用"), default=True)
    loaded_at = models.DateTimeField(_("载入时间"), auto_now=True)
    #: the edition's label within its family (2025版, 修订版); blank for a seed file
    edition = models.CharField(_("版本"), max_length=40, blank=True)
    effective_from = models.DateField(_("生效日期"), null=True, blank=True)
    effective_until = models.DateField(_("失效日期"), null=True, blank=True)
    #: the 申报书 that came with the framework's workbook (a form definition as YAML); a campaign
    #: using the framework names it by the framework's key
    form_yaml = models.TextField(_("申报书"), blank=True)
    #: the bureau that uploaded the framework (none for the platform's seed files): only its
    #: organizers and those above edit, activate or copy it
    owner = models.ForeignKey(
        "orgs.Unit",
        verbose_name=_("所属单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="frameworks",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    activated_at = models.DateTimeField(_("启用时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("指标框架")
        verbose_name_plural = _("指标框架")
        ordering = ["key"]

    def __str__(self) -> str:
        return self.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.family and self.source_yaml:
            self.family = family_of_snapshot(self.source_yaml, self.key)
        super().save(*args, **kwargs)


def family_of_snapshot(source_yaml: str, key: str) -> str:
    """The `family` a framework snapshot states (a record created without one, as by a direct
    `objects.create`, takes it from its own YAML)."""
    try:
        return load_framework_text(source_yaml, f"{key}.yaml").family
    except FrameworkError:
        return ""


class Campaign(models.Model):
    class Kind(models.TextChoices):
        SELECTION = "selection", _("遴选")
        CREATION = "creation", _("创建")
        EVALUATION = "evaluation", _("评估")

    class Applicants(models.TextChoices):
        SCHOOLS = "schools", _("学校")
        DISTRICTS = "districts", _("区县")
        BOTH = "both", _("学校和区县")

    class Status(models.TextChoices):
        DRAFT = "draft", _("筹备中")
        OPEN = "open", _("申报中")
        COUNTY_REVIEW = "county_review", _("县级初评")
        EXPERT_REVIEW = "expert_review", _("专家评审")
        PUBLICITY = "publicity", _("公示中")
        CLOSED = "closed", _("已结束")

    name = models.CharField(_("活动名称"), max_length=200)
    year = models.PositiveIntegerField(_("年度"))
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices, default=Kind.SELECTION)
    organizer = models.ForeignKey(
        "orgs.Unit", verbose_name=_("组织单位"), on_delete=models.PROTECT, related_name="organized_campaigns"
    )
    covered_units = models.ManyToManyField(
        "orgs.Unit", verbose_name=_("覆盖范围"), related_name="covering_campaigns", blank=True
    )
    applicants = models.CharField(_("申报对象"), max_length=16, choices=Applicants.choices)
    school_framework = models.ForeignKey(
        FrameworkRecord,
        verbose_name=_("学校指标框架"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    district_framework = models.ForeignKey(
        FrameworkRecord,
        verbose_name=_("区县指标框架"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    school_form = models.CharField(_("学校申报书"), max_length=80, blank=True)
    district_form = models.CharField(_("区县申报书"), max_length=80, blank=True)
    as_of = models.DateField(_("评估基准日"), help_text=_("“近三年”等时间窗口据此计算"))
    max_schools_per_county = models.PositiveIntegerField(_("每县最多推荐学校数"), null=True, blank=True)
    min_rural_per_county = models.PositiveIntegerField(_("每县至少乡村学校数"), null=True, blank=True)
    min_self_score = models.DecimalField(_("申报最低自评分"), max_digits=6, decimal_places=2, null=True, blank=True)
    places_schools = models.PositiveIntegerField(_("学校名额"), null=True, blank=True)
    places_districts = models.PositiveIntegerField(_("区县名额"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    description = models.TextField(_("说明"), blank=True)
    #: the applicant uploads its stamped 申报书 and the county its stamped 推荐表 before confirming
    requires_stamped_scans = models.BooleanField(_("要求上传盖章扫描件"), default=False)
    #: days a returned application has for its 补正 when the county sets no date
    fix_days = models.PositiveIntegerField(_("补正期限（天）"), default=7)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("活动")
        verbose_name_plural = _("活动")
        ordering = ["-year", "-pk"]

    def __str__(self) -> str:
        return self.name


class Stage(models.Model):
    class Kind(models.TextChoices):
        APPLY = "apply", _("申报")
        COUNTY_REVIEW = "county_review", _("县级初评")
        EXPERT_REVIEW = "expert_review", _("市/省级评审")
        PUBLICITY = "publicity", _("公示")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="stages")
    kind = models.CharField(_("阶段"), max_length=20, choices=Kind.choices)
    starts_at = models.DateTimeField(_("开始时间"))
    deadline = models.DateTimeField(_("截止时间"))

    class Meta:
        verbose_name = _("阶段")
        verbose_name_plural = _("阶段")
        ordering = ["starts_at"]
        constraints = [models.UniqueConstraint(fields=["campaign", "kind"], name="unique_stage")]

    def __str__(self) -> str:
        return f"{self.campaign} · {self.get_kind_display()}"
