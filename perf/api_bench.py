"""How much the DRF list endpoints cost next to a bare Django view returning the same rows.

    .venv/bin/python perf/api_bench.py [--rounds N] [--batch-seconds S] [--no-synthetic] [--smoke]

One process, one database, one set of rows, the same in-process ``django.test.Client`` for both sides.
For each endpoint and page size it alternates DRF and bare batches round after round (warm-up first) and
reports the medians, so the ratio is measured side by side and machine noise hits both sides alike.

Setup, all throwaway (perf/bench_setup.py, as for the growth benchmark): a new SQLite file or a database
beside DATABASE_URL's, migrated; a local-memory cache, the anonymous throttle raised (it still runs), the
response cache off; then the bundled data and synthetic rows cloned from the bundled ones (slugs
``bench-synthetic-*``, names ``[synthetic] ...``) so a page of 200 is really 200 rows, and PostgreSQL's planner
statistics refreshed after that bulk insert.

Target (from the issue): a DRF list serves at least 0.5x the bare view's requests/s and takes at most
4 queries whatever the page size. Missing it is reported, not an error; an HTTP error exits with 1.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from perf import bench_setup

MIN_ROWS = 400
PAGE_SIZES = (50, 200)
TARGET_RATIO = 0.5
TARGET_QUERIES = 4
SYNTHETIC_PREFIX = "bench-synthetic"


# ---------------------------------------------------------------------------------------------------------
# The bare side: the same page of the same rows, with ``.values()`` and ``JsonResponse``. The envelope keeps
# DRF's ``count`` so both sides run a count and a page query; related rows and links are not included.


def bare_list(model):
    from django.http import JsonResponse

    columns = [field.attname for field in model._meta.concrete_fields]

    def view(request):
        size = int(request.GET.get("page_size", 50))
        rows = model._default_manager.all()  # Meta.ordering, as in the API
        return JsonResponse({"count": rows.count(), "results": list(rows.values(*columns)[:size])})

    return view


def build_urlpatterns():
    """The bare views, then the project's own patterns spread in (not ``include()``d: ``i18n_patterns`` must sit
    at the top of the root URLconf, and including it is an error)."""
    from django.urls import path

    from catalog.models import FoundationModel, Hardware
    from landscape import urls as project_urls

    return [
        path("bare/models/", bare_list(FoundationModel)),
        path("bare/hardware/", bare_list(Hardware)),
        *project_urls.urlpatterns,
    ]


urlpatterns = []  # filled in main(), once Django is set up: this module is the ROOT_URLCONF
handler404 = "landscape.errors.not_found"


# ---------------------------------------------------------------------------------------------------------


def add_synthetic_rows(model, minimum):
    """Clone bundled rows (fields, many-to-many links) until ``minimum`` rows exist; return how many were added."""
    existing = list(model._default_manager.order_by("pk"))
    missing = minimum - len(existing)
    if missing <= 0 or not existing:
        return 0
    clones, originals = [], []
    for index in range(missing):
        original = existing[index % len(existing)]
        clone = model._default_manager.get(pk=original.pk)
        clone.pk = None
        clone.slug = f"{SYNTHETIC_PREFIX}-{index:04d}"
        clone.name = f"[synthetic] {original.name} #{index}"
        clone.notes = "Synthetic row added by perf/api_bench.py to a throwaway database."
        clones.append(clone)
        originals.append(original)
    model._default_manager.bulk_create(clones)
    for field in model._meta.many_to_many:
        through = getattr(model, field.name).through
        source_column, target_column = field.m2m_field_name(), field.m2m_reverse_field_name()
        links = []
        for clone, original in zip(clones, originals, strict=True):
            for target_id in getattr(original, field.name).values_list("pk", flat=True):
                links.append(through(**{f"{source_column}_id": clone.pk, f"{target_column}_id": target_id}))
        through.objects.bulk_create(links)
    return missing


class HTTPFailure(Exception):
    pass


def fetch(client, url):
    # Over HTTPS, as production serves it: with DEBUG off, plain HTTP is a 301 to https (SECURE_SSL_REDIRECT).
    response = client.get(url, secure=True)
    if response.status_code != 200:
        raise HTTPFailure(f"GET {url} answered {response.status_code}: {response.content[:300]!r}")
    return response


def slugs_of(response):
    return [row["slug"] for row in response.json()["results"]]


def requests_per_second(client, url, batch_seconds):
    """Requests/s over one batch: as many requests as fit in ``batch_seconds`` (at least 3)."""
    done, started = 0, time.perf_counter()
    while True:
        fetch(client, url)
        done += 1
        elapsed = time.perf_counter() - started
        if done >= 3 and elapsed >= batch_seconds:
            return done / elapsed


def measure(client, cases, rounds, batch_seconds):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    results = []
    for name, page_size, drf_url, bare_url in cases:
        for url in (drf_url, bare_url):  # warm-up: URL resolving, serializer fields, connection
            for _ in range(5):
                fetch(client, url)
        drf_slugs, bare_slugs = slugs_of(fetch(client, drf_url)), slugs_of(fetch(client, bare_url))
        with CaptureQueriesContext(connection) as drf_queries:
            fetch(client, drf_url)
        with CaptureQueriesContext(connection) as bare_queries:
            fetch(client, bare_url)
        results.append(
            {
                "name": name,
                "page_size": page_size,
                "drf_url": drf_url,
                "rows": len(drf_slugs),
                "same_rows": drf_slugs == bare_slugs,
                "drf_queries": len(drf_queries),
                "bare_queries": len(bare_queries),
                "drf": [],
                "bare": [],
                "ratio": [],
            }
        )
    for round_number in range(rounds):
        for result, (_, _, drf_url, bare_url) in zip(results, cases, strict=True):
            # Alternate which side goes first, so neither always runs on a warmer (or noisier) machine.
            order = [("drf", drf_url), ("bare", bare_url)]
            if round_number % 2:
                order.reverse()
            speeds = {side: requests_per_second(client, url, batch_seconds) for side, url in order}
            result["drf"].append(speeds["drf"])
            result["bare"].append(speeds["bare"])
            result["ratio"].append(speeds["drf"] / speeds["bare"])
    return results


def print_table(results):
    header = ["endpoint", "page size", "rows", "DRF req/s", "bare req/s", "DRF/bare", "queries/DRF req", "target"]
    lines = []
    for result in results:
        ratio = statistics.median(result["ratio"])
        meets = ratio >= TARGET_RATIO and result["drf_queries"] <= TARGET_QUERIES
        lines.append(
            [
                result["name"],
                str(result["page_size"]),
                str(result["rows"]),
                f"{statistics.median(result['drf']):.1f}",
                f"{statistics.median(result['bare']):.1f}",
                f"{ratio:.2f}x",
                str(result["drf_queries"]),
                "meets" if meets else "MISSES",
            ]
        )
    widths = [max(len(row[i]) for row in [header, *lines]) for i in range(len(header))]
    for row in [header, ["-" * width for width in widths], *lines]:
        print(
            "  ".join(
                cell.ljust(width) if i == 0 else cell.rjust(width)
                for i, (cell, width) in enumerate(zip(row, widths, strict=True))
            )
        )
    print("bare = the same page (same rows, same order, plus the count) as .values() of the table's own columns")
    print("through JsonResponse: no related rows, no links, no auth/throttle/negotiation. Per endpoint:")
    for result in results:
        spread = f"{min(result['ratio']):.2f}x-{max(result['ratio']):.2f}x"
        note = "" if result["same_rows"] else "  WARNING: DRF and bare pages differ (slugs or order)"
        print(
            f"  {result['drf_url']}: ratio over {len(result['ratio'])} rounds {spread}, "
            f"bare view {result['bare_queries']} queries{note}"
        )
    return all(
        statistics.median(result["ratio"]) >= TARGET_RATIO and result["drf_queries"] <= TARGET_QUERIES
        for result in results
    )


def run(args):
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from catalog.models import FoundationModel, Hardware

    global urlpatterns
    urlpatterns = build_urlpatterns()

    started = time.perf_counter()
    call_command("load_bundled_data", verbosity=0)
    bundled = {"models": FoundationModel.objects.count(), "hardware": Hardware.objects.count()}
    synthetic = {"models": 0, "hardware": 0}
    if not args.no_synthetic:
        synthetic["models"] = add_synthetic_rows(FoundationModel, MIN_ROWS)
        synthetic["hardware"] = add_synthetic_rows(Hardware, MIN_ROWS)
    bench_setup.refresh_planner_statistics()
    print(f"Data loaded in {time.perf_counter() - started:.1f} s:")
    for table in ("models", "hardware"):
        total = bundled[table] + synthetic[table]
        print(
            f"  {table}: {total} rows ({bundled[table]} bundled + {synthetic[table]} synthetic '{SYNTHETIC_PREFIX}-*')"
        )
    print(f"Database: {connection.vendor} {connection.settings_dict['NAME']} (throwaway)")
    print(f"Cache: {settings.CACHES['default']['BACKEND']} for this run (production: Redis; the default")
    print("  database cache would add throttle queries to every anonymous request)")
    print(f"DEBUG={settings.DEBUG}; anonymous throttle rate raised to {os.environ['API_ANON_THROTTLE_RATE']}")
    print(f"Measuring: {args.rounds} alternating rounds of {args.batch_seconds} s batches per side, medians\n")

    cases = []
    for name, bare in (("/api/v1/models/", "/bare/models/"), ("/api/v1/hardware/", "/bare/hardware/")):
        for size in PAGE_SIZES:
            cases.append((name, size, f"{name}?page_size={size}", f"{bare}?page_size={size}"))
    client = Client(HTTP_HOST="localhost")
    all_met = print_table(measure(client, cases, args.rounds, args.batch_seconds))
    print(
        f"\nTarget: DRF >= {TARGET_RATIO}x the bare view's req/s and <= {TARGET_QUERIES} queries per list request: "
        + ("met on every row." if all_met else "missed on at least one row.")
    )
    print(f"Data and measurements took {time.perf_counter() - started:.0f} s.")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=9, help="alternating rounds per endpoint (default 9)")
    parser.add_argument("--batch-seconds", type=float, default=0.3, help="length of one batch (default 0.3)")
    parser.add_argument("--no-synthetic", action="store_true", help="only the bundled rows")
    parser.add_argument(
        "--smoke", action="store_true", help="one short round on the bundled rows: that it runs (the test suite's)"
    )
    args = parser.parse_args()
    if args.smoke:
        args.rounds, args.batch_seconds, args.no_synthetic = 1, 0.01, True

    # This module is the ROOT_URLCONF: the bare views beside the project's own.
    with bench_setup.throwaway_database(root_urlconf=__name__):
        try:
            run(args)
        except HTTPFailure as failure:
            print(f"HTTP error: {failure}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
