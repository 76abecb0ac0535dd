# Search: ranking tie-break columns and the index that narrows candidates.
#
# The index is outside the Django model because each database keeps it its own way:
# SQLite two FTS5 tables with one token per character and positions: one of every
# field (name, alias, ini, body) and a small one of name, aliases and initials only (read
# first, for the best-ranked matches); each has a meta column of tokens for the region,
# department, scope and mode filters (rowid = entry id; tongban.catalog.search_sql
# writes them, a delete trigger cleans them); PostgreSQL two
# generated text[] columns of 1- to 3-character substrings and the filter tokens (all
# fields; name, aliases and initials) with GIN indexes. See the ADR on catalogue search
# in docs/adr/.

from django.db import migrations, models

FTS_OPTIONS = "detail=full, tokenize='unicode61 remove_diacritics 0'"
SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS catalog_searchentry_fts USING fts5("
    f"name, alias, ini, body, meta, {FTS_OPTIONS})",
    "CREATE VIRTUAL TABLE IF NOT EXISTS catalog_searchentry_fts_short USING fts5("
    f"name, alias, ini, meta, {FTS_OPTIONS})",
    "CREATE TRIGGER IF NOT EXISTS catalog_searchentry_fts_delete "
    "AFTER DELETE ON catalog_searchentry BEGIN "
    "DELETE FROM catalog_searchentry_fts WHERE rowid = old.id; "
    "DELETE FROM catalog_searchentry_fts_short WHERE rowid = old.id; END",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS catalog_searchentry_fts_delete",
    "DROP TABLE IF EXISTS catalog_searchentry_fts",
    "DROP TABLE IF EXISTS catalog_searchentry_fts_short",
]
# Every substring of 1 to 3 characters (search_text.GRAM_MAX) made only of indexable
# characters (search_text.indexable): exactly the grams a query can look up.
PG_GRAMS_FUNCTION = """
CREATE OR REPLACE FUNCTION tongban_search_grams(t text) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(DISTINCT g), '{}') FROM (
    SELECT substr(t, i, n) AS g
    FROM generate_series(1, length(t)) AS i, generate_series(1, 3) AS n
    WHERE i + n - 1 <= length(t)
  ) AS s
  WHERE g ~ '^[a-z0-9\u4e00-\u9fa5\u3400-\u4db5]+$'
$$"""
# The filter tokens of tongban.catalog.search_text.meta_tokens, each prefixed with "#".
PG_TAGS_FUNCTION = """
CREATE OR REPLACE FUNCTION tongban_search_tags(region text, department bigint, scope text,
                                               modes text) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT ARRAY(SELECT '#r' || left(region, n) FROM unnest(ARRAY[2, 4, 6, 9, 12]) AS n
               WHERE n <= length(region))
      || ARRAY['#dep' || department, '#s' || replace(scope, '_', '')]
      || ARRAY(SELECT '#m' || replace(m, '_', '') FROM unnest(string_to_array(modes, ',')) AS m
               WHERE m <> '')
$$"""
PG_TAGS = "tongban_search_tags(region_id, department_id, scope, modes)"
POSTGRES_FORWARD = [
    PG_GRAMS_FUNCTION,
    PG_TAGS_FUNCTION,
    # Generated: PostgreSQL keeps them in step with the row, in the same write.
    "ALTER TABLE catalog_searchentry ADD COLUMN grams text[] GENERATED ALWAYS AS ("
    "tongban_search_grams(name_text || ' ' || alias_text || ' ' || initials || ' ' || "
    f"body_text) || {PG_TAGS}) STORED",
    "ALTER TABLE catalog_searchentry ADD COLUMN name_grams text[] GENERATED ALWAYS AS ("
    f"tongban_search_grams(name_text || ' ' || alias_text || ' ' || initials) || {PG_TAGS}"
    ") STORED",
    "CREATE INDEX catalog_searchentry_grams_gin ON catalog_searchentry USING gin (grams)",
    "CREATE INDEX catalog_searchentry_name_grams_gin ON catalog_searchentry USING gin (name_grams)",
    # No statistics for the gram arrays: the planner then assumes a containment test is
    # selective and always reads the GIN index. With statistics it picks a sequential
    # scan for a common gram (证) and decompresses every row's array: 20x slower.
    "ALTER TABLE catalog_searchentry ALTER COLUMN grams SET STATISTICS 0",
    "ALTER TABLE catalog_searchentry ALTER COLUMN name_grams SET STATISTICS 0",
    # The big array lives out of line (a query never reads it, the index answers), the
    # texts a query does read stay inline and uncompressed: a narrow heap to scan.
    "ALTER TABLE catalog_searchentry ALTER COLUMN grams SET STORAGE EXTERNAL",
    "ALTER TABLE catalog_searchentry ALTER COLUMN body_text SET STORAGE MAIN",
    "ALTER TABLE catalog_searchentry ALTER COLUMN name_grams SET STORAGE MAIN",
]
POSTGRES_REVERSE = [
    "ALTER TABLE catalog_searchentry DROP COLUMN IF EXISTS name_grams",
    "ALTER TABLE catalog_searchentry DROP COLUMN IF EXISTS grams",
    "DROP FUNCTION IF EXISTS tongban_search_tags(text, bigint, text, text)",
    "DROP FUNCTION IF EXISTS tongban_search_grams(text)",
]


def _run(schema_editor, sqlite, postgres):
    vendor = schema_editor.connection.vendor
    for sql in {"sqlite": sqlite, "postgresql": postgres}.get(vendor, []):
        schema_editor.execute(sql)


def create_index(apps, schema_editor):
    _run(schema_editor, SQLITE_FORWARD, POSTGRES_FORWARD)


def drop_index(apps, schema_editor):
    _run(schema_editor, SQLITE_REVERSE, POSTGRES_REVERSE)


def backfill(apps, schema_editor):
    """Fill the new columns and the index for entries written before this migration."""
    from tongban.catalog.search_text import fts_tokens, meta_tokens

    SearchEntry = apps.get_model("catalog", "SearchEntry")
    conn = schema_editor.connection
    rows = SearchEntry.objects.select_related("implementation").order_by("pk")
    with conn.cursor() as cur:
        for e in rows.iterator():
            e.task_code = e.implementation.task_code
            e.name_len = len(e.name)
            e.save(update_fields=["task_code", "name_len"])
            if conn.vendor == "sqlite":
                meta = " ".join(
                    meta_tokens(e.region_id, e.department_id, e.scope, e.modes.split(","))
                )
                short = [fts_tokens([t]) for t in (e.name_text, e.alias_text, e.initials)]
                cur.execute(
                    "INSERT INTO catalog_searchentry_fts(rowid, name, alias, ini, body, meta) "
                    "VALUES (%s, %s, %s, %s, %s, %s)",
                    [e.pk, *short, fts_tokens([e.body_text]), meta],
                )
                cur.execute(
                    "INSERT INTO catalog_searchentry_fts_short(rowid, name, alias, ini, meta) "
                    "VALUES (%s, %s, %s, %s, %s)",
                    [e.pk, *short, meta],
                )


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="searchentry",
            name="name_len",
            field=models.PositiveSmallIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="searchentry",
            name="task_code",
            field=models.CharField(blank=True, max_length=31),
        ),
        migrations.AlterField(
            model_name="searchentry",
            name="initials",
            field=models.CharField(blank=True, max_length=600),
        ),
        migrations.RunPython(create_index, drop_index),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
