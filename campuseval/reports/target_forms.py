"""The form of a level target (等级目标): every field named in its Chinese messages; the
choices are the organizer's own region, the frameworks' families and levels, their campaigns."""

from __future__ import annotations

from typing import Any

from django import forms

from campuseval.access.rules import Actor
from campuseval.campaigns.models import Campaign
from campuseval.orgs.models import Unit
from campuseval.reviews.forms import ReviewForm

from . import targets
from .models import Target


class UnitChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name}（{obj.get_kind_display()}）"


class CampaignChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return obj.name if str(obj.year) in obj.name else f"{obj.year} {obj.name}"


class TargetForm(ReviewForm):
    region = UnitChoice(label="目标区域", queryset=Unit.objects.none())
    family = forms.ChoiceField(label="指标体系系列")
    subject = forms.ChoiceField(label="申报对象", choices=Target.Subject.choices)
    level = forms.ChoiceField(label="等级")
    kind = forms.ChoiceField(label="目标类型", choices=Target.Kind.choices)
    value = forms.DecimalField(label="目标值", min_value=0, max_digits=7, decimal_places=2)
    due_year = forms.IntegerField(label="完成年度", min_value=2000, max_value=2100)
    campaign = CampaignChoice(label="仅限活动", queryset=Campaign.objects.none(), required=False)
    note = forms.CharField(label="依据或说明", max_length=200, required=False)

    def __init__(self, *args: Any, user: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        levels = targets.family_levels()
        self.levels = levels
        region = self.fields["region"]
        assert isinstance(region, forms.ModelChoiceField)
        region.queryset = targets.target_regions(user)
        campaign = self.fields["campaign"]
        assert isinstance(campaign, forms.ModelChoiceField)
        campaign.queryset = targets.target_campaigns(user)
        campaign.empty_label = "（所有活动）"
        family = self.fields["family"]
        assert isinstance(family, forms.ChoiceField)
        labels = targets.family_labels()
        family.choices = [(f, labels.get(f, f)) for f in levels]
        names: list[str] = []
        for level_names in levels.values():
            names += [n for n in level_names if n not in names]
        level = self.fields["level"]
        assert isinstance(level, forms.ChoiceField)
        level.choices = [(n, n) for n in names]
        messages = {
            "value": {
                "min_value": "「目标值」应为不小于 0 的数",
                "max_digits": "「目标值」最多 5 位整数、2 位小数",
                "max_decimal_places": "「目标值」最多 2 位小数",
                "max_whole_digits": "「目标值」最多 5 位整数",
                "invalid": "「目标值」应为数字（比例填百分数，如 95；数量填个数，如 20）",
            },
            "due_year": {
                "min_value": "「完成年度」应在 2000 到 2100 之间",
                "max_value": "「完成年度」应在 2000 到 2100 之间",
                "invalid": "「完成年度」应为四位数年份，如 2024",
            },
        }
        for name, texts in messages.items():
            self.fields[name].error_messages.update(texts)

    def level_hint(self) -> str:
        """Which levels each family awards, shown under the form."""
        return "；".join(f"{family}：{'、'.join(names)}" for family, names in self.levels.items())

    @staticmethod
    def initial_of(target: Target) -> dict[str, Any]:
        return {
            "region": target.region_id,
            "family": target.family,
            "subject": target.subject,
            "level": target.level,
            "kind": target.kind,
            "value": f"{target.value.normalize():f}",
            "due_year": target.due_year,
            "campaign": target.campaign_id,
            "note": target.note,
        }


class DeleteTargetForm(forms.Form):
    """The POST of the delete button: it carries no input."""
