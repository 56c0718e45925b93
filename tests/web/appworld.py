"""A small world for application tests: a framework with every widget type, a campaign,
two schools in two counties and the people acting on them (importable by browser tests)."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

from django.test import Client
from django.utils import timezone

from campuseval.accounts.models import Membership, Role, User
from campuseval.applications import services
from campuseval.applications.models import Application
from campuseval.campaigns.models import Campaign, FrameworkRecord, Stage
from campuseval.orgs.models import Unit

PASSWORD = "x-Pass-12345"

FRAMEWORK = """
id: webmini
title: 网页测试框架
subject: school
level_names: [一级指标, 二级指标, 三级指标]
total: 30
time_windows:
  近五年: {since: 2019-01-01}
context:
  - {key: stage, type: choice, label: 学段, options: [小学, 初中, 普通高中]}
levels:
  - {name: 优秀型, min_total: 25, requires: [basic]}
  - {name: 合格型, min_total: 15}
eligibility:
  min_total: 5
indicators:
  - code: 一
    title: 基础环境
    points: 20
    children:
      - code: "1.1"
        title: 出口带宽
        points: 8
        marks: [basic]
        criterion: 出口带宽达到 500M 及以上。
        scoring: 500M（含）以上得 8 分；300M（含）至 500M 得 4 分。
        evidence: 网络服务合同
        inputs:
          - {key: bandwidth, type: number, label: 出口带宽, unit: M, min: 0, max: 100000, form_field: bandwidth_mbps}
        rule:
          type: tiers
          input: bandwidth
          tiers: [{min: 500, points: 8}, {min: 300, max: 500, points: 4}, {max: 300, points: 0}]
      - code: "1.2"
        title: 管理制度
        points: 4
        inputs: [{key: has_rules, type: bool, label: 制定管理制度}]
        rule: {type: yes_no, input: has_rules}
      - code: "1.3"
        title: 平台建设
        points: 4
        inputs: [{key: platform, type: choice, label: 平台情况, options: [自建, 租用, 无]}]
        rule: {type: choice, input: platform, options: {自建: 4, 租用: 2, 无: 0}}
      - code: "1.4"
        title: 应用场景
        points: 4
        inputs: [{key: scenes, type: multi, label: 应用场景, options: [教学, 管理, 评价, 家校]}]
        rule: {type: scenario_count, input: scenes, floor: 2, floor_points: 2, step_points: 1, cap: 4}
  - code: 二
    title: 特色发展
    points: 10
    choose_one: true
    children:
      - code: 方向一
        title: 方向一：教学应用
        points: 10
        children:
          - code: "2.1"
            title: 教学获奖
            points: 10
            inputs:
              - key: awards
                type: items
                label: 获奖
                fields:
                  - {key: name, type: text, label: 奖项名称}
                  - {key: level, type: choice, label: 级别, options: [市级, 省级, 国家级]}
                  - {key: date, type: date, label: 获奖日期}
                  - {key: case, type: text, label: 案例}
            rule:
              type: level_items
              input: awards
              points: {市级: 2, 省级: 4, 国家级: 6}
              cap: 10
              window: 近五年
              date_field: date
              case_field: case
      - code: 方向二
        title: 方向二：管理服务
        points: 10
        children:
          - code: "2.2"
            title: 管理服务自评
            points: 10
            inputs:
              - {key: pts, type: number, label: 自评分, min: 0, max: 10}
              - {key: accepted_on, type: date, label: 验收日期, optional: true}
            rule: {type: manual, input: pts}
"""


@dataclass
class World:
    city: Unit
    county_x: Unit
    county_y: Unit
    school_a: Unit
    school_b: Unit
    record: FrameworkRecord
    campaign: Campaign
    stage: Stage
    users: dict[str, User]

    def client(self, who: str) -> Client:
        c = Client()
        c.force_login(self.users[who])
        return c


def make_user(name: str, unit: Unit, role: str) -> User:
    u = User.objects.create_user(username=name, password=PASSWORD, display_name=name)
    Membership.objects.create(user=u, unit=unit, role=role)
    return u


def build_world() -> World:
    city = Unit.objects.create(code="W-C", name="示例市", kind=Unit.Kind.CITY)
    x = Unit.objects.create(code="W-X", name="甲县", kind=Unit.Kind.COUNTY, parent=city)
    y = Unit.objects.create(code="W-Y", name="乙县", kind=Unit.Kind.COUNTY, parent=city)
    a = Unit.objects.create(
        code="W-A",
        name="甲县实验小学",
        kind=Unit.Kind.SCHOOL,
        parent=x,
        stage=Unit.Stage.PRIMARY,
        students=900,
        staff=60,
        classes=24,
    )
    b = Unit.objects.create(
        code="W-B", name="乙县第一中学", kind=Unit.Kind.SCHOOL, parent=y, stage=Unit.Stage.NINE_YEAR
    )
    record = FrameworkRecord.objects.create(
        key="webmini",
        title="网页测试框架",
        subject="school",
        total=30,
        source_yaml=FRAMEWORK,
        sha256=hashlib.sha256(FRAMEWORK.encode()).hexdigest(),
    )
    campaign = Campaign.objects.create(
        name="2024 智慧校园示范校遴选",
        year=2024,
        organizer=city,
        applicants="schools",
        school_framework=record,
        as_of=dt.date(2024, 5, 30),
        status=Campaign.Status.OPEN,
    )
    now = timezone.now()
    stage = Stage.objects.create(
        campaign=campaign,
        kind=Stage.Kind.APPLY,
        starts_at=now - dt.timedelta(days=10),
        deadline=now + dt.timedelta(days=10),
    )
    users = {
        "school_officer": make_user("school_officer", a, Role.APPLICANT),
        "school_head": make_user("school_head", a, Role.HEAD),
        "county_reviewer": make_user("county_reviewer", x, Role.COUNTY_REVIEWER),
        "organizer": make_user("organizer", city, Role.ORGANIZER),
        "expert": make_user("expert", city, Role.EXPERT),
        "outsider": make_user("outsider", b, Role.APPLICANT),
        "outsider_reviewer": make_user("outsider_reviewer", y, Role.COUNTY_REVIEWER),
        "sysadmin": make_user("sysadmin", city, Role.ADMIN),
    }
    return World(city, x, y, a, b, record, campaign, stage, users)


FULL_FORM = {
    "contact_name": "王老师",
    "contact_phone": "13800000000",
    "students": "900",
    "staff": "60",
    "teachers": "55",
    "classes": "24",
    "classes_grade3_up": "16",
    "smart_classrooms": "8",
    "bandwidth_mbps": "600",
}


def complete_application(w: World, application: Application) -> Application:
    """Fill everything (bandwidth from the form, direction 一 chosen) as the applicant."""
    actor = w.users["school_officer"]

    def rev() -> int:
        application.refresh_from_db()
        return application.revision

    services.save_form(actor=actor, application=application, revision=rev(), data=FULL_FORM)
    services.save_choices(actor=actor, application=application, revision=rev(), choices={"二": "方向一"})
    answers: dict[str, dict[str, Any]] = {
        "1.2": {"has_rules": "true"},
        "1.3": {"platform": "自建"},
        "1.4": {"scenes": ["教学", "管理", "评价"]},
        "2.1": {"awards": [{"name": "优课", "level": "省级", "date": "2023-06-01", "case": "案例甲"}]},
    }
    for code, values in answers.items():
        out = services.save_indicator(actor=actor, application=application, revision=rev(), code=code, values=values)
        assert not out.errors, out.errors
    application.refresh_from_db()
    return application
