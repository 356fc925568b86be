"""Search columns and indexes for catalog/search.py on PostgreSQL; nothing on SQLite (a plain scan there).

Per searched table:
- ``search_vector``: a stored generated tsvector column (names weighted A, other words D, config 'simple'),
  GIN-indexed. Stored, not an expression index, so neither a recheck nor the ranking re-parses descriptions.
- a pg_trgm GIN index on UPPER(..) of each name and the slug: it serves ``icontains`` (Django writes
  UPPER(name) LIKE UPPER('%q%') on PostgreSQL) and the word-similarity test UPPER(name) %> UPPER(q).

None of this is in the models' state: it is PostgreSQL-only, and the ORM never writes the column (INSERTs
name their columns). catalog.search.VECTOR_COLUMN reads it. A later migration that changes the type of a
column listed here must drop ``search_vector`` first and recreate it after (PostgreSQL refuses otherwise).
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

# table -> (names weighted A, other words weighted D, trigram-indexed columns)
SEARCHED = {
    "catalog_foundationmodel": (
        ("name", "name_ko"),
        ("local_name", "family", "description"),
        ("name", "name_ko", "slug"),
    ),
    "catalog_hardware": (("name", "name_ko"), ("family", "description"), ("name", "name_ko", "slug")),
    "catalog_organization": (("name", "name_ko"), ("local_name", "description"), ("name", "name_ko", "slug")),
    "catalog_application": (
        ("name", "name_ko"),
        ("local_name", "category", "description"),
        ("name", "name_ko", "slug"),
    ),
    "catalog_concept": (("name_en", "name_ko"), ("summary_en", "summary_ko"), ("name_en", "name_ko", "slug")),
}


def weighted(columns, weight):
    joined = " || ' ' || ".join(f"COALESCE({column}, '')" for column in columns)
    return f"setweight(to_tsvector('simple'::regconfig, {joined}), '{weight}')"


def statements():
    for table, (names, words, trigram) in SEARCHED.items():
        vector = f"{weighted(names, 'A')} || {weighted(words, 'D')}"
        yield f"ALTER TABLE {table} ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ({vector}) STORED"
        yield f"CREATE INDEX {table}_search_fts ON {table} USING gin (search_vector)"
        for column in trigram:
            yield f"CREATE INDEX {table}_{column}_trgm ON {table} USING gin ((UPPER({column}::text)) gin_trgm_ops)"


def undo_statements():
    for table, (_names, _words, trigram) in SEARCHED.items():
        yield from (f"DROP INDEX IF EXISTS {table}_{column}_trgm" for column in trigram)
        yield f"DROP INDEX IF EXISTS {table}_search_fts"
        yield f"ALTER TABLE {table} DROP COLUMN IF EXISTS search_vector"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in statements():
            schema_editor.execute(sql)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in undo_statements():
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0016_data_version"),
    ]

    operations = [
        TrigramExtension(),  # CREATE EXTENSION pg_trgm on PostgreSQL; a no-op elsewhere
        migrations.RunPython(create, drop, elidable=False),
    ]
