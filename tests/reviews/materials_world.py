"""A review desk for the expert's side: a recommended application with narratives, item
lists, a 申报书 and evidence (one PDF, one Word file, one draft not yet submitted), accepted by
its county and assigned to one expert; a second application assigned to nobody. Shared by the
expert sheet tests and the expert's browser journey."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone

from campuseval.applications.models import Application, ApplicationVersion, Evidence
from campuseval.campaigns.models import Campaign, FrameworkRecord
from campuseval.reviews import services
from campuseval.reviews.models import CountyReview, Panel
from campuseval.reviews.services.common import score_answers

from .conftest import expert

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

FRAMEWORK = """
id: materials-mini
title: 材料评审框架
subject: school
level_names: [一级]
total: 10
indicators:
  - code: "1"
    title: 出口带宽
    points: 6
    evidence: 提供光纤接入合同或运营商证明
    inputs:
      - {key: bw, type: number, label: 出口带宽, unit: M}
    rule: {type: tiers, input: bw, tiers: [{min: 500, points: 6}, {min: 300, max: 500, points: 3}]}
  - code: "2"
    title: 学生获奖
    points: 4
    inputs:
      - key: awards
        type: items
        label: 学生获奖
        fields:
          - {key: name, type: text, label: 奖项名称}
          - {key: level, type: choice, label: 级别, options: [市级, 省级]}
          - {key: date, type: date, label: 获奖日期}
    rule: {type: level_items, input: awards, points: {市级: 1, 省级: 2}, cap: 4}
"""


def _evidence(app: Application, name: str, content_type: str, data: bytes, code: str, frozen: bool) -> Evidence:
    ev = Evidence(
        application=app,
        indicator_code=code,
        original_name=name,
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        frozen_in_version=1 if frozen else None,
    )
    ev.file.save(name, ContentFile(data), save=False)
    ev.save()
    return ev


def build_desk(world: dict[str, Any]) -> dict[str, Any]:
    """A recommended application with narratives, item lists, a 申报书 and evidence, accepted
    by its county, assigned to one expert; a second application assigned to nobody."""
    record = FrameworkRecord.objects.create(
        key="materials-mini",
        title="材料评审框架",
        subject="school",
        total=10,
        source_yaml=FRAMEWORK,
        sha256=hashlib.sha256(FRAMEWORK.encode()).hexdigest(),
    )
    campaign = Campaign.objects.create(
        name="2025 材料评审",
        year=2025,
        organizer=world["city"],
        applicants="schools",
        school_framework=record,
        as_of=dt.date(2025, 5, 30),
        status=Campaign.Status.EXPERT_REVIEW,
    )
    school, other_school = world["schools"][0], world["schools"][1]
    answers = {
        "answers": {
            "1": {"bw": 600},
            "2": {"awards": [{"name": "机器人大赛一等奖", "level": "省级", "date": "2024-11-02"}]},
        }
    }
    narratives = {"1": f"{school.name}已接入千兆光纤，校园网覆盖全部教室。"}
    form_data = {"contact_name": "王老师", "contact_phone": "0571-1234567", "students": 800, "classes": 20}
    apps = []
    for unit in (school, other_school):
        app = Application.objects.create(
            campaign=campaign,
            unit=unit,
            framework=record,
            status=Application.Status.RECOMMENDED,
            answers=answers,
            narratives=narratives,
            form_data=form_data,
            self_total=8,
        )
        files = [
            _evidence(app, f"{unit.name}光纤合同.pdf", "application/pdf", PDF, "1", True),
            _evidence(app, "获奖证书汇总.docx", DOCX, b"PK\x03\x04", "2", True),
        ]
        draft_file = _evidence(app, "尚未提交的草稿.pdf", "application/pdf", PDF, "1", False)
        result = score_answers(app, answers).to_dict()
        ApplicationVersion.objects.create(
            application=app,
            number=1,
            answers=answers,
            narratives=narratives,
            form_data=form_data,
            result=result,
            total=8,
            evidence=[
                {
                    "id": e.pk,
                    "name": e.original_name,
                    "sha256": e.sha256,
                    "size": e.size,
                    "indicator": e.indicator_code,
                    "content_type": e.content_type,
                }
                for e in files
            ],
            promise_text="我单位承诺所填内容真实。",
            submitted_at=timezone.now(),
        )
        CountyReview.objects.create(
            application=app,
            version_number=1,
            decision=CountyReview.Decision.ACCEPTED,
            opinion="同意推荐",
            result={"indicators": {"1": {"points": "6"}, "2": {"points": "1"}}},
            total=7,
            reviewer=world["reviewer"],
        )
        apps.append((app, files, draft_file))
    panel = Panel.objects.create(campaign=campaign, name="材料组")
    e1 = expert("e1", world["y"])
    e1.user.display_name = "钱专家"
    e1.user.save()
    assignment = services.assign_expert(actor=world["organizer"], panel=panel, application=apps[0][0], expert=e1)
    return {
        **world,
        "campaign2": campaign,
        "app": apps[0][0],
        "files": apps[0][1],
        "draft_file": apps[0][2],
        "other_app": apps[1][0],
        "other_files": apps[1][1],
        "expert": e1,
        "assignment": assignment,
        "panel": panel,
    }
