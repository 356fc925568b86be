"""Setup shared by the measuring scripts: production-like settings, a throwaway database, HTTPS requests.

perf/growth_bench.py and perf/api_bench.py use it.

- ``configure_django``: the project's settings from the environment (DEBUG off unless told), a local-memory
  cache (production's Redis is not there; the database cache would add throttle queries to every anonymous
  request), plain static storage (no collectstatic has run), the anonymous throttle raised so a run is never
  throttled (the throttle still runs), and the response cache off, so what is measured is the uncached cost;
  the figure cache (catalog/cache/figures.py) too, unless the environment says FIGURE_CACHE_ENABLED=true.
- ``throwaway_database``: a new SQLite file in a temporary folder, or, when DATABASE_URL is set, a separate
  database beside the named one (``bench_<name>``, created and dropped like the test runner does), migrated.
- ``refresh_planner_statistics``: ANALYZE on PostgreSQL after bulk inserts, as autovacuum would soon do in
  production; without it the planner plans for the bundle's row counts (hash joins over whole tables).
- ``get``: one GET over HTTPS (with DEBUG off, plain HTTP is a 301 to https), the body read even when streamed.
"""

import contextlib
import os
import sys
import tempfile
import warnings
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def configure_django(database_url, *, root_urlconf=None):
    """Call before anything imports Django models; ``root_urlconf`` replaces the project's (api_bench mounts its
    bare views that way)."""
    sys.path.insert(0, str(PROJECT_ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "landscape.settings"
    os.environ.setdefault("DJANGO_DEBUG", "false")  # like production; SQL is never printed either way
    os.environ.setdefault("DJANGO_SECRET_KEY", "benchmark-only-secret-key-" + "x" * 40)
    os.environ["API_ANON_THROTTLE_RATE"] = "100000000/minute"
    os.environ["RESPONSE_CACHE_ENABLED"] = "false"
    os.environ.setdefault("FIGURE_CACHE_ENABLED", "false")  # FIGURE_CACHE_ENABLED=true: figures built once per write
    os.environ["DATABASE_URL"] = database_url
    # No collectstatic here: the manifest storage would raise on every page's {% static %}.
    os.environ.setdefault("DJANGO_STATICFILES_STORAGE", "django.contrib.staticfiles.storage.StaticFilesStorage")

    # The app never serves static files here; whitenoise only notes that collectstatic has not run.
    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)

    import django
    from django.conf import settings

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.RESPONSE_CACHE_ENABLED = False  # the environment says so too; this holds whatever settings.py reads
    if root_urlconf:
        settings.ROOT_URLCONF = root_urlconf
    django.setup()


@contextlib.contextmanager
def throwaway_database(*, root_urlconf=None):
    """Configure Django on a new, migrated database and yield; drop it afterwards. Never writes to DATABASE_URL's
    own database."""
    given_url = os.environ.get("DATABASE_URL")
    with tempfile.TemporaryDirectory(prefix="landscape-bench-") as folder:
        configure_django(given_url or f"sqlite:///{Path(folder) / 'bench.sqlite3'}", root_urlconf=root_urlconf)
        from django.core.management import call_command
        from django.db import connection

        named_database = connection.settings_dict["NAME"]
        if given_url:
            if connection.vendor != "sqlite":
                connection.settings_dict["TEST"]["NAME"] = f"bench_{named_database}"
            connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        else:
            call_command("migrate", verbosity=0, interactive=False)
        try:
            yield connection
        finally:
            if given_url:
                connection.creation.destroy_test_db(named_database, verbosity=0)
            connection.close()


def refresh_planner_statistics():
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def body_of(response):
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def get(client, url):
    """(status, body) of one GET over HTTPS."""
    response = client.get(url, secure=True)
    return response.status_code, body_of(response)
