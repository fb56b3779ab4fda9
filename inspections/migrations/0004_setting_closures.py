"""Closure periods: a setting's history of closures, not just its current status.

Every setting that isn't open gets one period, from its `status_since`, still open
(see inspections.closures.backfill). A setting's periods may not overlap: the exclusion
constraint compares the setting as a one-value range, which GiST does natively, so no
extension (btree_gist) is needed.
"""

import django.db.models.deletion
from django.db import migrations, models


def backfill(apps, schema_editor):
    from inspections.closures import backfill

    backfill(
        apps.get_model("inspections", "Setting"), apps.get_model("inspections", "SettingClosure")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("inspections", "0003_oversight_and_council_inspections"),
    ]

    operations = [
        migrations.CreateModel(
            name="SettingClosure",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("temporarily_closed", "Temporarily closed"),
                            ("closed", "Closed"),
                        ],
                        max_length=20,
                    ),
                ),
                ("start", models.DateField(help_text="The first day closed.")),
                (
                    "end",
                    models.DateField(
                        blank=True,
                        help_text="The last day closed; empty while still closed.",
                        null=True,
                    ),
                ),
                (
                    "source",
                    models.CharField(
                        choices=[
                            ("council", "Recorded by the council"),
                            ("ofsted_list", "Ofsted's list of providers"),
                            ("earlier", "Recorded before closures were kept as periods"),
                        ],
                        max_length=12,
                    ),
                ),
                (
                    "setting",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="closures",
                        to="inspections.setting",
                    ),
                ),
            ],
            options={
                "ordering": ["setting", "start"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("end__isnull", True), ("end__gte", models.F("start")), _connector="OR"
                        ),
                        name="closure_in_order",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("status__in", ["temporarily_closed", "closed"])),
                        name="closure_status_closed",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("source__in", ["council", "ofsted_list", "earlier"])),
                        name="closure_source_known",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("end__isnull", True)),
                        fields=("setting",),
                        name="one_open_closure",
                    ),
                ],
            },
        ),
        migrations.RunSQL(
            sql="""
                ALTER TABLE inspections_settingclosure
                ADD CONSTRAINT closures_do_not_overlap EXCLUDE USING gist (
                    int8range(setting_id, setting_id, '[]') WITH =,
                    daterange(start, "end", '[]') WITH &&
                )
            """,
            reverse_sql=(
                "ALTER TABLE inspections_settingclosure DROP CONSTRAINT closures_do_not_overlap"
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
