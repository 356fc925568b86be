"""Reads from PostgreSQL streaming replicas, never stale ones.

``DATABASE_REPLICA_URLS`` (comma-separated dj-database-url URLs) adds the aliases ``replica_1``,
``replica_2``, ...; unset or empty, there are none, ``ReplicaRouter`` is not installed and
``ReplicaReadMiddleware`` takes itself out of the chain (``MiddlewareNotUsed``): no cost at all.

Which database a query uses:

- Writes (``db_for_write``) always go to the primary (``default``), and so do migrations: a replica is
  read-only and gets the schema by replication.
- Reads of catalog models go to a replica only inside a request that allows it: a GET, HEAD or OPTIONS
  request, with no catalog write made earlier in it, and a replica that has caught up. Everything else
  (POST/PUT/PATCH/DELETE, management commands, reads inside a transaction on the primary) reads the
  primary. Other apps' tables (sessions, users, tokens, login attempts, the database cache) always read
  the primary: the data version below only vouches for catalog tables, and a session written at login
  must be there at the next request.
- A replica has caught up when its copy of the data version (catalog/cache/data_version.py, moved by
  every catalog write in the write's own transaction) equals the primary's, read just before it. Equal
  counters mean every catalog write committed on the primary so far has been replayed there.

So lag is tolerated, not hidden: a lagging replica is skipped for that request. "The read right after a
write goes to the primary" holds in both senses. Within a request, the first catalog write pins the
rest of the request to the primary. And a client's next request after its write never reads a stale
replica either, because every request compares against the primary's counter first, and that write has
already moved it.

Cost: the check runs lazily, at a request's first catalog read, so a request that never reads the
catalog (a cached answer, /healthz, static files) pays nothing. When it runs it costs one one-row query
on the primary and one on the chosen replica. A replica that errors (down, or not answering within
``connect_timeout``) is logged and skipped by this process for ``DOWN_RETRY_SECONDS``; the request reads
the primary and does not fail.
"""

import contextlib
import contextvars
import itertools
import logging
import time

import dj_database_url
from django.core.exceptions import MiddlewareNotUsed
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

PRIMARY = DEFAULT_DB_ALIAS
PREFIX = "replica_"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
ROUTED_APPS = frozenset({"catalog"})  # the tables the data version vouches for
DOWN_RETRY_SECONDS = 10
CONN_MAX_AGE = 600

logger = logging.getLogger(__name__)


def configure(database):
    """Engine-specific options shared by the primary and every replica (one home for the rule)."""
    if database["ENGINE"] == "django.db.backends.postgresql":
        # A database that does not answer must fail a connection in seconds, not hang the worker.
        database.setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
        # The planner's default random_page_cost (4) is for spinning disks: with it, search scans an
        # 18,000-row table rather than use its GIN indexes (catalog/search.py). 1.1 is the SSD setting.
        database["OPTIONS"].setdefault("options", "-c random_page_cost=1.1")
    elif database["ENGINE"] == "django.db.backends.sqlite3":
        # SQLite lets one writer in at a time: a second import waits for the first (imports hold the write
        # lock from their start, see catalog/importers/engine.py) rather than failing after the default 5 s.
        database.setdefault("OPTIONS", {}).setdefault("timeout", 60)
    return database


def replica_databases(urls):
    """``{"replica_1": {...}, ...}`` for these URLs, configured like the primary."""
    databases = {}
    for number, url in enumerate(urls, start=1):
        database = configure(dj_database_url.parse(url, conn_max_age=CONN_MAX_AGE, conn_health_checks=True))
        # Tests must not create (or migrate) a database on a replica: it is the primary's test database.
        database["TEST"] = {"MIRROR": PRIMARY}
        databases[f"{PREFIX}{number}"] = database
    return databases


def is_replica(alias):
    return alias.startswith(PREFIX)


def replica_aliases():
    return [alias for alias in connections.settings if is_replica(alias)]


def read_version(alias):
    from catalog.cache.data_version import current  # imported late: settings import this module

    return current(using=alias)


# Process-wide: when each replica that failed may be tried again, and whose turn it is.
_down_until = {}
_turns = itertools.count()


def reset():
    """Forget which replicas failed (tests; a process starts with none)."""
    _down_until.clear()


def pick_replica(candidates):
    """A caught-up replica's alias, or the primary's when none is (lagging, down, or none configured)."""
    now = time.monotonic()
    live = [alias for alias in candidates if _down_until.get(alias, 0) <= now]
    if not live:
        return PRIMARY
    alias = live[next(_turns) % len(live)]  # round-robin over this process's requests
    primary_version = read_version(PRIMARY)  # first: a replica can only be behind what was read here
    try:
        replica_version = read_version(alias)
    except DatabaseError as error:
        logger.warning("Replica %s does not answer; reading the primary (%s)", alias, error)
        _down_until[alias] = now + DOWN_RETRY_SECONDS
        with contextlib.suppress(Exception):  # a broken connection may fail to close in any way
            connections[alias].close()
        return PRIMARY
    return alias if replica_version == primary_version else PRIMARY


class ReadState:
    """One request's choice: which replicas it may read, and whether a write has pinned it to the primary."""

    def __init__(self, candidates):
        self.candidates = tuple(candidates)
        self.pinned = not self.candidates
        self.alias = None  # decided at the first catalog read

    def read_alias(self):
        if self.pinned:
            return PRIMARY
        if self.alias is None:
            self.alias = pick_replica(self.candidates)
        return self.alias

    def pin(self):
        self.pinned = True


_state = contextvars.ContextVar("landscape_replica_read_state", default=None)


@contextlib.contextmanager
def reading(state):
    """Route this block's reads by ``state`` (what the middleware does for a request)."""
    token = _state.set(state)
    try:
        yield state
    finally:
        _state.reset(token)


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        state = _state.get()
        if state is None or model._meta.app_label not in ROUTED_APPS:
            return PRIMARY
        # A transaction on the primary reads its own writes and its own snapshot.
        if connections[PRIMARY].in_atomic_block:
            return PRIMARY
        return state.read_alias()

    def db_for_write(self, model, **hints):
        state = _state.get()
        # Only catalog writes pin: other tables are never read from a replica, and the database cache's
        # throttle counters are written on every API request before the view reads anything.
        if state is not None and model._meta.app_label in ROUTED_APPS:
            state.pin()
        return PRIMARY  # never the instance's own database, which may be the replica it was read from

    def allow_relation(self, obj1, obj2, **hints):
        # The primary and its replicas hold the same rows: an object read from one may point at another.
        if all(db == PRIMARY or is_replica(db) for db in (obj1._state.db, obj2._state.db)):
            return True
        return None

    def allow_migrate(self, db, app_label, **hints):
        return False if is_replica(db) else None


class ReplicaReadMiddleware:
    """Lets a safe-method request read a caught-up replica; see the module docstring."""

    def __init__(self, get_response):
        self.replicas = replica_aliases()
        if not self.replicas:
            raise MiddlewareNotUsed("no DATABASE_REPLICA_URLS")
        self.get_response = get_response

    def __call__(self, request):
        candidates = self.replicas if request.method in SAFE_METHODS else ()
        with reading(ReadState(candidates)):
            return self.get_response(request)
