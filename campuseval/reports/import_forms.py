"""The imports page's forms: which import, the file (refused before parsing when it is too big
or unpacks too big), and for an indicator table the new framework's key, name, subject and
level names."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from campuseval.campaigns.models import FrameworkRecord

from .import_sheets import check_file
from .models import ImportJob


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label="导入类型", choices=ImportJob.Kind.choices)
    file = forms.FileField(
        label="Excel 文件", error_messages={"required": "请选择要上传的 Excel 文件", "empty": "上传的文件是空的"}
    )
    key = forms.CharField(label="框架编号", required=False, max_length=80)
    title = forms.CharField(
        label="名称", required=False, max_length=FrameworkRecord._meta.get_field("title").max_length
    )
    subject = forms.ChoiceField(
        label="对象", required=False, choices=[("school", "学校"), ("district", "区县")], initial="school"
    )
    level_names = forms.CharField(label="层级名称", required=False, max_length=200)

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        problem = check_file(upload)
        if problem:
            raise ValidationError(problem)
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in ("key", "title", "level_names"):
            if "\x00" in str(data.get(name) or ""):
                self.add_error(name, "含有不可见的空字符")
        framework = data.get("kind") == ImportJob.Kind.FRAMEWORK
        if framework and "key" not in self.errors and not re.fullmatch(r"[a-z0-9-]{3,80}", data.get("key") or ""):
            self.add_error("key", "框架编号只能用小写字母、数字和连字符（3–80 位）")
        return data

    def params(self) -> dict[str, Any]:
        """The framework table's parameters, as the job keeps them."""
        data = self.cleaned_data
        if data["kind"] != ImportJob.Kind.FRAMEWORK:
            return {}
        levels = [x.strip() for x in re.split(r"[,，、]", data.get("level_names") or "") if x.strip()]
        return {
            "key": data["key"].strip(),
            "title": (data.get("title") or "").strip() or "未命名指标体系",
            "subject": data.get("subject") or "school",
            "level_names": levels or ["一级指标", "二级指标", "三级指标"],
        }


class TakePasswordsForm(forms.Form):
    """Downloading the initial passwords deletes them: a POST, with its CSRF token."""
