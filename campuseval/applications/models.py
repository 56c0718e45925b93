"""Applications (申报): the form, the self-assessment per indicator, evidence, versions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Application(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("填报中")
        SUBMITTED = "submitted", _("已提交")
        RETURNED = "returned", _("已退回")
        REJECTED = "rejected", _("未通过初审")
        ACCEPTED = "accepted", _("初审通过")
        RECOMMENDED = "recommended", _("已推荐")
        #: set when the final list is published, and later by the cultivation cycle
        SELECTED = "selected", _("入选")
        NOT_SELECTED = "not_selected", _("未入选")
        AWARDED = "awarded", _("已授牌")
        TERMINATED = "terminated", _("终止")

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.PROTECT, related_name="applications")
    unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("申报单位"), on_delete=models.PROTECT, related_name="applications"
    )
    framework = models.ForeignKey("campaigns.FrameworkRecord", on_delete=models.PROTECT, related_name="applications")
    form_key = models.CharField(_("申报书"), max_length=80, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    #: the application form's fields (basic data, contacts, narratives)
    form_data = models.JSONField(default=dict, blank=True)
    #: the engine's answer document: {context, choices, declarations, answers}
    answers = models.JSONField(default=dict, blank=True)
    #: per-indicator narrative text, keyed by indicator code
    narratives = models.JSONField(default=dict, blank=True)
    #: the engine's result (ScoreResult.to_dict()) for the current answers
    result = models.JSONField(default=dict, blank=True)
    self_total = models.DecimalField(_("自评分"), max_digits=8, decimal_places=2, default=0)
    #: bumped on every save; a save that carries an older revision is refused (no silent overwrite)
    revision = models.PositiveIntegerField(default=0)
    version_number = models.PositiveIntegerField(_("版本"), default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    #: why the county returned it, shown to the school until it submits again
    return_reason = models.TextField(_("退回理由"), blank=True)
    returned_at = models.DateTimeField(null=True, blank=True)
    #: the date by which a returned application must be corrected and resubmitted (补正期限)
    fix_deadline = models.DateTimeField(_("补正截止"), null=True, blank=True)
    #: the signed and stamped 申报书, scanned; required before submission when the campaign says so
    stamped_scan = models.FileField(
        _("盖章申报书扫描件"), upload_to="stamped/applications/", max_length=300, blank=True
    )
    stamped_scan_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("申报")
        verbose_name_plural = _("申报")
        ordering = ["-updated_at"]
        constraints = [models.UniqueConstraint(fields=["campaign", "unit"], name="one_application_per_unit")]

    def __str__(self) -> str:
        return f"{self.unit} · {self.campaign}"

    @property
    def code(self) -> str:
        """The application code experts see instead of the applicant's name in blind review:
        stable, and says nothing about the unit."""
        return f"SB{self.campaign_id:03d}-{self.pk:05d}"


class ApplicationVersion(models.Model):
    """A submission frozen as it was: what the county and the experts review."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("版本号"))
    form_data = models.JSONField(default=dict)
    answers = models.JSONField(default=dict)
    narratives = models.JSONField(default=dict)
    result = models.JSONField(default=dict)
    total = models.DecimalField(_("自评分"), max_digits=8, decimal_places=2)
    evidence = models.JSONField(_("佐证材料清单"), default=list)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("真实性承诺确认人"),
    )
    promise_text = models.TextField(_("真实性承诺"))
    submitted_at = models.DateTimeField()

    class Meta:
        verbose_name = _("申报版本")
        verbose_name_plural = _("申报版本")
        ordering = ["application", "number"]
        constraints = [models.UniqueConstraint(fields=["application", "number"], name="unique_version")]

    def __str__(self) -> str:
        return f"{self.application} · 第{self.number}版"


def evidence_path(instance: Evidence, filename: str) -> str:
    return (
        f"evidence/{instance.application.campaign_id}/{instance.application_id}/{instance.sha256[:2]}/{instance.sha256}"
    )


class Evidence(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="evidence")
    indicator_code = models.CharField(_("指标"), max_length=40, blank=True)
    #: which numbered item of the indicator's 提供材料要求 the file answers (engine.evidence);
    #: empty for a file filed under none of them (shown under 其他材料)
    evidence_item = models.PositiveSmallIntegerField(_("材料序号"), null=True, blank=True)
    file = models.FileField(upload_to=evidence_path, max_length=300)
    original_name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    #: set when a submission froze it; frozen evidence cannot be removed
    frozen_in_version = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("佐证材料")
        verbose_name_plural = _("佐证材料")
        ordering = ["indicator_code", "uploaded_at"]

    def __str__(self) -> str:
        return self.original_name


class Basis(models.TextChoices):
    """Which score a figure holds: the school's own (latest submitted version) or the review's."""

    SELF = "self", _("自评")
    FINAL = "final", _("评审")


class ScoreFigure(models.Model):
    """One application's total and level on one basis, as a queryable row so dashboards and
    lists aggregate in SQL (GROUP BY region) instead of decoding every stored JSON result.
    Derived: the version's and the review result's JSON stay the source of truth
    (`applications.figures` writes these; `backfill_figures` rebuilds them). `campaign` and
    `unit` repeat the application's (which never change) so filters need no join."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="score_figures")
    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey("orgs.Unit", on_delete=models.CASCADE, related_name="+")
    basis = models.CharField(max_length=8, choices=Basis.choices)
    total = models.DecimalField(max_digits=8, decimal_places=2)
    level = models.CharField(max_length=40, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["application", "basis"], name="one_score_figure_per_basis")]
        indexes = [models.Index(fields=["campaign", "basis"], name="score_figure_campaign")]

    def __str__(self) -> str:
        return f"{self.application_id} · {self.basis} · {self.total}"


class IndicatorFigure(models.Model):
    """Points of one leaf indicator for one application on one basis (a leaf that does not
    apply — a direction not chosen — or was not scored has no row), for per-indicator
    averages in SQL."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="indicator_figures")
    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey("orgs.Unit", on_delete=models.CASCADE, related_name="+")
    basis = models.CharField(max_length=8, choices=Basis.choices)
    code = models.CharField(max_length=40)
    points = models.DecimalField(max_digits=10, decimal_places=4)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["application", "basis", "code"], name="one_indicator_figure_per_basis")
        ]
        indexes = [models.Index(fields=["campaign", "basis", "code"], name="indicator_figure_campaign")]

    def __str__(self) -> str:
        return f"{self.application_id} · {self.basis} · {self.code} {self.points}"
