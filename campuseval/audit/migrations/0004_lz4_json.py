from django.db import migrations

from campuseval.audit.compression import lz4_columns


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0003_audit_export"),
    ]

    operations = [
        lz4_columns("audit_auditentry", ("before", "after")),
    ]
