"""Review and selection: county first review, recommendation lists within quotas, expert
pool and panels, assignments with conflict checks, expert score sheets, aggregated results,
ranking, publication with objections, and in-app notifications."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from campuseval.spreadsheets.progress import RowProgress


class ReviewSettings(models.Model):
    """How a campaign's experts score and how their scores combine (per campaign)."""

    class Method(models.TextChoices):
        MEAN = "mean", _("算术平均")
        MEDIAN = "median", _("中位数")
        TRIMMED = "trimmed_mean", _("去掉最高最低分后平均")

    class Level(models.TextChoices):
        TOTAL = "total", _("按总分汇总")
        INDICATOR = "indicator", _("按指标汇总")

    class Visibility(models.TextChoices):
        NEVER = "never", _("从不显示其他专家评分")
        AFTER_SUBMIT = "after_submit", _("提交后显示其他专家评分")

    campaign = models.OneToOneField("campaigns.Campaign", on_delete=models.CASCADE, related_name="review_settings")
    experts_per_application = models.PositiveIntegerField(_("每份申报专家数"), default=3)
    method = models.CharField(_("汇总方法"), max_length=16, choices=Method.choices, default=Method.MEAN)
    level = models.CharField(_("汇总层级"), max_length=16, choices=Level.choices, default=Level.TOTAL)
    site_weight = models.DecimalField(_("实地考察/答辩权重"), max_digits=4, decimal_places=2, default=0)
    divergence_total = models.DecimalField(_("总分分歧阈值"), max_digits=6, decimal_places=2, null=True, blank=True)
    divergence_indicator = models.DecimalField(_("单项分歧阈值"), max_digits=6, decimal_places=2, null=True, blank=True)
    other_scores = models.CharField(
        _("其他专家评分可见性"), max_length=16, choices=Visibility.choices, default=Visibility.NEVER
    )
    hide_applicant = models.BooleanField(_("对专家隐藏申报单位名称"), default=False)
    rural_places = models.PositiveIntegerField(_("乡村预留名额"), default=0)
    rural_share = models.DecimalField(_("乡村最低比例"), max_digits=4, decimal_places=2, null=True, blank=True)
    #: school → county → city → province: the cities screen the counties' lists before the organizer
    city_review = models.BooleanField(_("增加市级推荐环节（县 → 市 → 省）"), default=False)
    city_quota = models.PositiveIntegerField(_("每市最多推荐数"), null=True, blank=True)
    #: which steps a campaign runs: an annual summary or mid-term evaluation of a cultivation
    #: project may skip the county's recommendation list and the public notice
    county_list = models.BooleanField(_("需要县级推荐名单"), default=True)
    publicity = models.BooleanField(_("需要公示"), default=True)
    #: the 申报类型 climbs the ladder one level at a time (优秀 needs 合格 already awarded…). Off by
    #: default: Taizhou 2022 sets no such prerequisite and its own 2022 targets (20% 优秀, 10% 示范
    #: in the first year) need first-year schools to declare 优秀 or 示范 (see `ladder`)
    level_prerequisite = models.BooleanField(_("申报类型须逐级（已获评下一等级方可申报更高等级）"), default=False)

    class Meta:
        verbose_name = _("评审设置")
        verbose_name_plural = _("评审设置")

    def __str__(self) -> str:
        return f"{self.campaign} · 评审设置"


class CountyReview(models.Model):
    """The county's decision on one submitted version: accepted with a county score and an
    opinion, rejected, or returned for more information (reasons kept)."""

    class Decision(models.TextChoices):
        ACCEPTED = "accepted", _("初审通过")
        REJECTED = "rejected", _("不予推荐")
        RETURNED = "returned", _("退回补充")

    application = models.ForeignKey("applications.Application", on_delete=models.CASCADE, related_name="county_reviews")
    version_number = models.PositiveIntegerField(_("版本"))
    decision = models.CharField(_("结论"), max_length=16, choices=Decision.choices)
    reason = models.TextField(_("理由"), blank=True)
    opinion = models.TextField(_("推荐意见"), blank=True)
    answers = models.JSONField(_("县级调整后的答卷"), default=dict)
    result = models.JSONField(default=dict)
    total = models.DecimalField(_("县级评分"), max_digits=8, decimal_places=2, null=True, blank=True)
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("县级初审")
        verbose_name_plural = _("县级初审")
        ordering = ["-decided_at"]

    def __str__(self) -> str:
        return f"{self.application} · v{self.version_number} · {self.get_decision_display()}"


class Adjustment(models.Model):
    """One change the county (or an organizer) made to an indicator, with its reason; the
    applicant's own value is kept beside it."""

    review = models.ForeignKey(CountyReview, on_delete=models.CASCADE, related_name="adjustments")
    indicator_code = models.CharField(_("指标"), max_length=40)
    field = models.CharField(_("字段"), max_length=60)
    self_value = models.JSONField(_("自评值"), null=True)
    new_value = models.JSONField(_("调整值"), null=True)
    reason = models.TextField(_("理由"))

    def __str__(self) -> str:
        return f"{self.indicator_code}.{self.field}"


class RecommendationList(models.Model):
    """A county's (or city's) recommendation list for a campaign; frozen once confirmed."""

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="recommendation_lists")
    unit = models.ForeignKey("orgs.Unit", verbose_name=_("推荐单位"), on_delete=models.PROTECT, related_name="+")
    entries = models.ManyToManyField("applications.Application", through="RecommendationEntry", related_name="+")
    filled_by = models.CharField(_("填表人"), max_length=60, blank=True)
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    #: the stamped 推荐表, scanned; required before confirming when the campaign says so
    stamped_scan = models.FileField(
        _("盖章推荐表扫描件"), upload_to="stamped/recommendations/", max_length=300, blank=True
    )
    stamped_scan_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_name = models.CharField(_("确认人"), max_length=60, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("推荐名单")
        verbose_name_plural = _("推荐名单")
        constraints = [models.UniqueConstraint(fields=["campaign", "unit"], name="one_list_per_unit")]

    def __str__(self) -> str:
        return f"{self.unit} · {self.campaign}"

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None


class RecommendationEntry(models.Model):
    recommendation = models.ForeignKey(RecommendationList, on_delete=models.CASCADE, related_name="rows")
    application = models.ForeignKey("applications.Application", on_delete=models.PROTECT, related_name="+")
    position = models.PositiveIntegerField(_("序号"))
    highlights = models.TextField(_("亮点特色"), blank=True)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["recommendation", "application"], name="unique_recommendation_entry")
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.application}"


class Expert(models.Model):
    """Someone in the expert pool (专家库)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="expert_profile")
    unit = models.ForeignKey("orgs.Unit", verbose_name=_("工作单位"), on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey(
        "orgs.Unit", verbose_name=_("所在区县"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("职称/职务"), max_length=60, blank=True)
    fields = models.CharField(_("专业领域"), max_length=200, blank=True)
    is_active = models.BooleanField(_("在库"), default=True)

    class Meta:
        verbose_name = _("专家")
        verbose_name_plural = _("专家库")

    def __str__(self) -> str:
        return str(self.user)


class Conflict(models.Model):
    """A unit an expert must not review (回避), declared by the expert or added by the organizer."""

    expert = models.ForeignKey(Expert, on_delete=models.CASCADE, related_name="conflicts")
    unit = models.ForeignKey("orgs.Unit", on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(_("回避理由"), max_length=200)
    declared_by_expert = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.expert} ⟂ {self.unit}"


class Panel(models.Model):
    class Kind(models.TextChoices):
        MATERIALS = "materials", _("材料评审")
        SITE = "site", _("实地考察/现场答辩")

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="panels")
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices, default=Kind.MATERIALS)
    name = models.CharField(_("名称"), max_length=100)
    members = models.ManyToManyField(Expert, related_name="panels", blank=True)

    class Meta:
        verbose_name = _("专家组")
        verbose_name_plural = _("专家组")

    def __str__(self) -> str:
        return self.name


class Assignment(models.Model):
    """One expert's work on one application in one panel: conflict confirmation, score sheet
    (inputs or points per indicator, each with a comment), submission and lock."""

    class Status(models.TextChoices):
        ASSIGNED = "assigned", _("已分配")
        CONFIRMED = "confirmed", _("已确认无利益冲突")
        SUBMITTED = "submitted", _("已提交")
        ABSTAINED = "abstained", _("回避/弃评")

    panel = models.ForeignKey(Panel, on_delete=models.CASCADE, related_name="assignments")
    application = models.ForeignKey("applications.Application", on_delete=models.CASCADE, related_name="assignments")
    expert = models.ForeignKey(Expert, on_delete=models.CASCADE, related_name="assignments")
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.ASSIGNED)
    no_conflict_at = models.DateTimeField(null=True, blank=True)
    answers = models.JSONField(default=dict)
    points = models.JSONField(_("直接给分"), default=dict)
    comments = models.JSONField(_("评语"), default=dict)
    #: indicator codes where the expert explicitly agreed with the first-review score (同意初审分)
    agreed = models.JSONField(_("同意初审分"), default=list)
    #: indicator codes whose rule inputs the expert entered (the engine scores them): decided too
    entered = models.JSONField(_("专家录入输入"), default=list)
    #: the expert's overall opinion, printed with the expert's name on the sheet
    overall_comment = models.TextField(_("总体评审意见"), blank=True)
    skipped = models.JSONField(_("暂缓"), default=list)
    result = models.JSONField(default=dict)
    total = models.DecimalField(_("专家评分"), max_digits=8, decimal_places=2, null=True, blank=True)
    abstain_reason = models.TextField(_("回避/弃评理由"), blank=True)
    revision = models.PositiveIntegerField(default=0)
    submitted_at = models.DateTimeField(null=True, blank=True)
    assigned_at = models.DateTimeField(auto_now_add=True)
    #: set while the sheet is reopened by a 复议 after publication
    reconsideration = models.ForeignKey(
        "Reconsideration", null=True, blank=True, on_delete=models.SET_NULL, related_name="assignments"
    )

    class Meta:
        verbose_name = _("评审任务")
        verbose_name_plural = _("评审任务")
        constraints = [models.UniqueConstraint(fields=["panel", "application", "expert"], name="unique_assignment")]

    def __str__(self) -> str:
        return f"{self.expert} → {self.application}"


class Result(models.Model):
    """The aggregated outcome for one application: scores, method, divergence, rank, level."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("拟定")
        FINAL = "final", _("最终")

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="results")
    application = models.OneToOneField("applications.Application", on_delete=models.CASCADE, related_name="outcome")
    materials = models.DecimalField(_("材料评审得分"), max_digits=8, decimal_places=2)
    site = models.DecimalField(_("实地考察得分"), max_digits=8, decimal_places=2, null=True, blank=True)
    final = models.DecimalField(_("最终得分"), max_digits=8, decimal_places=2)
    indicators = models.JSONField(default=dict)
    method = models.CharField(_("汇总方法"), max_length=200)
    divergent = models.BooleanField(_("需复议"), default=False)
    spread = models.JSONField(default=dict)
    rank = models.PositiveIntegerField(_("名次"), null=True, blank=True)
    selected = models.BooleanField(_("入选"), default=False)
    level = models.CharField(_("等级"), max_length=40, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    #: school or district: the two are ranked apart and shown in separate tables
    kind = models.CharField(_("类别"), max_length=16, default="school")
    #: the organizer's decision against the computed 入选 (None: as computed), with its reason
    selection_override = models.BooleanField(_("组织单位调整入选"), null=True, blank=True)
    override_reason = models.TextField(_("调整理由"), blank=True)
    #: why a divergent result stands as it is (分歧已核实), recorded by the organizer
    divergence_resolution = models.TextField(_("分歧处理说明"), blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PROPOSED)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("评审结果")
        verbose_name_plural = _("评审结果")
        ordering = ["campaign", "rank"]

    def __str__(self) -> str:
        return f"{self.application} · {self.final}"


class Publication(models.Model):
    """One numbered publication of the list: a snapshot of the results put up for public
    notice (公示). A 复议 after it produces the next number and supersedes it; the last one
    becomes the final list, which nothing changes afterwards."""

    class Status(models.TextChoices):
        PUBLICITY = "publicity", _("公示中")
        SUPERSEDED = "superseded", _("已被更正公示取代")
        FINAL = "final", _("已发布最终名单")

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="publications")
    number = models.PositiveIntegerField(_("公示序号"), default=1)
    starts_on = models.DateField(_("公示开始"))
    ends_on = models.DateField(_("公示结束"))
    tie_rule = models.TextField(_("排名规则"))
    #: why this publication replaced the previous one (empty for the first)
    reason = models.TextField(_("更正说明"), blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PUBLICITY)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    published_at = models.DateTimeField(auto_now_add=True)
    finalized_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("公示")
        verbose_name_plural = _("公示")
        ordering = ["campaign", "-number"]
        constraints = [models.UniqueConstraint(fields=["campaign", "number"], name="unique_publication_number")]

    def __str__(self) -> str:
        return f"{self.campaign} · 第{self.number}次公示 · {self.get_status_display()}"


class PublishedEntry(models.Model):
    """One application's result as it stood when a publication was made: what the public
    list, the applicant's result page and the notice print, whatever happens to the live sheets."""

    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="entries")
    application = models.ForeignKey("applications.Application", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("类别"), max_length=16, default="school")
    unit_name = models.CharField(_("申报单位"), max_length=200)
    county_name = models.CharField(_("所属区县"), max_length=200, blank=True)
    area = models.CharField(_("城乡"), max_length=16, blank=True)
    rank = models.PositiveIntegerField(_("名次"), null=True, blank=True)
    selected = models.BooleanField(_("入选"), default=False)
    materials = models.DecimalField(_("材料评审得分"), max_digits=8, decimal_places=2)
    site = models.DecimalField(_("实地考察得分"), max_digits=8, decimal_places=2, null=True, blank=True)
    final = models.DecimalField(_("最终得分"), max_digits=8, decimal_places=2)
    level = models.CharField(_("等级"), max_length=40, blank=True)
    method = models.CharField(_("汇总方法"), max_length=200)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    override_reason = models.TextField(_("调整理由"), blank=True)
    indicators = models.JSONField(default=dict)
    #: the experts' comments per indicator and overall, numbered, never named
    comments = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("公示结果")
        verbose_name_plural = _("公示结果")
        ordering = ["publication", "-kind", "rank"]
        constraints = [models.UniqueConstraint(fields=["publication", "application"], name="unique_published_entry")]

    def __str__(self) -> str:
        return f"{self.publication} · {self.unit_name}"


class Objection(models.Model):
    """An objection lodged by anyone during publication, answered by the organizer."""

    class Status(models.TextChoices):
        OPEN = "open", _("待处理")
        ANSWERED = "answered", _("已答复")

    class Outcome(models.TextChoices):
        UPHELD = "upheld", _("异议成立")
        REJECTED = "rejected", _("异议不成立")

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="objections")
    application = models.ForeignKey(
        "applications.Application", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    name = models.CharField(_("姓名"), max_length=60)
    contact = models.CharField(_("联系方式"), max_length=100)
    text = models.TextField(_("异议内容"))
    ip = models.GenericIPAddressField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    answer = models.TextField(_("答复"), blank=True)
    outcome = models.CharField(_("处理结果"), max_length=16, choices=Outcome.choices, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} · {self.campaign}"


class Reconsideration(models.Model):
    """A recorded 复议: after publication, the only way a result changes. Named experts
    re-score one application; closing it recomputes the list and makes the next publication,
    with the result before and after kept for the audit."""

    class Status(models.TextChoices):
        OPEN = "open", _("复议中")
        CLOSED = "closed", _("已完成")

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="reconsiderations")
    application = models.ForeignKey("applications.Application", on_delete=models.PROTECT, related_name="+")
    objection = models.ForeignKey(
        Objection, null=True, blank=True, on_delete=models.SET_NULL, related_name="reconsiderations"
    )
    reason = models.TextField(_("复议理由"))
    experts = models.ManyToManyField(Expert, verbose_name=_("复议专家"), related_name="+")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    before = models.JSONField(_("复议前"), default=dict)
    after = models.JSONField(_("复议后"), default=dict)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    opened_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    publication = models.ForeignKey(
        Publication, null=True, blank=True, on_delete=models.SET_NULL, related_name="reconsiderations"
    )

    class Meta:
        verbose_name = _("复议")
        verbose_name_plural = _("复议")
        ordering = ["-opened_at"]

    def __str__(self) -> str:
        return f"{self.application} · 复议 · {self.get_status_display()}"


class Operation(RowProgress, models.Model):
    """A long review step run by the background worker (auto-assignment over two thousand
    finalists, computing a campaign's results): the request that asks for it returns at once,
    and the organizer's page follows `rows_done / rows_total` until it is done or failed, so a
    proxy's 30 s timeout never kills it halfway."""

    class Kind(models.TextChoices):
        AUTO_ASSIGN = "auto_assign", _("自动分配专家")
        COMPUTE_RESULTS = "compute_results", _("计算评审结果")

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("进行中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    token = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="operations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(_("类型"), max_length=32, choices=Kind.choices)
    params = models.JSONField(_("参数"), default=dict, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    rows_done = models.PositiveIntegerField(_("已完成"), default=0)
    rows_total = models.PositiveIntegerField(_("总数"), default=0)
    report = models.JSONField(_("结果"), default=dict, blank=True)
    error = models.TextField(_("错误"), blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("后台操作")
        verbose_name_plural = _("后台操作")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["campaign", "kind", "status"])]

    def __str__(self) -> str:
        return f"{self.campaign_id} · {self.get_kind_display()} · {self.get_status_display()}"
