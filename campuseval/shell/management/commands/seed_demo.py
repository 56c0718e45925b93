"""`manage.py seed_demo`: the demo city, accounts, and a campaign per framework at each point of
the process (idempotent)."""

from __future__ import annotations

import unicodedata
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.urls import reverse

from campuseval.accounts.models import Role
from campuseval.campaigns.demo import POINT_LABELS
from campuseval.reviews.models import Publication
from campuseval.shell.demo import seed_demo


def width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def table(header: list[str], rows: list[list[str]]) -> str:
    """A plain-text table that lines up with Chinese characters (two columns wide each)."""
    widths = [max(width(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        return "  ".join(c + " " * (w - width(c)) for c, w in zip(cells, widths, strict=True)).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(header), rule, *(line(r) for r in rows)])


class Command(BaseCommand):
    help = (
        "载入指标框架，建立演示城市（示例市）、各角色演示账号，"
        "以及处于申报、初审、专家评审、公示、最终名单和培育各环节的活动；可重复运行"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--password", help="所有演示账号使用此密码（默认每次随机生成，或取环境变量 DEMO_PASSWORD）")

    def handle(self, *args: Any, **options: Any) -> None:
        report = seed_demo(password=options.get("password"))
        out = self.stdout
        for load in report.frameworks:
            if not load.ok:
                self.stderr.write(self.style.WARNING(f"指标框架 {load.key or load.path} 未通过校验，未载入："))
                for message in load.messages[:5]:
                    self.stderr.write(f"  - {message}")
        usable = sum(1 for f in report.frameworks if f.ok)
        region = report.region
        out.write(
            f"指标框架 {usable} 个；演示单位：{region.city.name}，{len(region.counties)} 个区县，"
            f"{len(region.schools)} 所学校；专家库新增 {report.experts} 位"
        )
        out.write("\n演示活动（各停在评审流程的不同环节）：")
        for campaign in report.campaigns:
            frameworks = " / ".join(
                fw.key for fw in (campaign.school_framework, campaign.district_framework) if fw is not None
            )
            point = POINT_LABELS.get(report.points.get(campaign.pk, ""), campaign.get_status_display())
            count = campaign.applications.count()
            out.write(f"  · {campaign.name}（{point}，{frameworks}，{count} 份申报）")
        root = settings.SITE_ROOT.rstrip("/")
        published = [c for c in report.campaigns if Publication.objects.filter(campaign=c).exists()]
        if published:
            out.write("\n公示与最终名单（无需登录）：")
            for campaign in published:
                out.write(f"  · {campaign.name}：{root}{reverse('reviews:public', args=[campaign.pk])}")
        for name, reason in report.failed:
            self.stderr.write(self.style.WARNING(f"活动 {name} 的演示数据未能建立（下次运行将重建）：{reason}"))
        for name in report.skipped:
            out.write(f"  · 未建立：{name}（没有可用的指标框架）")
        rows = []
        for spec, user, password in report.accounts:
            role = spec.label or "、".join(str(Role(r).label) for r in spec.roles)
            rows.append([user.username, password, role, spec.unit, user.display_name])
        if report.fixed_password:
            out.write("\n演示账号（密码取自 DEMO_PASSWORD / --password）：")
        else:
            out.write("\n演示账号（密码每次运行重新生成，仅此处显示）：")
        out.write(table(["用户名", "密码", "角色", "单位", "姓名"], rows))
        out.write(
            f"另有 {report.staff} 个学校、区县工作人员账号（staff-*、reviewer-*，不能登录）："
            "演示中的填报、提交和县级初审以他们的名义进行，审计日志据此记名。"
        )
        out.write(f"\n登录地址：{root}/accounts/login/")
