"""The demo region: 示例市 with three counties (one a 高新区) and thirty schools of every stage,
urban and rural. Codes are fictitious (99xxxx is no real division code). Idempotent: units are
found by code and brought back to these values."""

from __future__ import annotations

from dataclasses import dataclass

from .models import Unit

CITY = ("990100", "示例市")
COUNTIES = (
    ("990102", "城关区", "人民路"),
    ("990121", "清河县", "建设路"),
    ("990171", "示例高新区", "创新大道"),
)

P, J, S, C, N, T, V = (
    Unit.Stage.PRIMARY,
    Unit.Stage.JUNIOR,
    Unit.Stage.SENIOR,
    Unit.Stage.COMPLETE,
    Unit.Stage.NINE_YEAR,
    Unit.Stage.TWELVE_YEAR,
    Unit.Stage.VOCATIONAL,
)
U, R = Unit.Area.URBAN, Unit.Area.RURAL

#: county code → schools (name, stage, area, students, staff, classes)
SCHOOLS: dict[str, tuple[tuple[str, str, str, int, int, int], ...]] = {
    "990102": (
        ("城关区实验小学", P, U, 2100, 118, 42),
        ("城关区第二小学", P, U, 1650, 92, 33),
        ("城关区第三小学", P, U, 1380, 80, 30),
        ("城关区东关镇中心小学", P, R, 520, 38, 12),
        ("城关区第一初级中学", J, U, 1800, 140, 36),
        ("城关区第二初级中学", J, U, 1420, 118, 30),
        ("城关区十河镇初级中学", J, R, 610, 56, 14),
        ("示例市第一中学", S, U, 3200, 260, 60),
        ("示例市第三中学", C, U, 2600, 210, 52),
        ("城关区外国语学校", N, U, 2400, 170, 50),
        ("城关区双沟镇九年一贯制学校", N, R, 780, 64, 18),
        ("示例市职业教育中心", V, U, 2900, 230, 64),
    ),
    "990121": (
        ("清河县实验小学", P, U, 1900, 105, 40),
        ("清河县城南小学", P, U, 1200, 72, 27),
        ("清河县马店镇中心小学", P, R, 460, 34, 12),
        ("清河县柳湾乡中心小学", P, R, 310, 26, 9),
        ("清河县龙山镇杨庄小学", P, R, 140, 14, 6),
        ("清河县第一初级中学", J, U, 1500, 120, 32),
        ("清河县马店镇初级中学", J, R, 540, 50, 13),
        ("清河县第一中学", S, U, 2800, 220, 54),
        ("清河县第二中学", C, R, 1900, 160, 40),
        ("清河县柳湾乡九年一贯制学校", N, R, 620, 55, 16),
        ("清河县职业技术学校", V, U, 1300, 110, 30),
    ),
    "990171": (
        ("示例高新区实验小学", P, U, 1700, 95, 36),
        ("示例高新区创新路小学", P, U, 1100, 66, 24),
        ("示例高新区新桥街道中心小学", P, R, 480, 36, 12),
        ("示例高新区实验初级中学", J, U, 1300, 100, 28),
        ("示例高新区未来学校", T, U, 3000, 240, 66),
        ("示例高新区新桥九年一贯制学校", N, R, 720, 60, 18),
        ("示例高新区第一高级中学", S, U, 1600, 130, 32),
    ),
}


@dataclass
class DemoRegion:
    city: Unit
    counties: list[Unit]
    schools: list[Unit]

    def school(self, name: str) -> Unit:
        return next(s for s in self.schools if s.name == name)

    def county(self, name: str) -> Unit:
        return next(c for c in self.counties if c.name == name)


def _put(code: str, **values: object) -> Unit:
    unit, _ = Unit.objects.update_or_create(code=code, defaults=values)
    return unit


def seed_region() -> DemoRegion:
    """Create or refresh the demo city, its counties and schools."""
    city = _put(CITY[0], name=CITY[1], kind=Unit.Kind.CITY, parent=None, address="示例市教育局")
    counties, schools = [], []
    for code, name, road in COUNTIES:
        county = _put(code, name=name, kind=Unit.Kind.COUNTY, parent=city, address=f"示例市{name}教育局")
        counties.append(county)
        for number, (school, stage, area, students, staff, classes) in enumerate(SCHOOLS[code], start=1):
            schools.append(
                _put(
                    f"{code}{number:04d}",
                    name=school,
                    kind=Unit.Kind.SCHOOL,
                    parent=county,
                    stage=stage,
                    area=area,
                    address=f"示例市{name}{road} {number * 7} 号",
                    students=students,
                    staff=staff,
                    classes=classes,
                    is_active=True,
                )
            )
    return DemoRegion(city, counties, schools)
