from __future__ import annotations

from django.db import migrations

NO_TRUNCATE = """
CREATE FUNCTION audit_log_no_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only: TRUNCATE is not allowed';
END;
$$;
CREATE TRIGGER audit_log_no_truncate
    BEFORE TRUNCATE ON corporate_parenting_auditlog
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_no_truncate();
"""

DROP = """
DROP TRIGGER IF EXISTS audit_log_no_truncate ON corporate_parenting_auditlog;
DROP FUNCTION IF EXISTS audit_log_no_truncate();
"""


class Migration(migrations.Migration):
    dependencies = [("corporate_parenting", "0003_barnsley_sheffield_ons_codes")]

    operations = [migrations.RunSQL(NO_TRUNCATE, DROP)]
