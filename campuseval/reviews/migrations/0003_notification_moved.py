"""Notifications moved to their own bottom app; the table stays (the model keeps its name)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("reviews", "0002_city_review")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Notification")],
            database_operations=[],
        ),
    ]
