"""The cultivation cycle after selection (Sichuan chapters 3–4): a project per selected unit,
scheduled annual, mid-term and final evaluations (each a small campaign of its own), and the
outcome — continue, warning, termination, award (授牌)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Project(models.Model):
    class Status(models.TextChoices):
        PLANNING = "planning", _("待提交实施方案")
        ACTIVE = "active", _("建设中")
        WARNING = "warning", _("预警整改")
        TERMINATED = "terminated", _("已终止")
        AWARDED = "awarded", _("已授牌")
        NOT_AWARDED = "not_awarded", _("未达授牌条件")

    selection = models.ForeignKey(
        "campaigns.Campaign", verbose_name=_("遴选活动"), on_delete=models.PROTECT, related_name="cultivation_projects"
    )
    application = models.OneToOneField(
        "applications.Application", on_delete=models.PROTECT, related_name="cultivation_project"
    )
    unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("培育单位"), on_delete=models.PROTECT, related_name="cultivation_projects"
    )
    start_date = models.DateField(_("开始日期"))
    years = models.PositiveIntegerField(_("建设周期（年）"), default=3)
    creation_score = models.DecimalField(_("创建阶段评定分"), max_digits=8, decimal_places=2)
    creation_indicators = models.JSONField(_("创建阶段各指标得分"), default=dict)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.PLANNING)
    plan = models.FileField(_("实施方案"), upload_to="cultivation/plans/", blank=True, max_length=300)
    plan_name = models.CharField(_("实施方案文件名"), max_length=200, blank=True)
    plan_submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    plan_submitted_at = models.DateTimeField(null=True, blank=True)
    plan_return_reason = models.TextField(_("实施方案退回理由"), blank=True)
    plan_accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    plan_accepted_at = models.DateTimeField(null=True, blank=True)
    corrections = models.TextField(_("整改要求"), blank=True)
    termination_reason = models.TextField(_("终止原因"), blank=True)
    award_note = models.TextField(_("授牌审核说明"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("培育项目")
        verbose_name_plural = _("培育项目")
        ordering = ["selection", "unit__code"]

    def __str__(self) -> str:
        return f"{self.unit} · {self.selection}"

    @property
    def is_open(self) -> bool:
        """Still under construction: evaluations may be opened and decided."""
        return self.status in (self.Status.ACTIVE, self.Status.WARNING)

    @property
    def plan_state(self) -> str:
        """Where the implementation plan (实施方案) stands, in Chinese."""
        if self.plan_accepted_at:
            return str(_("已受理"))
        if self.plan_submitted_at:
            return str(_("已提交，待受理"))
        if self.plan_return_reason:
            return str(_("已退回修改"))
        return str(_("待提交"))


class Evaluation(models.Model):
    class Kind(models.TextChoices):
        ANNUAL = "annual", _("年度成果总结")
        MIDTERM = "midterm", _("中期评估")
        FINAL = "final", _("终期评审")

    class Outcome(models.TextChoices):
        PENDING = "pending", _("待评估")
        CONTINUE = "continue", _("继续建设")
        WARNING = "warning", _("预警整改")
        TERMINATE = "terminate", _("终止")
        AWARD = "award", _("授牌")
        NOT_AWARDED = "not_awarded", _("不予授牌")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="evaluations")
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    sequence = models.PositiveIntegerField(_("序号"), default=1)
    due_date = models.DateField(_("截止日期"))
    campaign = models.ForeignKey(
        "campaigns.Campaign", null=True, blank=True, on_delete=models.SET_NULL, related_name="cultivation_evaluations"
    )
    score = models.DecimalField(_("评定分"), max_digits=8, decimal_places=2, null=True, blank=True)
    indicators = models.JSONField(_("各指标得分"), default=dict)
    sampled_school = models.ForeignKey(
        "orgs.Unit",
        verbose_name=_("现场调研抽检学校"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    sampled_score = models.DecimalField(_("抽检学校得分"), max_digits=8, decimal_places=2, null=True, blank=True)
    outcome = models.CharField(_("结论"), max_length=16, choices=Outcome.choices, default=Outcome.PENDING)
    notes = models.TextField(_("说明"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("培育评估")
        verbose_name_plural = _("培育评估")
        ordering = ["project", "due_date"]

    def __str__(self) -> str:
        return f"{self.project} · {self.get_kind_display()}"


class ExcludedSchool(models.Model):
    """A school closed by a layout change during the cycle, left out of the district's
    statistics (Sichuan note 4)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="excluded_schools")
    school = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("原因"), max_length=200)
    marked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    marked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["project", "school"], name="unique_excluded_school")]

    def __str__(self) -> str:
        return f"{self.school}（{self.reason}）"
