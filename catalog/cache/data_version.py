"""The data version: one counter that every write to the catalog moves, in the write's own transaction.

Cached answers (catalog/cache/responses.py) are keyed by it, so they are never stale: a write made through
any path (the admin, the API, an import, ``loaddata``, a migration that loads data, raw SQL) changes the key
on every app server at once, because the counter lives in the database they share. A replica is read only
once its copy of the counter has caught up with the primary's (landscape/replicas.py).

Writes are recognised below the ORM, by the SQL each connection runs: an INSERT, UPDATE, DELETE or
TRUNCATE on a ``catalog_`` table. Catching them there, rather than with model signals, is what covers
``bulk_create``, ``QuerySet.update()`` and raw SQL, none of which send signals.

Inside a transaction the counter moves once, on the first write, and again only after someone has read
it in that transaction (a test's client request, say): a bulk import pays one extra UPDATE, not one per
row, and a reader inside the transaction still sees every write it follows. Since the bump is part of
the transaction, a rollback undoes it with the writes.
"""

import re
import time

from django.db import DEFAULT_DB_ALIAS, connections, transaction

TABLE = "landscape_data_version"
ROW_ID = 1
READ_SQL = f"SELECT version FROM {TABLE} WHERE id = {ROW_ID}"
# An upsert: a flush (a transactional test, a restore) may have emptied the table. A missing row starts
# again from the clock, not from 1, so a database rebuilt beside a surviving cache never meets its old keys.
BUMP_SQL = (
    f"INSERT INTO {TABLE} (id, version) VALUES ({ROW_ID}, {{start}}) "
    f"ON CONFLICT (id) DO UPDATE SET version = {TABLE}.version + 1"
)
WRITE = re.compile(r"""^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM|TRUNCATE(?:\s+TABLE)?)\s+["`]?catalog_""", re.I)

# Set on a connection once it has bumped in its current transaction; see bump_once().
MARK = "_landscape_data_version_bump"


def clock_start():
    """Microseconds since 1970: where a new counter starts."""
    return time.time_ns() // 1000


def current(using=DEFAULT_DB_ALIAS):
    """The counter as this database sees it (0 before the migration that creates it has run)."""
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute(READ_SQL)
        row = cursor.fetchone()
    # The next write in this transaction must move the counter again: the reader may read again after it.
    setattr(connection, MARK, None)
    return row[0] if row else 0


def is_catalog_write(sql):
    return bool(WRITE.match(sql))


def _bump(connection):
    # The DB-API cursor, not Django's: the counter is bookkeeping, not one of the write's own queries (it
    # would otherwise show in every assertNumQueries of a write), and it must not pass through this wrapper.
    cursor = connection.connection.cursor()  # sqlite3's cursor is no context manager
    try:
        cursor.execute(BUMP_SQL.format(start=clock_start()))
    finally:
        cursor.close()


def bump_once(connection):
    if not connection.in_atomic_block:
        _bump(connection)  # autocommit: each statement is its own transaction
        return
    mark = getattr(connection, MARK, None)
    # The mark is registered as an on_commit callback: Django drops the callbacks of a transaction or
    # savepoint that rolls back, exactly when the bump it stands for is rolled back too.
    if mark is not None and any(entry[1] is mark for entry in connection.run_on_commit):
        return
    _bump(connection)

    def mark():
        pass

    setattr(connection, MARK, mark)
    transaction.on_commit(mark, using=connection.alias)


def track_writes(execute, sql, params, many, context):
    result = execute(sql, params, many, context)
    if isinstance(sql, str) and is_catalog_write(sql):
        bump_once(context["connection"])
    return result


def install(sender, connection, **kwargs):
    """``connection_created`` receiver: watch every new connection's statements for catalog writes."""
    if track_writes not in connection.execute_wrappers:
        connection.execute_wrappers.append(track_writes)
