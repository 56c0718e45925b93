from django.db import migrations

from campuseval.audit.compression import lz4_columns


class Migration(migrations.Migration):
    dependencies = [
        ("applications", "0007_evidence_item_number"),
    ]

    operations = [
        lz4_columns("applications_application", ("form_data", "answers", "narratives", "result")),
    ]
