"""Indexes for the audit viewer: a council's latest entries, and a person's.

Built CONCURRENTLY, so a large log keeps taking entries (every read of a child's record
writes one) while they are made. The (la, at) index then replaces the one on la alone.
"""

from __future__ import annotations

import django.db.models.deletion
from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("corporate_parenting", "0004_audit_log_no_truncate")]

    operations = [
        AddIndexConcurrently(
            model_name="auditlog",
            index=models.Index(fields=["la", "at"], name="auditlog_la_at"),
        ),
        AddIndexConcurrently(
            model_name="auditlog",
            index=models.Index(fields=["username", "at"], name="auditlog_username_at"),
        ),
        migrations.AlterField(
            model_name="auditlog",
            name="la",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="corporate_parenting.localauthority",
            ),
        ),
    ]
