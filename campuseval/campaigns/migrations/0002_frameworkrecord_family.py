"""FrameworkRecord.family: the framework file's stated family, filled for existing records from
their snapshots."""

from __future__ import annotations

from typing import Any

from django.db import migrations, models

from campuseval.engine import FrameworkError, load_framework_text


def fill_family(apps: Any, schema_editor: Any) -> None:
    FrameworkRecord = apps.get_model("campaigns", "FrameworkRecord")
    for record in FrameworkRecord.objects.filter(family=""):
        try:
            family = load_framework_text(record.source_yaml, f"{record.key}.yaml").family
        except FrameworkError:
            continue
        FrameworkRecord.objects.filter(pk=record.pk).update(family=family)


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="frameworkrecord",
            name="family",
            field=models.CharField(blank=True, db_index=True, max_length=40, verbose_name="框架系列"),
        ),
        migrations.RunPython(fill_family, migrations.RunPython.noop),
    ]
