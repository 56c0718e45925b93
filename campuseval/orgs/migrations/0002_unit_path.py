from django.db import migrations, models


def fill_paths(apps, schema_editor):
    """Paths for the existing tree, one level at a time from the roots down."""
    Unit = apps.get_model("orgs", "Unit")
    level = list(Unit.objects.filter(parent__isnull=True))
    known: dict[int, str] = {}
    seen: set[int] = set()
    while level:
        for unit in level:
            unit.path = f"{known.get(unit.parent_id, '') if unit.parent_id else ''}{unit.pk}/"
            known[unit.pk] = unit.path
            seen.add(unit.pk)
        Unit.objects.bulk_update(level, ["path"], batch_size=1000)
        level = list(Unit.objects.filter(parent_id__in=[u.pk for u in level]).exclude(pk__in=seen))


class Migration(migrations.Migration):
    dependencies = [
        ("orgs", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="unit",
            name="path",
            field=models.CharField(db_index=True, default="", editable=False, max_length=255),
        ),
        migrations.RunPython(fill_paths, migrations.RunPython.noop),
    ]
