from __future__ import annotations

from django.db import migrations


def load(apps, schema_editor):
    from placements.codelists import load_code_lists

    load_code_lists(apps.get_model("placements", "CodeListEntry"))


class Migration(migrations.Migration):
    dependencies = [("placements", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
