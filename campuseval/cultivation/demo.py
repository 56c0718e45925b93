"""Demo data for the cultivation cycle: projects for the units on a final list, their
implementation plans submitted and accepted, the first year's annual summary (年度成果总结)
reviewed as its own small campaign and concluded, and the mid-term evaluation opened. Every step
goes through the services, as the organizer and the schools would have taken it."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from campuseval.accounts.models import Membership, Role, User
from campuseval.applications.models import Application
from campuseval.campaigns.demo import stage_open
from campuseval.campaigns.models import Campaign, Stage
from campuseval.reviews import demo as reviews_demo
from campuseval.reviews import services as review_services
from campuseval.reviews.models import CountyReview

from . import services
from .models import Evaluation, Project


def _at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def run_evaluation(
    evaluation: Evaluation, organizer: User, *, opened: dt.date, outcome: str, notes: str = "", seed: str = ""
) -> Evaluation:
    """An evaluation from opening to conclusion: the unit updates and submits its
    self-assessment, the county accepts it, two experts score, the results are frozen and the
    organizer decides the outcome on them."""
    due = evaluation.due_date
    campaign = services.open_evaluation(
        actor=organizer, evaluation=evaluation, deadline=due, now=_at(opened, 9), county_list=False, publicity=False
    )
    application = Application.objects.get(campaign=campaign)
    with stage_open(campaign, Stage.Kind.APPLY):
        reviews_demo.submit(application)
    application.refresh_from_db()
    reviews_demo.county_decide(application, CountyReview.Decision.ACCEPTED)
    panel = review_services.create_panel(
        actor=organizer,
        campaign=campaign,
        name="年度总结评审组",
        kind="materials",
        experts=reviews_demo.demo_experts(),
    )
    rng = random.Random(seed or campaign.name)
    for assignment in reviews_demo.assign(panel, application, organizer):
        reviews_demo.score_sheet(assignment, rng=rng)
    review_services.compute_results(actor=organizer, campaign=campaign)
    review_services.finalize_results(actor=organizer, campaign=campaign, today=due + dt.timedelta(days=5))
    return services.conclude_evaluation(actor=organizer, evaluation=evaluation, outcome=outcome, notes=notes)


def seed_cultivation(
    selection: Campaign, organizer: User, today: dt.date, *, started_days_ago: int = 400
) -> Sequence[Project]:
    """Projects started `started_days_ago` days ago (the second year of three by default): plans
    accepted, the first annual summary concluded (one project warned to correct), and the
    mid-term evaluation opened for the first project."""
    start = today - dt.timedelta(days=started_days_ago)
    projects = services.create_projects(actor=organizer, selection=selection, start_date=start)
    for number, project in enumerate(projects):
        officer = reviews_demo.member(project.unit, Role.APPLICANT)
        plan = SimpleUploadedFile(
            f"{project.unit.name}智慧教育示范学校三年建设实施方案.pdf",
            reviews_demo.pdf_bytes(["Implementation plan 2025-2028", f"Unit {project.unit.code}"]),
            content_type="application/pdf",
        )
        services.submit_plan(actor=officer, project=project, plan=plan)
        services.accept_plan(actor=organizer, project=project)
        annual = project.evaluations.get(kind=Evaluation.Kind.ANNUAL, sequence=1)
        warned = number == len(projects) - 1
        run_evaluation(
            annual,
            organizer,
            opened=annual.due_date - dt.timedelta(days=30),
            outcome=Evaluation.Outcome.WARNING if warned else Evaluation.Outcome.CONTINUE,
            notes="智慧教学常态化应用不足，请于下一年度前补齐课堂应用数据并提交整改报告。" if warned else "",
            seed=f"{selection.pk}-{project.unit.code}",
        )
    if projects:  # the demo school's project, where there is one, is the first to be evaluated mid-term
        demo_units = set(
            Membership.objects.filter(user__username__startswith="demo-").values_list("unit_id", flat=True)
        )
        lead = next((p for p in projects if p.unit_id in demo_units), projects[0])
        midterm = lead.evaluations.get(kind=Evaluation.Kind.MIDTERM)
        services.open_evaluation(actor=organizer, evaluation=midterm, county_list=False)
    return projects
