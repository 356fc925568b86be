"""Database-level guard: no two periods of one offering may overlap.

A CHECK constraint cannot see other rows, so each backend gets its own tool: an exclusion constraint
over a date range on PostgreSQL (with btree_gist for the equality columns), and BEFORE INSERT/UPDATE
triggers on SQLite. Both surface as ``IntegrityError`` in Django. ``effective_to`` is exclusive and
NULL means open-ended, matching ``EffectivePeriod.clean()``.
"""

# table -> columns that identify one offering
GUARDED_TABLES = {
    "catalog_pricepoint": ("provider_id", "api_model_id", "context_tier"),
    "catalog_cloudprice": ("provider_id", "instance_type", "region", "pricing_kind"),
}
OPEN_END = "9999-12-31"


def _postgresql_statements(table, columns):
    equalities = ", ".join(f"{column} WITH =" for column in columns)
    return (
        [
            "CREATE EXTENSION IF NOT EXISTS btree_gist",
            f"ALTER TABLE {table} ADD CONSTRAINT {table}_no_overlapping_periods EXCLUDE USING gist "
            f"({equalities}, daterange(effective_from, effective_to, '[)') WITH &&)",
        ],
        [f"ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {table}_no_overlapping_periods"],
    )


def _sqlite_statements(table, columns):
    forward, backward = [], []
    for event in ("INSERT", "UPDATE"):
        trigger = f"{table}_no_overlap_{event.lower()}"
        same_offering = " AND ".join(f"other.{column} = NEW.{column}" for column in columns)
        not_self = " AND other.id != NEW.id" if event == "UPDATE" else ""
        forward.append(
            f"CREATE TRIGGER {trigger} BEFORE {event} ON {table} "
            f"WHEN EXISTS (SELECT 1 FROM {table} AS other WHERE {same_offering}{not_self} "
            f"AND other.effective_from < COALESCE(NEW.effective_to, '{OPEN_END}') "
            f"AND NEW.effective_from < COALESCE(other.effective_to, '{OPEN_END}')) "
            f"BEGIN SELECT RAISE(ABORT, '{table}: overlapping price periods for one offering'); END"
        )
        backward.append(f"DROP TRIGGER IF EXISTS {trigger}")
    return forward, backward


def _statements(vendor):
    builders = {"postgresql": _postgresql_statements, "sqlite": _sqlite_statements}
    if vendor not in builders:
        return [], []  # other backends rely on clean(); say so rather than guess their SQL
    forward, backward = [], []
    for table, columns in GUARDED_TABLES.items():
        add, drop = builders[vendor](table, columns)
        forward += add
        backward += drop
    return forward, backward


def install(apps, schema_editor):
    for statement in _statements(schema_editor.connection.vendor)[0]:
        schema_editor.execute(statement)


def uninstall(apps, schema_editor):
    for statement in _statements(schema_editor.connection.vendor)[1]:
        schema_editor.execute(statement)


def reinstall_after_table_rebuild(apps, schema_editor):
    """SQLite rebuilds a table to add a NOT NULL column, and the rebuild drops its triggers: put them back.

    PostgreSQL adds the column in place and keeps its exclusion constraint, so there is nothing to do there.
    A migration that adds such a column to a guarded table ends with this.
    """
    if schema_editor.connection.vendor != "sqlite":
        return
    uninstall(apps, schema_editor)
    install(apps, schema_editor)
