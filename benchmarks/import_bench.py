"""How long the full public tables take to import, and how many queries each record costs.

    .venv/bin/python benchmarks/import_bench.py          # DATABASE_URL=postgres://... to run on PostgreSQL

Reads the reference files in ../shared/reference/ (Epoch AI hardware and models, LiteLLM's price map),
which are not part of the project; exits 2 when they are absent. Works in a throwaway database (a
temporary SQLite file, or a separate ``bench_<name>`` PostgreSQL database dropped afterwards), with the
bundled data loaded first, as a maintainer would import on top of it. For each file: a dry run, the real
import, and the same file again (which must change nothing). Target (from the issue): each import under
30 s on this 2-core machine with PostgreSQL, with a bounded number of queries per record.
"""

import os
import sys
import tempfile
import time
import warnings
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
REFERENCE = PROJECT_ROOT.parent / "shared" / "reference"
FILES = [
    ("epoch-hardware", "epoch_ml_hardware_2025-12.csv"),
    ("epoch-models", "epoch_notable_ai_models_2025-02-24.csv"),
    ("litellm", "litellm_model_prices_2026-07-24.json"),
]
TARGET_SECONDS = 30


def setup_django(database_url):
    sys.path.insert(0, str(PROJECT_ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "landscape.settings"
    os.environ.setdefault("DJANGO_DEBUG", "false")
    os.environ.setdefault("DJANGO_SECRET_KEY", "benchmark-only-secret-key-" + "x" * 40)
    os.environ["DATABASE_URL"] = database_url
    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
    import django

    django.setup()


class QueryCounter:
    """Counts every query (Django's own query log stops at 9,000)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def timed_import(fmt, path, *, dry_run):
    from django.db import connection

    from catalog.importers.service import import_file

    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        started = time.perf_counter()
        report = import_file(fmt=fmt, data=path.read_bytes(), file_name=path.name, dry_run=dry_run)
        seconds = time.perf_counter() - started
    run = report.run
    records = run.created + run.updated + run.unchanged + run.errors
    return run, seconds, counter.count, records


def main():
    missing = [name for _, name in FILES if not (REFERENCE / name).exists()]
    if missing:
        print(f"Reference files not found in {REFERENCE}: {', '.join(missing)}", file=sys.stderr)
        return 2
    given_url = os.environ.get("DATABASE_URL")
    with tempfile.TemporaryDirectory(prefix="landscape-import-bench-") as folder:
        setup_django(given_url or f"sqlite:///{Path(folder) / 'bench.sqlite3'}")
        from django.core.management import call_command
        from django.db import connection

        named = connection.settings_dict["NAME"]
        if given_url and connection.vendor != "sqlite":
            connection.settings_dict["TEST"]["NAME"] = f"bench_{named}"
            connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        else:
            call_command("migrate", verbosity=0, interactive=False)
        try:
            call_command("load_bundled_data", verbosity=0)
            print(f"Database: {connection.vendor}; bundled data loaded.\n")
            header = f"{'file':<40} {'run':<9} {'records':>7} {'create':>6} {'update':>6} {'same':>5} {'errors':>6}"
            print(f"{header} {'review':>6} {'seconds':>7} {'queries/record':>14}")
            slowest = 0.0
            for fmt, name in FILES:
                for label, dry_run in (("dry run", True), ("applied", False), ("again", False)):
                    run, seconds, queries, records = timed_import(fmt, REFERENCE / name, dry_run=dry_run)
                    slowest = max(slowest, seconds)
                    per_record = queries / records if records else float("nan")
                    print(
                        f"{name:<40} {label:<9} {records:>7} {run.created:>6} {run.updated:>6} {run.unchanged:>5} "
                        f"{run.errors:>6} {run.flagged:>6} {seconds:>7.1f} {per_record:>14.1f}"
                    )
            verdict = "meets" if slowest < TARGET_SECONDS else "MISSES"
            print(f"\nSlowest import {slowest:.1f} s: {verdict} the target of {TARGET_SECONDS} s per file.")
        finally:
            if given_url and connection.vendor != "sqlite":
                connection.creation.destroy_test_db(named, verbosity=0)
            connection.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
