from __future__ import annotations

from django.db import migrations


def load(apps, schema_editor):
    from inspections.frameworks import load_frameworks

    load_frameworks(
        apps.get_model("inspections", "Scale"),
        apps.get_model("inspections", "Grade"),
        apps.get_model("inspections", "Framework"),
        apps.get_model("inspections", "JudgementArea"),
    )


class Migration(migrations.Migration):
    dependencies = [("inspections", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
