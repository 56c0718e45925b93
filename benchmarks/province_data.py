"""The province benchmark's world, built through the platform's own services (issue 13):
one province, its cities and counties, the schools with their accounts (one account per school
holding 学校填报员 and 学校负责人, as the demo's staff accounts do), a county reviewer per county,
an organizer per city and one at the province, a Sichuan school campaign organized by the
province, every school's application filled in and scored, a share of them submitted, accepted
by their county and recommended on a confirmed county list, the expert pool and the first
expert tasks scored.

How each part goes through the services, and where the benchmark takes a shortcut:

- The province itself is the one unit no service creates ("不能导入省级单位"): it is made with
  `Unit.objects.create`. Everything under it comes from `units.services.import_units` and the
  accounts from `reports.imports.import_accounts`, each fed an in-memory .xlsx written in
  write-only mode (no dimension record) of at most SHEET_ROWS rows (the import row limit).
- Answers: a school's whole answer document (the frameworks' sample and full answers, as the
  demo fills them) is parsed indicator by indicator with `applications.services.
  parse_indicator_values` (the save's own parser) and written by ONE `save_indicator` call per
  application (it scores, writes and audits the whole document: one save, one audit row), not
  one save per indicator (45 per school would be 900,000 saves). Submitted applications also
  get their 申报书 through `save_form`, then `submit_application` by the head.
- Stage dates are moved around "now" while a stage's steps run, as the demo does
  (`campaigns.demo.stage_open`).

Run inside `benchmarks.province` after Django is set up."""

from __future__ import annotations

import datetime as dt
import io
import os
import random
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection
from django.utils import timezone
from openpyxl import Workbook

from campuseval.accounts import services as account_services
from campuseval.accounts.models import Membership, Role, User
from campuseval.applications import services as applications
from campuseval.applications.models import Application
from campuseval.campaigns import services as campaign_services
from campuseval.campaigns.demo import stage_open
from campuseval.campaigns.models import Campaign, FrameworkRecord, Stage
from campuseval.engine import Framework
from campuseval.orgs.models import Unit
from campuseval.people import services as people
from campuseval.reports import imports
from campuseval.reviews import demo as review_demo
from campuseval.reviews import services as reviews
from campuseval.reviews.models import CountyReview, Expert, Panel
from campuseval.units import services as unit_services

FRAMEWORK = "sichuan-2023-school"
CAMPAIGN_NAME = "四川省智慧教育示范学校创建（省级压测）"
PROVINCE = ("510000", "四川省（压测）")
#: rows per import sheet (the import's row limit is 20,000; a province imports city by city)
SHEET_ROWS = int(os.environ.get("PROVINCE_SHEET_ROWS", "5000"))
#: schools per county, and how many of a county's applications are submitted and recommended
#: (the first county all of its 100: the recommend page with 100 applications)
PER_COUNTY = 100
SUBMITTED_PER_COUNTY = 10
EXPERTS = 100
TASKS = 300
STAGES = (Unit.Stage.PRIMARY, Unit.Stage.JUNIOR, Unit.Stage.SENIOR, Unit.Stage.NINE_YEAR)


@dataclass
class Timings:
    """Seconds per generation step, in the order they ran."""

    steps: list[tuple[str, float, str]] = field(default_factory=list)
    #: the imports' sheets one after another (what one background worker would take)
    serial: dict[str, float] = field(default_factory=dict)

    def step(self, name: str, seconds: float, note: str = "") -> None:
        self.steps.append((name, seconds, note))
        print(f"  {name:<44}{seconds:>9.1f} s  {note}", flush=True)


@dataclass
class World:
    campaign: int
    province: int
    organizer: int
    admin: int
    county_big: int
    reviewer_big: int
    reviewer_small: int
    school_user: int
    school_application: int
    school_indicator: str
    panel: int
    schools: int
    counties: int
    cities: int
    submitted: int
    experts: int
    tasks: int
    timings: Timings


class Clock:
    def __init__(self, timings: Timings, name: str, note: str = "") -> None:
        self.timings, self.name, self.note = timings, name, note

    def __enter__(self) -> Clock:
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        if exc[0] is None:
            self.timings.step(self.name, time.perf_counter() - self.start, self.note)


def xlsx(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> io.BytesIO:
    """An in-memory workbook in write-only mode (no dimension record, as big exports write)."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet()
    ws.append(list(columns))
    for row in rows:
        ws.append(list(row))
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    out.name = "sheet.xlsx"  # type: ignore[attr-defined]
    return out


def chunks(rows: Sequence[Any], size: int = SHEET_ROWS) -> Iterator[Sequence[Any]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def _refused(what: str, report: Any) -> None:
    if report.refused:
        raise SystemExit(f"{what} refused: {report.refused[:5]}")


def refresh_statistics() -> None:
    """ANALYZE on PostgreSQL, in place of the autovacuum daemon that production runs and this
    machine's server has switched off: without it the planner keeps the row counts of empty
    tables while they grow to 20,000 rows, and every lookup turns into a sequential scan (the
    generation then grows quadratically)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def layout(schools: int) -> tuple[int, int]:
    """(cities, counties) for `schools`: 100 schools a county, 10 counties a city (20 cities and
    200 counties at 20,000 schools)."""
    counties = max(2, -(-schools // PER_COUNTY))
    return max(2, -(-counties // 10)), counties


def county_code(city: int, county: int) -> str:
    return f"51{city + 1:02d}{county + 1:02d}"


def build(schools: int, *, jobs: int = 1, seed: int = 13) -> World:
    """A fresh province on an empty, migrated database."""
    t = Timings()
    n_cities, n_counties = layout(schools)
    per_city = -(-n_counties // n_cities)

    with Clock(t, "frameworks loaded"):
        loads = campaign_services.load_framework_records()
        if not any(o.ok and o.key == FRAMEWORK for o in loads):
            raise SystemExit(f"framework {FRAMEWORK} did not load")
    admin = User.objects.create_superuser(username="bench-admin", password=None, display_name="压测管理员")
    province = Unit.objects.create(code=PROVINCE[0], name=PROVINCE[1], kind=Unit.Kind.PROVINCE)

    # --- units: cities and counties, then the schools, in sheets of SHEET_ROWS ---------------
    city_rows, county_rows, school_rows = [], [], []
    counties: list[tuple[int, str]] = []  # (city index, county code)
    for c in range(n_cities):
        city_rows.append((f"51{c + 1:02d}00", f"压测第{c + 1}市", PROVINCE[0], "市", "", "", "", "", "", ""))
    for k in range(n_counties):
        city = k // per_city
        code = county_code(city, k % per_city)
        counties.append((city, code))
        county_rows.append((code, f"压测第{k + 1}县", f"51{city + 1:02d}00", "区县", "", "", "", "", "", ""))
    for s in range(schools):
        county = counties[s // PER_COUNTY][1]
        stage = str(Unit.Stage(STAGES[s % len(STAGES)]).label)
        area = "乡村" if s % 3 == 0 else "城镇"
        school_rows.append(
            (
                f"{county}{s % PER_COUNTY:04d}",
                f"压测第{s // PER_COUNTY + 1}县第{s % PER_COUNTY + 1}学校",
                county,
                "学校",
                stage,
                area,
                f"压测路{s + 1}号",
                600 + s % 2000,
                40 + s % 120,
                12 + s % 48,
            )
        )
    with Clock(t, f"units imported ({n_cities} + {n_counties} + {schools})") as clock:
        sheets = _import_part(list(chunks(city_rows + county_rows)), "units", admin.pk)  # the schools' parents first
        sheets += import_sheets("units", list(chunks(school_rows)), admin.pk, jobs)
        t.serial["units"] = sum(sheets)
        clock.note = _sheets_note("import_units", sheets, jobs)
    refresh_statistics()

    # --- accounts: school accounts, county reviewers, organizers -----------------------------
    # organizers through people.services.create_account: the import cannot name their role
    # (its label 市/省组织者 contains "/", one of the import's role separators)
    with Clock(t, f"organizers created ({n_cities + 1})", "create_account each"):
        for username, name, code in [("bench-province", "省级组织者", PROVINCE[0])] + [
            (f"bench-city-{c + 1:02d}", f"市级组织者{c + 1}", f"51{c + 1:02d}00") for c in range(n_cities)
        ]:
            people.create_account(
                actor=admin, username=username, display_name=name, unit=Unit.objects.get(code=code), role=Role.ORGANIZER
            )
        people.create_account(
            actor=admin,
            username="bench-province-admin",
            display_name="省级系统管理员",
            unit=province,
            role=Role.ADMIN,
        )
    account_rows: list[tuple[str, ...]] = []
    for k, (_, code) in enumerate(counties):
        account_rows.append((f"bench-county-{code}", f"县级审核员{k + 1}", "", "", code, "区县审核员"))
    for row in school_rows:
        account_rows.append((f"bench-s-{row[0]}", f"{row[1]}填报员", "", "", row[0], "学校填报员、学校负责人"))
    with Clock(t, f"accounts imported ({len(account_rows)})") as clock:
        sheets = import_sheets("accounts", list(chunks(account_rows)), admin.pk, jobs)
        t.serial["accounts"] = sum(sheets)
        clock.note = _sheets_note("import_accounts", sheets, jobs)
    refresh_statistics()
    organizer = User.objects.get(username="bench-province")

    # --- the campaign ------------------------------------------------------------------------
    record = FrameworkRecord.objects.get(key=FRAMEWORK, is_active=True)
    now = timezone.now()
    far = now + dt.timedelta(days=60)
    day = dt.timedelta(days=1)
    city_units = list(Unit.objects.filter(kind=Unit.Kind.CITY, path__startswith=province.path).order_by("code"))
    with Clock(t, "campaign created and opened"):
        data = campaign_services.CampaignData(
            name=CAMPAIGN_NAME,
            year=timezone.localdate().year,
            kind=Campaign.Kind.CREATION,
            organizer=province,
            applicants=Campaign.Applicants.SCHOOLS,
            as_of=timezone.localdate(),
            covered_units=city_units,
            school_framework=record,
            school_form=campaign_services.default_form("school", record.key),
            min_self_score=Decimal("70"),
            places_schools=max(1, schools // 100),
            description="省级规模压测：各县推荐，省级组织专家评审。",
            stages={
                Stage.Kind.APPLY: (now - 7 * day, far),
                Stage.Kind.COUNTY_REVIEW: (far + day, far + 10 * day),
                Stage.Kind.EXPERT_REVIEW: (far + 11 * day, far + 20 * day),
                Stage.Kind.PUBLICITY: (far + 21 * day, far + 28 * day),
            },
        )
        campaign = campaign_services.create_campaign(actor=organizer, data=data)
        campaign = campaign_services.open_campaign(actor=organizer, campaign=campaign)

    # --- applications: started and scored, a share submitted ---------------------------------
    fw = _framework(campaign)
    by_county: dict[str, list[str]] = {}
    for row in school_rows:
        by_county.setdefault(row[2], []).append(row[0])
    submit = {
        code
        for k, (_, county) in enumerate(counties)
        for code in by_county.get(county, [])[: PER_COUNTY if k == 0 else SUBMITTED_PER_COUNTY]
    }
    codes = [row[0] for row in school_rows]
    with Clock(t, f"applications started and scored ({schools})", f"start + one save each, {jobs} process(es)"):
        fill_all(campaign.pk, codes, submit, jobs=jobs, seed=seed)
        refresh_statistics()
    with Clock(t, f"applications submitted ({len(submit)})", "save_form + submit_application"):
        fill_all(campaign.pk, sorted(submit), submit, jobs=jobs, seed=seed, submitting=True)
        refresh_statistics()

    # --- county review and recommendation ----------------------------------------------------
    submitted = list(
        Application.objects.filter(campaign=campaign, status=Application.Status.SUBMITTED)
        .select_related("unit__parent", "campaign", "framework")
        .order_by("unit__code")
    )
    reviewers = _reviewers()
    with stage_open(campaign, Stage.Kind.COUNTY_REVIEW):
        campaign.refresh_from_db()
        with Clock(t, f"county reviews accepted ({len(submitted)})", f"decide_county_review each, {jobs} process(es)"):
            parallel(_review_part, [a.pk for a in submitted], jobs)
        with Clock(t, f"county lists recommended and confirmed ({n_counties})"):
            grouped: dict[int, list[Application]] = {}
            for application in submitted:
                grouped.setdefault(application.unit.parent_id or 0, []).append(application)
            for county_id, chosen in grouped.items():
                reviewer = reviewers[county_id]
                rec = reviews.recommend_applications(
                    actor=reviewer,
                    campaign=campaign,
                    county=chosen[0].unit.parent,  # type: ignore[arg-type]
                    applications=chosen,
                    filled_by=reviewer.display_name,
                    phone="028-81234567",
                )
                reviews.confirm_recommendation(
                    actor=reviewer, recommendation=rec, confirmed_name=f"教育局 {reviewer.display_name}"
                )

    # --- the expert pool, 100 experts ----------------------------------------------------------
    expert_rows = []
    peopled = [code for _, code in counties if code in by_county]  # counties with schools
    for e in range(EXPERTS):
        county = peopled[(e * 7 + 3) % len(peopled)]
        work = by_county[county][-1 - e % 5]
        expert_rows.append(
            (f"bench-expert-{e + 1:03d}", f"评审专家{e + 1}", "", "", work, county, "高级教师", "智慧课堂、教育信息化")
        )
    with Clock(t, f"experts imported ({EXPERTS})", "import_experts, one sheet"):
        report = imports.import_experts(actor=organizer, file=xlsx(imports.EXPERT_COLUMNS, expert_rows))
        _refused("experts", report)

    # --- a panel and the first tasks scored ----------------------------------------------------
    experts = list(Expert.objects.select_related("unit", "region", "user").order_by("user__username"))
    with stage_open(campaign, Stage.Kind.EXPERT_REVIEW):
        campaign.refresh_from_db()
        with Clock(t, f"panel and {TASKS} tasks assigned"):
            reviews.configure_review(actor=organizer, campaign=campaign, values={"experts_per_application": 3})
            panel = reviews.create_panel(
                actor=organizer, campaign=campaign, name="材料评审组", kind=Panel.Kind.MATERIALS, experts=experts
            )
            finalists = list(
                Application.objects.filter(campaign=campaign, status=Application.Status.RECOMMENDED)
                .select_related("unit__parent", "campaign", "framework")
                .order_by("unit__code")
            )
            made: list[Any] = []
            turn = 0
            for application in finalists:
                if len(made) >= TASKS:
                    break
                given = 0
                for _ in range(len(experts)):
                    expert = experts[turn % len(experts)]
                    turn += 1
                    if reviews.conflict_reason(expert, application) is None:
                        made.append(
                            reviews.assign_expert(actor=organizer, panel=panel, application=application, expert=expert)
                        )
                        given += 1
                    if given == 3:
                        break
        with Clock(t, f"{len(made)} tasks scored and submitted", f"demo score_sheet each, {jobs} process(es)"):
            parallel(_score_part, [a.pk for a in made], jobs, seed)

    if connection.vendor == "postgresql":
        with Clock(t, "ANALYZE"), connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # autovacuum is off on this machine: plans need statistics

    # the people whose pages are timed signed in once and chose their own password (a
    # one-time password sends every page to the password change)
    province_admin = User.objects.get(username="bench-province-admin")
    small_county = Unit.objects.get(code=counties[1][1])
    timed = [organizer, province_admin, reviewers[small_county.pk], reviewers[Unit.objects.get(code=counties[0][1]).pk]]
    timed.append(User.objects.get(username=f"bench-s-{school_rows[-1][0]}"))
    for person in timed:
        account_services.change_password(actor=person, new_password=f"Bench-{person.pk}-{seed}-Pass")

    big_county = Unit.objects.get(code=counties[0][1])
    school = Unit.objects.get(code=school_rows[-1][0])  # a school that did not submit
    school_app = Application.objects.get(campaign=campaign, unit=school)
    return World(
        campaign=campaign.pk,
        province=province.pk,
        organizer=organizer.pk,
        admin=province_admin.pk,
        county_big=big_county.pk,
        reviewer_big=reviewers[big_county.pk].pk,
        reviewer_small=reviewers[small_county.pk].pk,
        school_user=User.objects.get(username=f"bench-s-{school.code}").pk,
        school_application=school_app.pk,
        school_indicator=fw.leaves()[0].code,
        panel=panel.pk,
        schools=schools,
        counties=n_counties,
        cities=n_cities,
        submitted=len(submitted),
        experts=len(experts),
        tasks=len(made),
        timings=t,
    )


def _framework(campaign: Campaign) -> Framework:
    from campuseval.campaigns.scoring import framework_for

    assert campaign.school_framework is not None
    return framework_for(campaign.school_framework)


# --- work in several processes ---------------------------------------------------------------------


def _sheets_note(service: str, sheets: list[float], jobs: int) -> str:
    return (
        f"{service}, {len(sheets)} sheet(s) of ≤ {SHEET_ROWS:,} rows, {min(jobs, len(sheets))} at a time; "
        f"one after another {sum(sheets):.0f} s"
    )


def import_sheets(kind: str, parts: list[Sequence[Any]], admin_id: int, jobs: int) -> list[float]:
    """Each sheet through its import service (two cities importing at the same time when
    `jobs` is 2); the seconds each sheet took."""
    if jobs <= 1 or len(parts) < 2:
        return _import_part(list(parts), kind, admin_id)
    import multiprocessing

    from django.db import connections

    connections.close_all()
    with multiprocessing.get_context("fork").Pool(jobs) as pool:
        done = pool.starmap(_import_part, [(list(parts[i::jobs]), kind, admin_id) for i in range(jobs)])
    return [seconds for part in done for seconds in part]


def _import_part(parts: list[Sequence[Any]], kind: str, admin_id: int) -> list[float]:
    from django.db import connections

    connections.close_all()
    admin = User.objects.get(pk=admin_id)
    out = []
    for rows in parts:
        start = time.perf_counter()
        if kind == "units":
            report = unit_services.import_units(actor=admin, file=xlsx(unit_services.UNIT_COLUMNS, rows))
        else:
            report = imports.import_accounts(actor=admin, file=xlsx(imports.ACCOUNT_COLUMNS, rows), chunk=500)
        _refused(kind, report)
        out.append(time.perf_counter() - start)
    connections.close_all()
    return out


def parallel(work: Callable[..., int], ids: list[Any], jobs: int, *extra: Any) -> None:
    """`work(part, *extra)` over `ids` split into `jobs` forked processes, each with its own
    database connection (in this process when there is little to do)."""
    if jobs <= 1 or len(ids) < 100:
        work(ids, *extra)
        return
    import multiprocessing

    from django.db import connections

    connections.close_all()
    with multiprocessing.get_context("fork").Pool(jobs) as pool:
        done = pool.starmap(work, [(ids[i::jobs], *extra) for i in range(jobs)])
    if sum(done) != len(ids):
        raise SystemExit(f"{work.__name__}: {sum(done)} of {len(ids)} done")


def _reviewers() -> dict[int, User]:
    memberships = Membership.objects.filter(role=Role.COUNTY_REVIEWER, unit__kind=Unit.Kind.COUNTY)
    return {m.unit_id: m.user for m in memberships.select_related("user")}


def _review_part(ids: list[int]) -> int:
    from django.db import connections

    connections.close_all()
    reviewers = _reviewers()
    done = 0
    for application in Application.objects.filter(pk__in=ids).select_related("unit__parent", "campaign"):
        reviews.decide_county_review(
            actor=reviewers[application.unit.parent_id or 0],
            application=application,
            decision=CountyReview.Decision.ACCEPTED,
            opinion="材料齐全，数据经核实，同意推荐。",
        )
        done += 1
    connections.close_all()
    return done


def _score_part(ids: list[int], seed: int) -> int:
    from django.db import connections

    from campuseval.reviews.models import Assignment

    connections.close_all()
    rng = random.Random(f"{seed}/{ids[:1]}")
    done = 0
    for assignment in Assignment.objects.filter(pk__in=ids).select_related("expert__user", "application"):
        review_demo.score_sheet(assignment, rng=rng)
        done += 1
    connections.close_all()
    return done


# --- filling in the applications ------------------------------------------------------------------


def fill_all(
    campaign_id: int, codes: list[str], submit: set[str], *, jobs: int, seed: int, submitting: bool = False
) -> None:
    """Every school in `codes` filled in (or, `submitting`, given its form and submitted), in
    `jobs` processes (each its own database connection)."""
    parallel(_fill_part, codes, jobs, campaign_id, submit, seed, submitting)


def _fill_part(codes: list[str], campaign_id: int, submit: set[str], seed: int, submitting: bool) -> int:
    from django.db import connections

    connections.close_all()  # a forked child opens its own connection
    campaign = Campaign.objects.select_related("school_framework").get(pk=campaign_id)
    fw = _framework(campaign)
    users = {
        m.unit.code: m.user
        for m in Membership.objects.filter(role=Role.APPLICANT, unit__code__in=codes).select_related("user", "unit")
    }
    units = {u.code: u for u in Unit.objects.filter(code__in=codes)}
    done = 0
    for code in codes:
        unit, user = units[code], users[code]
        rng = random.Random(f"{seed}/{code}")
        if submitting:
            _submit(campaign, fw, unit, user, rng)
        else:
            _fill(campaign, fw, unit, user, rng, strong=code in submit)
        done += 1
        if done in (200, 1000, 4000):  # the tables grow tenfold and more: plans follow
            refresh_statistics()
        if done % 1000 == 0:
            print(f"    … {done:,} of {len(codes):,} in {os.getpid()} ({time.strftime('%H:%M:%S')})", flush=True)
    connections.close_all()
    return done


def _fill(campaign: Campaign, fw: Framework, unit: Unit, user: User, rng: random.Random, *, strong: bool) -> None:
    application = applications.start_application(actor=user, campaign=campaign, unit=unit)
    doc = review_demo.sample_document(fw, campaign.as_of, rng, 1.0 if strong else rng.random())
    answers: dict[str, Any] = {}
    last = ""
    for leaf in fw.leaves():
        raw = doc["answers"].get(leaf.code)
        if raw is None:
            continue
        values, _, errors = applications.parse_indicator_values(leaf, raw, campaign.as_of)
        if not errors:
            answers[leaf.code] = values
            last = leaf.code
    context = dict(application.answers.get("context") or {})
    for key, raw in doc["context"].items():
        spec = fw.context.get(key)
        if spec is not None and key not in context and raw not in (None, ""):
            context[key] = applications.to_json(spec, spec.parse(raw))
    options = {n.code: {c.code for c in n.children} for n in fw.choose_one_nodes()}
    choices = {k: v for k, v in doc["choices"].items() if v in options.get(k, ())}
    known = {e.key for e in (fw.eligibility.exclusions if fw.eligibility else ())}
    declarations = {k: bool(v in (True, "true")) for k, v in doc["declarations"].items() if k in known}
    # the whole document on the instance, the last indicator through the save service: one
    # save parses it, scores the document, writes it with its result and audits it
    answers.pop(last, None)
    application.answers = {"context": context, "choices": choices, "declarations": declarations, "answers": answers}
    outcome = applications.save_indicator(
        actor=user, application=application, revision=application.revision, code=last, values=doc["answers"][last]
    )
    if outcome.errors or not outcome.written:
        raise SystemExit(f"save of {unit.code} refused: {outcome.errors}")


def _submit(campaign: Campaign, fw: Framework, unit: Unit, user: User, rng: random.Random) -> None:
    application = Application.objects.select_related("campaign", "unit", "framework").get(campaign=campaign, unit=unit)
    doc = review_demo.sample_document(fw, campaign.as_of, rng, 1.0)
    definition = applications.form_definition(application)
    values = review_demo.form_values(definition, unit, fw, doc, rng)
    application = applications.save_form(
        actor=user, application=application, revision=application.revision, data=values
    ).application
    try:
        applications.submit_application(actor=user, application=application, promise_confirmed=True)
    except Exception as exc:
        problems = applications.submission_problems(application)
        raise SystemExit(f"submission of {unit.code} refused: {exc!r} {problems[:3]}") from exc
