from __future__ import annotations

from django.db import migrations


def reload_councils(apps, schema_editor):
    # Barnsley and Sheffield were given new ONS codes (E08000038, E08000039) in 2023.
    from corporate_parenting.reference_data import load_councils

    load_councils(apps.get_model("corporate_parenting", "LocalAuthority"))


class Migration(migrations.Migration):
    dependencies = [("corporate_parenting", "0002_councils_and_audit_trigger")]

    operations = [migrations.RunPython(reload_councils, migrations.RunPython.noop)]
