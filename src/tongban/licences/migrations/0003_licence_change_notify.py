"""PostgreSQL: NOTIFY tongban_licence_changed on any write to a licence or licence type,
so every process's copy of verified rows is emptied (tongban.licences.row_feed)."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION tongban_licence_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('tongban_licence_changed', TG_TABLE_NAME);
    RETURN NULL;
END $$;
CREATE TRIGGER licences_licence_changed
    AFTER UPDATE OR DELETE ON licences_licence
    FOR EACH STATEMENT EXECUTE FUNCTION tongban_licence_changed();
CREATE TRIGGER licences_licence_truncated
    AFTER TRUNCATE ON licences_licence
    FOR EACH STATEMENT EXECUTE FUNCTION tongban_licence_changed();
CREATE TRIGGER licences_licencetype_changed
    AFTER UPDATE OR DELETE ON licences_licencetype
    FOR EACH STATEMENT EXECUTE FUNCTION tongban_licence_changed();
CREATE TRIGGER licences_licencetype_truncated
    AFTER TRUNCATE ON licences_licencetype
    FOR EACH STATEMENT EXECUTE FUNCTION tongban_licence_changed();
"""

DROP = """
DROP TRIGGER IF EXISTS licences_licence_changed ON licences_licence;
DROP TRIGGER IF EXISTS licences_licence_truncated ON licences_licence;
DROP TRIGGER IF EXISTS licences_licencetype_changed ON licences_licencetype;
DROP TRIGGER IF EXISTS licences_licencetype_truncated ON licences_licencetype;
DROP FUNCTION IF EXISTS tongban_licence_changed();
"""


def _run(sql: str):  # type: ignore[no-untyped-def]
    def apply(apps, schema_editor):  # type: ignore[no-untyped-def]
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return apply


class Migration(migrations.Migration):
    dependencies = [("licences", "0002_licence_signed_data")]

    operations = [migrations.RunPython(_run(CREATE), _run(DROP))]
