"""The campaign form sets the 补正 days and whether stamped scans are required; the detail page
says so, with the stage running now and its days left."""

from __future__ import annotations

from django.urls import reverse

from campuseval.campaigns.models import Campaign

from .conftest import CampaignWorld
from .test_views import form_post


def test_fix_days_and_stamped_scans_set_on_the_form(cw: CampaignWorld) -> None:
    c = cw.client("organizer")
    page = c.get(reverse("campaigns:create")).content.decode()
    assert "补正期限（天）" in page and "要求上传盖章扫描件" in page
    response = c.post(reverse("campaigns:create"), form_post(cw, fix_days="5", requires_stamped_scans="on"))
    campaign = Campaign.objects.get(name="2025 年智慧学校示范校遴选")
    assert (campaign.fix_days, campaign.requires_stamped_scans) == (5, True)
    detail = c.get(response["Location"]).content.decode()
    assert "退回后 5 天" in detail and "申报单位上传盖章申报书，县级上传盖章推荐表" in detail
    assert "申报进行中，剩余" in detail


def test_fix_days_refused_naming_the_field_keeping_the_rest(cw: CampaignWorld) -> None:
    page = cw.client("organizer").post(reverse("campaigns:create"), form_post(cw, fix_days="0")).content.decode()
    assert "补正期限至少 1 天" in page and "按亳州标准遴选" in page
    assert not Campaign.objects.filter(name="2025 年智慧学校示范校遴选").exists()


def test_fix_days_left_empty_is_seven(cw: CampaignWorld) -> None:
    cw.client("organizer").post(reverse("campaigns:create"), form_post(cw))
    campaign = Campaign.objects.get(name="2025 年智慧学校示范校遴选")
    assert (campaign.fix_days, campaign.requires_stamped_scans) == (7, False)
