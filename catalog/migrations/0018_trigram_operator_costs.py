"""Tell PostgreSQL's planner what pg_trgm's similarity operators cost (PostgreSQL only; a no-op elsewhere).

pg_trgm declares the functions behind ``%``, ``<%`` and ``%>`` with COST 1, as cheap as comparing two integers,
while each call splits both strings into trigrams. Planning with that price, a search matching a tenth of 19,000
models scanned the whole table and ran the word-similarity test on every row (100 ms) instead of reading the
trigram and full-text indexes of migration 0017 and testing only the rows they return (23 ms). COST 100 is what
PostgreSQL gives its own full-text matches of text (``ts_match_tt``).

Only the functions' owner may change them: the user that created the extension, normally the one migrating. If
someone else created it, the migration says so and carries on; searches are then right, only slower at scale. A
dump and restore re-creates the extension with its own costs: run ``migrate catalog 0017`` and ``migrate`` again.
"""

from django.db import migrations

SIMILARITY_FUNCTIONS = ("similarity_op", "word_similarity_op", "word_similarity_commutator_op")


def set_costs(cost):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        statements = " ".join(f"ALTER FUNCTION {name}(text, text) COST {cost};" for name in SIMILARITY_FUNCTIONS)
        schema_editor.execute(
            "DO $$ BEGIN " + statements + " EXCEPTION WHEN insufficient_privilege THEN RAISE WARNING "
            "'pg_trgm''s functions belong to another user: their planner costs stay as they were'; END $$"
        )

    return apply


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0017_search_indexes"),
    ]

    operations = [migrations.RunPython(set_costs(100), set_costs(1), elidable=False)]
