"""Demo data for review and selection: the expert pool, and the steps people take in a
campaign — schools fill in and submit (answers drawn from the frameworks' sample answers, real
PDF/PNG evidence), counties decide and recommend, experts confirm and score, the organizer
computes, publishes, answers objections and publishes the final list. Every step goes through
the services, so the demo world has the statuses, notifications and audit trail users would
have made."""

from __future__ import annotations

import datetime as dt
import random
import struct
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from campuseval.access.rules import county_of
from campuseval.accounts.models import Membership, Role, User
from campuseval.applications import services as applications
from campuseval.applications.models import Application
from campuseval.campaigns.models import Campaign
from campuseval.campaigns.scoring import framework_for
from campuseval.engine import Framework, formdefs
from campuseval.engine.yamlio import load_yaml
from campuseval.orgs.models import Unit

from . import services
from .models import Assignment, CountyReview, Expert, Objection, Panel, Publication, RecommendationList
from .services.assignments import first_review_points

EXAMPLES = Path(__file__).resolve().parent.parent / "frameworks" / "examples"


def seed_reviews(stdout: Any = None) -> int:
    """Idempotent: every user with the expert role gets an Expert profile (work unit, region)."""
    created = 0
    for membership in Membership.objects.filter(role=Role.EXPERT).select_related("user", "unit"):
        _, made = Expert.objects.get_or_create(
            user=membership.user,
            defaults={
                "unit": membership.unit,
                "region": county_of(membership.unit),
                "title": "高级教师",
                "fields": "智慧课堂、教育信息化",
            },
        )
        created += made
    if stdout is not None:
        stdout.write(f"专家库：新增 {created} 位专家\n")
    return created


# --- people --------------------------------------------------------------------------------------


def member(unit: Unit, role: str) -> User:
    """The unit's account with `role`: the demo login where there is one, else its staff account."""
    memberships = Membership.objects.filter(unit=unit, role=role).select_related("user").order_by("user__username")
    found = [m.user for m in memberships]
    demo = [u for u in found if u.username.startswith("demo-")]
    return (demo or found)[0]


# --- evidence files ---------------------------------------------------------------------------------


def pdf_bytes(lines: Sequence[str]) -> bytes:
    """A small, valid one-page PDF (A4) with a few lines of ASCII text."""

    def escaped(line: str) -> str:
        ascii_only = line.encode("ascii", "replace").decode()
        return ascii_only.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    text = "BT /F1 14 Tf 72 770 Td 20 TL " + " ".join(f"({escaped(line)}) '" for line in lines) + " ET"
    stream = text.encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> "
        b"/Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def png_bytes(seed: int, width: int = 320, height: int = 200) -> bytes:
    """A small valid PNG: a sky, a school building and its windows, in colours from `seed`."""
    rng = random.Random(seed)
    wall = (rng.randint(170, 230), rng.randint(120, 190), rng.randint(90, 140))
    rows = []
    for y in range(height):
        row = bytearray([0])
        for x in range(width):
            if y > 170:
                pixel = (96, 160, 80)  # lawn
            elif 60 < y <= 170 and 40 <= x < 280:
                window = (x - 40) % 40 in range(10, 30) and (y - 60) % 36 in range(10, 26)
                pixel = (120, 180, 230) if window else wall
            else:
                pixel = (200, 225, 245)  # sky
            row += bytes(pixel)
        rows.append(bytes(row))
    raw = zlib.compress(b"".join(rows), 9)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


# --- answers and the form --------------------------------------------------------------------------


@cache
def _example(key: str, kind: str) -> dict[str, Any]:
    path = EXAMPLES / f"{key}.{kind}.yaml"
    return dict(load_yaml(path.read_text("utf-8"))) if path.exists() else {}


def _plain(value: Any, shift: dt.timedelta) -> Any:
    """A sample value as a school types it; dates moved by `shift` so that "近三年" windows
    read the same against the campaign's 基准日."""
    if isinstance(value, dt.date):
        return (value + shift).isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, Mapping):
        return {str(k): _plain(v, shift) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v, shift) for v in value]
    return value


def sample_document(fw: Framework, as_of: dt.date, rng: random.Random, strength: float) -> dict[str, Any]:
    """An answer document between the framework's typical (`sample`) and full-marks (`full`)
    answers: each indicator from the full answers with probability `strength`."""
    full, sample = _example(fw.id, "full"), _example(fw.id, "sample")
    base = sample or full
    raw_as_of = base.get("as_of") or as_of
    shift = as_of - (raw_as_of if isinstance(raw_as_of, dt.date) else dt.date.fromisoformat(str(raw_as_of)))
    full_answers = dict(full.get("answers") or {})
    sample_answers = dict(sample.get("answers") or {})
    answers: dict[str, Any] = {}
    for leaf in fw.leaves():
        options = [a[leaf.code] for a in (full_answers, sample_answers) if leaf.code in a]
        if not options:
            continue
        pick = options[0] if len(options) == 1 or rng.random() < strength else options[1]
        answers[leaf.code] = _plain(pick, shift)
    return {
        "context": _plain(base.get("context") or {}, shift),
        "choices": _plain(base.get("choices") or {}, shift),
        "declarations": _plain(base.get("declarations") or {}, shift),
        "answers": answers,
    }


STAGE_NAMES: dict[str, str] = {
    Unit.Stage.PRIMARY: "小学",
    Unit.Stage.JUNIOR: "初中",
    Unit.Stage.NINE_YEAR: "初中",
    Unit.Stage.SENIOR: "普通高中",
    Unit.Stage.COMPLETE: "普通高中",
    Unit.Stage.TWELVE_YEAR: "普通高中",
}


def _choice(field: formdefs.FormField, unit: Unit, fw: Framework) -> str:
    if field.key == "category":  # Bozhou's 类别: 乡村/城镇 and the counted stage
        wanted = ("乡村" if unit.area == Unit.Area.RURAL else "城镇") + STAGE_NAMES.get(unit.stage, "初中")
        if wanted in field.options:
            return wanted
    if field.key == "level_sought":  # Taizhou applies level by level: the first level is 合格
        names = [level.name for level in fw.levels]
        lowest = [o for o in field.options if names and o == names[-1]]
        return lowest[0] if lowest else field.options[-1]
    return field.options[0]


def _number(field: formdefs.FormField, unit: Unit, rng: random.Random) -> str:
    figures = {"students": unit.students, "staff": unit.staff, "classes": unit.classes}
    if unit.kind == Unit.Kind.COUNTY:
        below = Unit.objects.filter(parent=unit, kind=Unit.Kind.SCHOOL)
        figures = {
            "schools": below.count(),
            "students": sum(s.students or 0 for s in below),
            "staff": sum(s.staff or 0 for s in below),
            "classes": sum(s.classes or 0 for s in below),
        }
    if field.kind == "percent":
        return str(rng.randint(85, 99))
    base = figures.get(field.key)
    if base is not None:
        return str(base)
    classes = figures.get("classes") or 30
    students = figures.get("students") or 1200
    guesses = {
        "teachers": int((figures.get("staff") or 90) * 0.85),
        "classes_grade3_up": max(int(classes * 0.6), 1),
        "student_computers": max(students // rng.randint(5, 8), 1),
        "teacher_computers": int((figures.get("staff") or 90) * 0.9),
        "bandwidth_mbps": rng.choice([500, 1000, 1000, 2000]),
    }
    if field.key in guesses:
        return str(guesses[field.key])
    if field.maximum is not None:
        return str(min(int(field.maximum), rng.randint(1, 20)))
    return str(rng.randint(3, 30) if field.kind == "int" else rng.randint(100, 900))


def form_values(
    definition: formdefs.FormDefinition, unit: Unit, fw: Framework, doc: Mapping[str, Any], rng: random.Random
) -> dict[str, str]:
    """What a school types into its 申报书: contacts, figures and short accounts, and the figures
    indicators read from the form (bandwidth, coverage) as in the sample answers."""
    seed = rng.randint(0, 10_000)
    name = f"{'王李张刘陈杨赵黄'[seed % 8]}{'晓明建国丽华文静志强海燕'[seed % 6 * 2 : seed % 6 * 2 + 2]}"
    values: dict[str, str] = {}
    for f in definition.fields():
        key = f.key
        if f.kind == "bool":
            values[key] = formdefs.YES
        elif f.kind == "choice":
            values[key] = _choice(f, unit, fw)
        elif f.kind == "narrative":
            values[key] = (
                f"{unit.name}围绕“{f.label.split('·')[-1].strip()}”制定年度工作方案，明确分管领导和责任处室，"
                "常态化开展应用与培训，建立过程记录和考核机制，相关成效已形成案例并在区域内交流推广。"
            )
        elif f.kind == "text":
            if "mobile" in key or "phone" in key:
                values[key] = f"139{seed:04d}{rng.randint(1000, 9999)}"
            elif "email" in key:
                values[key] = f"office{seed}@example.edu.cn"
            elif "address" in key:
                values[key] = unit.address or unit.name
            elif "postcode" in key:
                values[key] = "990100"
            elif "title" in key:
                values[key] = "校长" if "leader" in key or "head" in key else "信息中心主任"
            else:
                values[key] = name
        else:
            values[key] = _number(f, unit, rng)
    fields = {f.key for f in definition.fields()}
    derived = {d.key: d for d in definition.derived}
    answers = doc.get("answers") or {}
    for leaf in fw.leaves():
        for input_key, spec in leaf.inputs.items():
            if not spec.form_field or input_key not in (answers.get(leaf.code) or {}):
                continue
            value = answers[leaf.code][input_key]
            target = formdefs.ALIASES.get(spec.form_field, spec.form_field)
            if target in derived and derived[target].percent:
                d = derived[target]
                denominator = int(values.get(d.denominator) or 40)
                values[d.denominator] = str(denominator)
                values[d.numerator] = str(round(denominator * Decimal(str(value)) / 100))
            elif target in fields and target not in ("students", "classes", "teachers"):
                # a yes/no answer is typed on the form as 是/否 (str(True) is no answer there)
                values[target] = (formdefs.YES if value else formdefs.NO) if isinstance(value, bool) else str(value)
    return values


@dataclass(frozen=True)
class Filling:
    """How far a school gets: the share of indicators answered (1 = all), whether evidence is
    uploaded, and how strong its answers are (0 typical … 1 full marks)."""

    answered: float = 1.0
    evidence: bool = True
    strength: float = 0.5


EVIDENCE_NAMES = (
    ("网络建设合同与验收报告.pdf", "pdf"),
    ("智慧教室实景照片.png", "png"),
    ("信息化工作制度汇编.pdf", "pdf"),
)


def fill_application(
    *, campaign: Campaign, unit: Unit, filling: Filling, seed: str, officer: User | None = None
) -> Application:
    """A school (or county) starts its application and fills it in as its officer would: the
    申报书, the framework-wide choices, the indicators one by one, and evidence files."""
    officer = officer or member(unit, Role.APPLICANT)
    rng = random.Random(seed)
    application = applications.start_application(actor=officer, campaign=campaign, unit=unit)
    fw = applications.framework_of(application)
    doc = sample_document(fw, campaign.as_of, rng, filling.strength)
    definition = applications.form_definition(application)
    values = form_values(definition, unit, fw, doc, rng)
    application = applications.save_form(
        actor=officer, application=application, revision=application.revision, data=values
    ).application
    context = {k: v for k, v in doc["context"].items() if k not in (application.answers.get("context") or {})}
    application = applications.save_choices(
        actor=officer,
        application=application,
        revision=application.revision,
        context=context,
        choices=doc["choices"],
        declarations=doc["declarations"],
    ).application
    codes = list(doc["answers"])
    if filling.answered < 1:
        codes = codes[: max(int(len(codes) * filling.answered), 1)]
    for number, code in enumerate(codes):
        narrative = f"已按要求落实，详见佐证材料（{unit.name}）。" if number % 4 == 0 else None
        application = applications.save_indicator(
            actor=officer,
            application=application,
            revision=application.revision,
            code=code,
            values=doc["answers"][code],
            narrative=narrative,
        ).application
    if filling.evidence:
        leaves = [leaf.code for leaf in fw.leaves() if leaf.code in doc["answers"]]
        for (name, kind), code in zip(EVIDENCE_NAMES, leaves[:: max(len(leaves) // 3, 1)], strict=False):
            if kind == "pdf":
                content = pdf_bytes(["CampusEval demo evidence", f"Unit {unit.code}", f"Indicator {code}"])
                mime = "application/pdf"
            else:
                content, mime = png_bytes(int(unit.code[-4:] or 0) + len(code)), "image/png"
            applications.upload_evidence(
                actor=officer,
                application=application,
                file=SimpleUploadedFile(name, content, content_type=mime),
                indicator_code=code,
            )
    return Application.objects.get(pk=application.pk)


def submit(application: Application) -> Application:
    """The head confirms the authenticity promise and submits."""
    head = member(application.unit, Role.HEAD)
    applications.submit_application(actor=head, application=application, promise_confirmed=True)
    return Application.objects.get(pk=application.pk)


# --- county review ------------------------------------------------------------------------------


def reviewer_of(application: Application) -> User:
    county = county_of(application.unit)
    assert county is not None
    return member(county, Role.COUNTY_REVIEWER)


def county_decide(
    application: Application, decision: str, *, reason: str = "", adjust: bool = False, fix_days: int = 7
) -> CountyReview:
    """The county's first review: accepted (with one indicator adjusted when `adjust`), rejected
    or returned for 补正 with a deadline."""
    adjustments = []
    if adjust:
        indicators = application.result.get("indicators", {})
        fw = framework_for(application.framework)
        for code, data in indicators.items():
            points = Decimal(str(data.get("points") or 0))
            if data.get("status") == "scored" and points >= 1 and code in fw.by_code and fw.by_code[code].is_leaf:
                adjustments.append(
                    services.AdjustmentInput(code, "points", str(points - 1), "佐证材料中部分数据无法核实，酌情扣 1 分")
                )
                break
    opinion = "材料齐全，数据经核实，同意推荐。" if decision == CountyReview.Decision.ACCEPTED else ""
    fix = timezone.localdate() + dt.timedelta(days=fix_days) if decision == CountyReview.Decision.RETURNED else None
    return services.decide_county_review(
        actor=reviewer_of(application),
        application=application,
        decision=decision,
        reason=reason,
        opinion=opinion,
        adjustments=adjustments,
        fix_deadline=fix,
    )


def recommend(campaign: Campaign, county: Unit, chosen: Sequence[Application], *, confirm: bool) -> RecommendationList:
    """The county's recommendation list, in order, confirmed by the bureau's named head when
    `confirm`."""
    reviewer = member(county, Role.COUNTY_REVIEWER)
    rec = services.recommend_applications(
        actor=reviewer,
        campaign=campaign,
        county=county,
        applications=list(chosen),
        filled_by=reviewer.display_name,
        phone="0999-8123456",
        highlights={a.pk: "智慧课堂常态化应用，城乡同步课堂覆盖乡村教学点" for a in chosen[:2]},
    )
    if confirm:
        rec = services.confirm_recommendation(
            actor=reviewer, recommendation=rec, confirmed_name=f"{county.name}教育局 {reviewer.display_name}"
        )
    return rec


# --- experts ----------------------------------------------------------------------------------------


def demo_experts() -> list[Expert]:
    return list(Expert.objects.filter(user__username__startswith="demo-expert").order_by("user__username"))


def form_panel(campaign: Campaign, organizer: User) -> Panel:
    services.configure_review(actor=organizer, campaign=campaign, values={"experts_per_application": 2})
    return services.create_panel(
        actor=organizer, campaign=campaign, name="材料评审组", kind=Panel.Kind.MATERIALS, experts=demo_experts()
    )


def assign(panel: Panel, application: Application, organizer: User, per_application: int = 2) -> list[Assignment]:
    """The first experts without a conflict of interest, in turn."""
    experts = demo_experts()
    shift = application.pk % len(experts)
    made: list[Assignment] = []
    for expert in experts[shift:] + experts[:shift]:
        if len(made) == per_application:
            break
        if services.conflict_reason(expert, application) is None:
            made.append(services.assign_expert(actor=organizer, panel=panel, application=application, expert=expert))
    return made


def score_sheet(assignment: Assignment, *, rng: random.Random, submit: bool = True, partial: bool = False) -> None:
    """The expert confirms no conflict, scores a few indicators below the first review, agrees
    with the first-review points for the rest, writes an opinion and submits."""
    user = assignment.expert.user
    assignment = services.confirm_no_conflict(actor=user, assignment=assignment)
    application = assignment.application
    first = first_review_points(application)
    version = application.versions.order_by("-number").first()
    indicators = (version.result if version else {}).get("indicators", {})
    fw = framework_for(application.framework)
    leaves = [
        leaf.code
        for leaf in fw.leaves()
        if indicators.get(leaf.code, {}).get("status") != "not_chosen" and leaf.code in first
    ]
    scored = [c for c in leaves if Decimal(first[c]) >= 2]
    rng.shuffle(scored)
    points = {c: str(Decimal(first[c]) - rng.choice([0, 1, 1, 2])) for c in scored[:3]}
    # what the seed leaves to the review group is the expert's to decide, never 同意初审分
    for code in sorted(services.estimated_codes(assignment)):
        if code in leaves and code not in points:
            points[code] = first[code]
    agreed = [c for c in leaves if c not in points]
    if partial:
        agreed = agreed[: len(agreed) // 2]
    comments = {c: "佐证材料与自评不完全一致，酌情扣分" for c, p in points.items() if Decimal(p) < Decimal(first[c])}
    assignment = services.record_expert_score(
        actor=user,
        assignment=assignment,
        revision=assignment.revision,
        points=points,
        agreed=agreed,
        comments=comments,
        overall_comment="" if partial else "整体建设思路清晰，应用较为常态化，建议进一步加强数据治理与评价改革。",
    )
    if submit and not partial:
        services.submit_expert_score(actor=user, assignment=assignment)


def publish(campaign: Campaign, organizer: User, starts_on: dt.date, days: int = 7) -> Publication:
    services.compute_results(actor=organizer, campaign=campaign)
    return services.publish_results(
        actor=organizer,
        campaign=campaign,
        starts_on=starts_on,
        ends_on=starts_on + dt.timedelta(days=days - 1),
        today=starts_on,
    )


def object_to(
    campaign: Campaign,
    application: Application,
    on: dt.date,
    organizer: User | None = None,
    outcome: str = Objection.Outcome.REJECTED,
) -> Objection:
    """A member of the public objects during the 公示; the organizer answers when given."""
    objection = services.lodge_objection(
        campaign=campaign,
        name="群众来信",
        contact="13800001234",
        text=f"反映{application.unit.name}的智慧课堂覆盖率数据偏高，请核实。",
        ip="203.0.113.8",
        application=application,
        today=on,
    )
    if organizer is not None:
        objection = services.answer_objection(
            actor=organizer,
            objection=objection,
            outcome=outcome,
            answer="经调阅教室台账并抽查课堂录像，覆盖率数据属实，异议不成立。",
        )
    return objection
