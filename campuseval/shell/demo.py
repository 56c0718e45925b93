"""The whole demo world for `manage.py seed_demo`, floor by floor: frameworks, the demo city and
its accounts and campaigns (campaigns' demo), then the expert pool (reviews' demo). It lives in
the shell because only the top floor may call every app."""

from __future__ import annotations

import datetime as dt
import os

from django.db import transaction
from django.utils import timezone

from campuseval.accounts.models import Role
from campuseval.campaigns import services as campaign_services
from campuseval.campaigns.demo import DemoReport, seed_accounts, seed_campaigns
from campuseval.orgs.demo import seed_region
from campuseval.reviews.demo import seed_reviews


def seed_demo(*, today: dt.date | None = None, password: str | None = None) -> DemoReport:
    """Everything the demo needs, in one transaction (frameworks are loaded first, each on its own)."""
    today = today or timezone.localdate()
    password = password or os.environ.get("DEMO_PASSWORD") or None
    loads = campaign_services.load_framework_records()
    usable = {o.key for o in loads if o.ok}
    with transaction.atomic():
        region = seed_region()
        report = DemoReport(region=region, frameworks=loads, fixed_password=bool(password))
        report.accounts = seed_accounts(region, password)
        organizer = next(u for spec, u, _ in report.accounts if Role.ORGANIZER in spec.roles)
        report.campaigns, report.skipped = seed_campaigns(region, organizer, usable, today)
        report.experts = seed_reviews()
    return report
