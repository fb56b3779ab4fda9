from __future__ import annotations

from django.db import migrations


def load_councils(apps, schema_editor):
    from corporate_parenting.reference_data import load_councils as load

    load(apps.get_model("corporate_parenting", "LocalAuthority"))


APPEND_ONLY = """
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only: % is not allowed', TG_OP;
END;
$$;
CREATE TRIGGER audit_log_append_only
    BEFORE UPDATE OR DELETE ON corporate_parenting_auditlog
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
"""

DROP_APPEND_ONLY = """
DROP TRIGGER IF EXISTS audit_log_append_only ON corporate_parenting_auditlog;
DROP FUNCTION IF EXISTS audit_log_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [("corporate_parenting", "0001_initial")]

    operations = [
        migrations.RunPython(load_councils, migrations.RunPython.noop),
        migrations.RunSQL(APPEND_ONLY, DROP_APPEND_ONLY),
    ]
