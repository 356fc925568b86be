"""Reads from streaming replicas (landscape/replicas.py).

The routing rules are tested everywhere with a fake version reader. The rest runs against a real
throwaway primary and streaming replica (tests/replicas.py) when the suite runs on PostgreSQL.
"""

import time

import pytest
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.core.exceptions import MiddlewareNotUsed
from django.core.management import call_command
from django.db import OperationalError, connections
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext

from catalog.models import Organization
from landscape import replicas
from tests import replicas as clusters
from tests.factories import make_org
from tests.production_env import PRODUCTION_ENV, python

router = replicas.ReplicaRouter()
MIDDLEWARE = "landscape.replicas.ReplicaReadMiddleware"


# --- Configuration ------------------------------------------------------------------------------------


def test_no_replica_urls_means_no_replicas():
    assert replicas.replica_databases([]) == {}


def test_each_url_becomes_a_replica_alias_configured_like_the_primary():
    databases = replicas.replica_databases(
        ["postgres://reader@10.0.0.2:5432/landscape", "postgres://reader@10.0.0.3:6432/landscape"]
    )
    assert list(databases) == ["replica_1", "replica_2"]
    first, second = databases["replica_1"], databases["replica_2"]
    assert (first["HOST"], first["PORT"], second["HOST"], second["PORT"]) == ("10.0.0.2", 5432, "10.0.0.3", 6432)
    assert first["OPTIONS"] == {"connect_timeout": 5, "options": "-c random_page_cost=1.1"}
    assert first["CONN_MAX_AGE"] == 600 and first["CONN_HEALTH_CHECKS"] is True
    assert first["TEST"] == {"MIRROR": "default"}  # the test runner creates no database on a replica


SHOW_DATABASES = (
    "-c",
    "from django.conf import settings as s; import django; django.setup();"
    "print(sorted(s.DATABASES), getattr(s, 'DATABASE_ROUTERS', []), s.DATABASES['default']['OPTIONS'])",
)


def test_settings_add_the_replicas_and_the_router():
    env = {
        **PRODUCTION_ENV,
        "DATABASE_URL": "postgres://app@db/landscape",
        "DATABASE_REPLICA_URLS": "postgres://app@r1/landscape, postgres://app@r2/landscape",
    }
    out = python(*SHOW_DATABASES, env=env).stdout
    assert out.strip() == (
        "['default', 'replica_1', 'replica_2'] ['landscape.replicas.ReplicaRouter'] "
        "{'connect_timeout': 5, 'options': '-c random_page_cost=1.1'}"
    )


def test_settings_without_replicas_install_no_router():
    out = python(*SHOW_DATABASES, env={**PRODUCTION_ENV, "DATABASE_URL": "postgres://app@db/landscape"}).stdout
    assert out.strip() == "['default'] [] {'connect_timeout': 5, 'options': '-c random_page_cost=1.1'}"


def test_the_middleware_is_not_used_without_replicas():
    with pytest.raises(MiddlewareNotUsed):
        replicas.ReplicaReadMiddleware(lambda request: None)


def test_migrations_never_run_on_a_replica_and_relations_span_the_pool():
    assert router.allow_migrate("replica_1", "catalog") is False
    assert router.allow_migrate("default", "catalog") is None  # Django's own answer: yes

    def row(db):
        obj = Organization()
        obj._state.db = db
        return obj

    assert router.allow_relation(row("replica_2"), row("default")) is True
    assert router.allow_relation(row("other"), row("default")) is None


# --- Routing, with a fake version reader ----------------------------------------------------------------


class FakeVersions:
    """Each database's data version; a database named in ``down`` raises like an unreachable server."""

    def __init__(self, **versions):
        self.versions, self.down, self.reads = versions, set(), []

    def __call__(self, alias):
        self.reads.append(alias)
        if alias in self.down:
            raise OperationalError(f"could not connect to {alias}")
        return self.versions[alias]


@pytest.fixture
def versions(monkeypatch):
    fake = FakeVersions(default=7, replica_1=7, replica_2=7)
    monkeypatch.setattr(replicas, "read_version", fake)
    monkeypatch.setattr(replicas, "replica_aliases", lambda: ["replica_1", "replica_2"])
    monkeypatch.setattr(replicas, "_turns", iter(range(100)))  # round-robin from replica_1
    replicas.reset()
    yield fake
    replicas.reset()


def serve(method="get", view=None):
    """One request through the middleware; the default view answers where a catalog read would go."""
    view = view or (lambda request: router.db_for_read(Organization))
    return replicas.ReplicaReadMiddleware(view)(getattr(RequestFactory(), method)("/"))


def test_outside_a_request_everything_reads_the_primary(versions):
    assert router.db_for_read(Organization) == "default"
    assert versions.reads == []


def test_a_get_reads_a_caught_up_replica_after_one_version_read_per_database(versions):
    def view(request):
        return [router.db_for_read(Organization) for _ in range(3)]

    assert serve(view=view) == ["replica_1"] * 3
    assert versions.reads == ["default", "replica_1"]  # the primary first, then only once per request


def test_safe_requests_take_the_replicas_in_turn(versions):
    assert [serve(method) for method in ("get", "head", "options", "get")] == ["replica_1", "replica_2"] * 2


def test_a_lagging_replica_is_skipped_for_the_primary(versions):
    versions.versions["default"] = 8  # a write the replica has not replayed yet
    assert serve() == "default"


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_unsafe_requests_read_the_primary_without_checking_versions(versions, method):
    assert serve(method) == "default"
    assert versions.reads == []


def test_a_write_pins_the_rest_of_the_request_to_the_primary(versions):
    def view(request):
        before = router.db_for_read(Organization)
        written = router.db_for_write(Organization)
        return before, written, router.db_for_read(Organization)

    assert serve(view=view) == ("replica_1", "default", "default")
    assert serve() == "replica_2"  # the pin ends with its request


def test_a_write_before_any_read_costs_no_version_read(versions):
    def view(request):
        router.db_for_write(Organization)
        return router.db_for_read(Organization)

    assert serve(view=view) == "default"
    assert versions.reads == []


def test_other_apps_read_the_primary_and_their_writes_do_not_pin(versions):
    def view(request):
        router.db_for_write(Session)  # a session or database-cache write
        return router.db_for_read(User), router.db_for_read(Session), router.db_for_read(Organization)

    assert serve(view=view) == ("default", "default", "replica_1")


def test_a_replica_that_is_down_is_skipped_without_an_error(versions, monkeypatch):
    versions.down.add("replica_1")
    assert serve() == "default"
    # Marked down: for a while the other replica serves, and the dead one is not tried again.
    assert [serve(), serve()] == ["replica_2", "replica_2"]
    assert versions.reads.count("replica_1") == 1
    monkeypatch.setattr(replicas, "DOWN_RETRY_SECONDS", 0)
    replicas.reset()
    versions.down.clear()
    assert {serve(), serve()} == {"replica_1", "replica_2"}


def test_when_every_replica_is_down_the_primary_serves(versions):
    versions.down.update({"replica_1", "replica_2"})
    assert [serve(), serve(), serve()] == ["default"] * 3
    assert versions.reads.count("replica_1") == versions.reads.count("replica_2") == 1


@pytest.mark.django_db
def test_a_transaction_on_the_primary_reads_the_primary(versions):
    # The test itself runs inside a transaction on the primary.
    assert serve() == "default"


def test_the_request_state_ends_with_the_request(versions):
    serve()
    assert router.db_for_read(Organization) == "default"


# --- A real primary and streaming replica -------------------------------------------------------------


def real_cluster_skip_reason():
    if connections.settings["default"]["ENGINE"] != "django.db.backends.postgresql":
        return "the suite runs on SQLite, which has no streaming replicas"
    return clusters.unavailable_reason()


real = pytest.mark.skipif(real_cluster_skip_reason() is not None, reason=str(real_cluster_skip_reason()))


@pytest.fixture(scope="session")
def primary_and_replica(django_db_blocker):
    with clusters.primary_and_replica() as (primary, replica), django_db_blocker.unblock():
        with clusters.aliases_pointed_at(primary, replica):
            started = time.monotonic()
            call_command("migrate", database="default", verbosity=0)
            print(f"\nmigrations on the throwaway primary took {time.monotonic() - started:.1f}s")
        yield primary, replica


@pytest.fixture
def pointed(primary_and_replica, django_db_blocker, settings):
    primary, replica = primary_and_replica
    settings.DATABASE_ROUTERS = ["landscape.replicas.ReplicaRouter"]
    replicas.reset()
    with django_db_blocker.unblock(), clusters.aliases_pointed_at(primary, replica):
        wait_caught_up(primary, replica)
        yield primary, replica
    replicas.reset()


def version(cluster):
    return cluster.query("SELECT version FROM landscape_data_version WHERE id = 1")[0][0]


def wait_caught_up(primary, replica):
    clusters.wait_until(lambda: version(replica) == version(primary))


def read_organizations(request):
    """A view: the slugs it reads, where it read them, and whether that server is a standby."""
    queryset = Organization.objects.order_by("slug")
    with connections[queryset.db].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        standby = cursor.fetchone()[0]
    return {"db": queryset.db, "standby": standby, "slugs": list(queryset.values_list("slug", flat=True))}


@real
def test_a_write_on_the_primary_is_streamed_to_the_replica(pointed):
    primary, replica = pointed
    make_org("streamed")
    assert replica.query("SELECT pg_is_in_recovery()") == [(True,)]
    clusters.wait_until(
        lambda: replica.query("SELECT count(*) FROM catalog_organization WHERE slug = 'streamed'")[0][0]
    )
    wait_caught_up(primary, replica)


@real
def test_a_get_through_the_site_reads_the_caught_up_replica(pointed, settings):
    make_org("served-by-replica")
    wait_caught_up(*pointed)
    at = settings.MIDDLEWARE.index("landscape.health.DatabaseUnavailableMiddleware") + 1
    settings.MIDDLEWARE = [
        *settings.MIDDLEWARE[:at],
        "landscape.replicas.ReplicaReadMiddleware",
        *settings.MIDDLEWARE[at:],
    ]
    settings.RESPONSE_CACHE_ENABLED = False
    with (
        CaptureQueriesContext(connections["replica_1"]) as on_replica,
        CaptureQueriesContext(connections["default"]) as on_primary,
    ):
        response = Client().get("/api/v1/organizations/")
    assert response.status_code == 200
    assert "served-by-replica" in {row["slug"] for row in response.json()["results"]}
    assert any("catalog_organization" in query["sql"] for query in on_replica.captured_queries)
    assert not any("catalog_organization" in query["sql"] for query in on_primary.captured_queries)


@real
def test_a_caught_up_replica_serves_a_get(pointed):
    make_org("on-both")
    wait_caught_up(*pointed)
    answer = serve(view=read_organizations)
    assert (answer["db"], answer["standby"]) == ("replica_1", True)
    assert "on-both" in answer["slugs"]


@real
def test_while_the_replica_lags_reads_go_to_the_primary_and_see_the_write(pointed):
    primary, replica = pointed
    replica.query("SELECT pg_wal_replay_pause()")
    try:
        clusters.wait_until(lambda: replica.query("SELECT pg_get_wal_replay_pause_state()") == [("paused",)])
        make_org("written-while-lagging")
        assert version(replica) < version(primary)
        answer = serve(view=read_organizations)
        assert (answer["db"], answer["standby"]) == ("default", False)
        assert "written-while-lagging" in answer["slugs"]
    finally:
        replica.query("SELECT pg_wal_replay_resume()")
    wait_caught_up(primary, replica)
    assert serve(view=read_organizations)["db"] == "replica_1"


@real
def test_a_replica_that_is_down_leaves_reads_on_the_primary_without_an_error(pointed):
    _, replica = pointed
    make_org("read-while-replica-down")
    replica.stop(mode="fast")
    try:
        answer = serve(view=read_organizations)
        assert (answer["db"], answer["standby"]) == ("default", False)
        assert "read-while-replica-down" in answer["slugs"]
    finally:
        replica.start()


@real
def test_a_request_that_writes_then_reads_reads_the_primary(pointed):
    def read_write_read(request):
        before = read_organizations(request)
        make_org("read-after-write")
        return before, read_organizations(request)

    before, after = serve(view=read_write_read)
    assert (before["db"], after["db"], after["standby"]) == ("replica_1", "default", False)
    assert "read-after-write" in after["slugs"]
