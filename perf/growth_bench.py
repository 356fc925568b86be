"""How each page and API endpoint grows with the catalog: time, SQL queries and bytes at 1x, 10x and 100x.

    .venv/bin/python perf/growth_bench.py [--scales 1,10,100] [--rounds N] [--only SUBSTRING] [--prices N]
                                          [--json FILE] [--smoke]

Setup, all throwaway (perf/bench_setup.py): a new SQLite file (or ``bench_<name>`` beside DATABASE_URL's
database), migrations, the bundled data, one recorded micro-model benchmark run, PostgreSQL's planner statistics
refreshed after each bulk insert (as autovacuum would); settings as in production with DEBUG off, but a
local-memory cache, the anonymous throttle raised and the response cache OFF: every figure is the uncached cost.

Scales: a scale step of 1x is the bundle's size when the growth target was set (``UNIT_MODELS`` = 185
models), so 100x is about 18,500 models. The catalog grows by whole copies of today's bundle
(perf/synthetic.py: every table, valid keys, new price offerings), ``round((scale - 1) x UNIT_MODELS / bundled
models)`` copies per scale; 1x is the bundle as it is. The run prints the row counts of each scale.
``--prices N`` then adds N price points (new offerings) to the largest scale and measures once more, in its
own column, for "at 129,000 prices the home page and the price chart answer in under 1 s".

Paths come from the URLconf: every page and GET endpoint without arguments (list pages, charts, estimators,
the schema), one detail page per kind (a real bundled slug, the same at every scale), the search (?q=gpt),
/ko/, the API lists at their default page size and at 200. Admin and POST-only views are left out.

Per path and scale: the median time over ``--rounds`` requests, after one warm-up request that also counts
the SQL queries and the body's size. Targets: time at the largest scale at most 3x the time at 1x (or under
100 ms, where the ratio is noise), the same number of queries at every scale, a body of at most 300 KB (CSV
exports excepted). A miss is reported; only an HTTP 5xx or an exception exits with 1.
"""

import argparse
import gzip
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from perf import bench_setup

UNIT_MODELS = 185  # bundled models when the issue set the growth target: 1x of the scale
TIME_GROWTH_LIMIT = 3.0
TIME_FLOOR_MS = 100  # below this at the largest scale, time growth is noise (or a page of 200 filling up)
BODY_LIMIT_KB = 300
PRICES_TIME_LIMIT_MS = 1000
SMOKE_PER_GROUP = 2


# ---------------------------------------------------------------------------------------------------------
# Which paths: walked from the URLconf, arguments filled with real rows.


def walk(patterns, namespace=""):
    from django.urls import URLResolver

    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from walk(pattern.url_patterns, pattern.namespace or namespace)
        else:
            yield namespace, pattern.name, sorted(pattern.pattern.regex.groupindex)


def pick_rows():
    """The bundled rows whose pages stand for each kind of detail page: the best-connected ones."""
    from django.db.models import Count

    from catalog import models as m

    def most(model, relation, **filters):
        rows = model.objects.filter(**filters).annotate(n=Count(relation)).order_by("-n", "pk")
        return rows.first() or model.objects.order_by("pk").first()

    rows = {
        "organization": most(m.Organization, "foundation_models"),
        "foundationmodel": most(m.FoundationModel, "prices", parameters__gt=0),
        "hardware": most(m.Hardware, "cloud_prices", memory_bytes__gt=0),
        "evaluation": most(m.Evaluation, "scores"),
    }
    rows["other hardware"] = m.Hardware.objects.exclude(pk=rows["hardware"].pk).filter(memory_bytes__gt=0).first()
    for model in (m.Application, m.Concept, m.TrainingRun, m.PricePoint, m.CloudPrice, m.Source, m.EvaluationScore):
        rows[model.__name__.lower()] = model.objects.order_by("pk").first()
    rows["benchmarkrun"] = m.BenchmarkRun.objects.order_by("pk").first()
    return rows


CATALOG_MODELS = {  # page URL name -> the row kind it shows
    "organization-detail": "organization",
    "model-detail": "foundationmodel",
    "hardware-detail": "hardware",
    "application-detail": "application",
    "concept-detail": "concept",
    "evaluation-detail": "evaluation",
    "benchmark-detail": "benchmarkrun",
}


def url_arguments(namespace, name, arguments, rows):
    """kwargs for ``reverse``, or None to leave the path out."""
    if arguments == ["kind"]:
        return {"kind": "models"}
    if arguments == ["hardware_slug", "model_slug"]:
        return {"model_slug": rows["foundationmodel"].slug, "hardware_slug": rows["hardware"].slug}
    kind = CATALOG_MODELS.get(name) if namespace == "catalog" else name.rsplit("-", 1)[0]
    row = rows.get(kind)
    if row is None or len(arguments) != 1:
        return None
    return {arguments[0]: getattr(row, arguments[0])}


def discover_paths(rows):
    """[(path, kind, group)]: kind is page or api; group is list, detail, chart, estimate or other."""
    from django.urls import get_resolver, reverse

    model, chip = rows["foundationmodel"], rows["hardware"]
    queries = {  # GET endpoints that need a question to answer
        "api:compare-hardware": f"?slugs={chip.slug},{rows['other hardware'].slug}",
        "api:estimate-serving": f"?model={model.slug}&hardware={chip.slug}",
        "api:estimate-training": f"?model={model.slug}&hardware={chip.slug}",
        "api:capability-prices": "?capability=gpt-4-mmlu",
        "catalog:search": "?q=gpt",
        "catalog:pick": "?q=gpt",
    }
    found = []
    for namespace, name, arguments in walk(get_resolver().url_patterns):
        if not name or namespace == "admin" or name == "set_language" or "format" in arguments:
            continue
        kwargs = url_arguments(namespace, name, arguments, rows) if arguments else {}
        if kwargs is None:
            continue
        full_name = f"{namespace}:{name}" if namespace else name
        path = reverse(full_name, kwargs=kwargs) + queries.get(full_name, "")
        kind = "api" if path.startswith("/api/") else "page"
        group = (
            "detail"
            if arguments and name != "pick"
            else "list"
            if name.endswith("-list") or name in ("home", "search")
            else "chart"
            if name.startswith("chart-") or name == "compare"
            else "estimate"
            if name.startswith("estimate")
            else "other"
        )
        found.append((path, kind, group))
        if kind == "api" and name.endswith("-list"):
            found.append((f"{path}?page_size=200", kind, group))
        if name == "home":
            found.append(("/ko/", kind, group))
    found.append(("/api/v1/prices/?format=csv", "api", "export"))  # whole-table export: time only
    return found


def smoke_selection(paths):
    seen, chosen = {}, []
    for path, kind, group in paths:
        if seen.get((kind, group), 0) < SMOKE_PER_GROUP and "/schema/" not in path:
            seen[kind, group] = seen.get((kind, group), 0) + 1
            chosen.append((path, kind, group))
    return chosen


# ---------------------------------------------------------------------------------------------------------
# Measuring.


def measure_path(client, path, rounds):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    figures = {"status": None, "error": None, "ms": None, "queries": None, "kb": None, "gzip_kb": None}
    try:
        with CaptureQueriesContext(connection) as queries:  # warm-up: counts queries and bytes, not timed
            status, body = bench_setup.get(client, path)
        figures.update(status=status, queries=len(queries), kb=len(body) / 1024)
        figures["gzip_kb"] = len(gzip.compress(body)) / 1024
        times = []
        for _ in range(rounds):
            started = time.perf_counter()
            bench_setup.get(client, path)
            times.append((time.perf_counter() - started) * 1000)
        figures["ms"] = statistics.median(times)
    except Exception as error:  # reported per path, and the run exits with 1
        figures["error"] = f"{type(error).__name__}: {error}"[:300]
    return figures


def table_counts():
    from catalog import models as m

    return {
        name: model.objects.count()
        for name, model in (
            ("models", m.FoundationModel),
            ("chips", m.Hardware),
            ("prices", m.PricePoint),
            ("cloud prices", m.CloudPrice),
            ("scores", m.EvaluationScore),
            ("organizations", m.Organization),
            ("sources", m.Source),
        )
    }


def measure_all(client, paths, rounds, label, log):
    started = time.perf_counter()
    results = {}
    for path, _kind, _group in paths:
        results[path] = figures = measure_path(client, path, rounds)
        if figures["error"] or (figures["status"] or 0) >= 500:
            log(f"  {path}: {figures['error'] or figures['status']}")
    log(f"[{label}] measured {len(paths)} paths in {time.perf_counter() - started:.1f} s")
    return results


# ---------------------------------------------------------------------------------------------------------
# Judging and printing.


def misses(path, group, columns, results, first, last):
    """The targets ``path`` misses: [(target, detail)]."""
    a, b = results[first][path], results[last][path]
    found = []
    for label in columns:
        figures = results[label][path]
        if figures["error"] or (figures["status"] or 0) >= 500:
            found.append(("error", f"{label}: {figures['error'] or figures['status']}"))
        elif figures["status"] != 200:
            found.append(("status", f"{label}: HTTP {figures['status']}"))
    if a["ms"] and b["ms"] and b["ms"] > max(TIME_GROWTH_LIMIT * a["ms"], TIME_FLOOR_MS):
        found.append(("time", f"{b['ms'] / a['ms']:.1f}x ({a['ms']:.0f} -> {b['ms']:.0f} ms)"))
    if a["queries"] is not None and b["queries"] is not None and b["queries"] > a["queries"]:
        found.append(("queries", f"{a['queries']} -> {b['queries']}"))
    biggest = max(columns, key=lambda label: results[label][path]["kb"] or 0)
    kb, gzip_kb = results[biggest][path]["kb"] or 0, results[biggest][path]["gzip_kb"] or 0
    if group != "export" and "format=csv" not in path and kb > BODY_LIMIT_KB:
        found.append(("size", f"{kb:.0f} KB at {biggest} ({gzip_kb:.0f} KB gzipped, as GZipMiddleware sends it)"))
    for label in columns[columns.index(last) + 1 :]:  # the --prices column: an absolute target
        ms = results[label][path]["ms"]
        if ms and ms > PRICES_TIME_LIMIT_MS:
            found.append(("prices", f"{ms:.0f} ms at {label}"))
    return found


def ratio(b, a):
    return f"{b / a:.1f}x" if a and b is not None else "-"


def print_table(paths, columns, results, first, last):
    header = ["path"]
    for label in columns:
        header += [f"{label} ms", "q", "KB"]
    header += ["time x", "q x", "misses"]
    lines = []
    for path, _kind, group in paths:
        cells = [path]
        for label in columns:
            f = results[label][path]
            cells += [
                "ERR" if f["ms"] is None else f"{f['ms']:.0f}",
                "-" if f["queries"] is None else str(f["queries"]),
                "-" if f["kb"] is None else f"{f['kb']:.0f}",
            ]
        a, b = results[first][path], results[last][path]
        found = misses(path, group, columns, results, first, last)
        cells += [ratio(b["ms"], a["ms"]), ratio(b["queries"], a["queries"]), ",".join(t for t, _ in found) or "ok"]
        lines.append(cells)
    widths = [max(len(row[i]) for row in [header, *lines]) for i in range(len(header))]
    for row in [header, ["-" * w for w in widths], *lines]:
        cells = zip(row, widths, strict=True)
        print("  ".join(c.ljust(w) if i in (0, len(row) - 1) else c.rjust(w) for i, (c, w) in enumerate(cells)))


def print_summary(paths, columns, results, first, last):
    by_target = {}
    for path, _kind, group in paths:
        for target, detail in misses(path, group, columns, results, first, last):
            by_target.setdefault(target, []).append(f"{path}  {detail}")
    titles = {
        "error": "HTTP 5xx or exception",
        "status": "not HTTP 200 (a 3xx/4xx: check the path's arguments)",
        "time": f"time at {last} > {TIME_GROWTH_LIMIT:g}x time at {first}",
        "queries": f"queries grow ({first} -> {last})",
        "size": f"body > {BODY_LIMIT_KB} KB",
        "prices": f"slower than {PRICES_TIME_LIMIT_MS} ms with the extra prices",
    }
    print("\nSummary of misses:" if by_target else "\nEvery path meets every target.")
    for target, title in titles.items():
        if target in by_target:
            print(f"- {title}: {len(by_target[target])}")
            for line in by_target[target]:
                print(f"    {line}")
    return "error" not in by_target


# ---------------------------------------------------------------------------------------------------------


def run(args):
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from catalog.models import FoundationModel
    from perf.synthetic import Synthesiser, add_benchmark_run

    log = print
    started = time.perf_counter()
    call_command("load_bundled_data", verbosity=0)
    add_benchmark_run()
    log(f"Bundled data loaded in {time.perf_counter() - started:.1f} s ({connection.vendor}, throwaway)")
    bundled_models = FoundationModel.objects.count()
    synthesiser = Synthesiser()
    per_x = 1.0 if args.smoke else UNIT_MODELS / bundled_models  # copies of the bundle per 1x
    paths = discover_paths(pick_rows())
    if args.smoke:
        paths = smoke_selection(paths)
    if args.only:
        paths = [p for p in paths if args.only in p[0]]
    log(f"{len(paths)} paths; {args.rounds} timed rounds each after a warm-up; response cache off")

    client = Client(HTTP_HOST="127.0.0.1")
    results, counts, phases = {}, {}, {}
    columns = [f"{scale:g}x" for scale in args.scales]
    for scale, label in zip(args.scales, columns, strict=True):
        wanted = max(0, round((scale - 1) * per_x))
        phase = time.perf_counter()
        synthesiser.add_copies(wanted - synthesiser.copies)
        bench_setup.refresh_planner_statistics()
        phases[f"synthesise {label}"] = time.perf_counter() - phase
        counts[label] = table_counts()
        seconds = phases[f"synthesise {label}"]
        log(f"[{label}] {synthesiser.copies} copies of the bundle, {seconds:.1f} s: {counts[label]}")
        phase = time.perf_counter()
        results[label] = measure_all(client, paths, args.rounds, label, log)
        phases[f"measure {label}"] = time.perf_counter() - phase
    if args.prices:
        label = f"{columns[-1]}+{args.prices}p"
        phase = time.perf_counter()
        synthesiser.add_prices(args.prices)
        bench_setup.refresh_planner_statistics()
        phases[f"synthesise {label}"] = time.perf_counter() - phase
        counts[label] = table_counts()
        log(f"[{label}] {args.prices} more prices, {phases[f'synthesise {label}']:.1f} s: {counts[label]}")
        phase = time.perf_counter()
        results[label] = measure_all(client, paths, args.rounds, label, log)
        phases[f"measure {label}"] = time.perf_counter() - phase
        columns.append(label)

    first, last = f"{args.scales[0]:g}x", f"{args.scales[-1]:g}x"
    print()
    print_table(paths, columns, results, first, last)
    print("ms: median request time; q: SQL queries per request; KB: body; time x, q x: largest scale over the first")
    healthy = print_summary(paths, columns, results, first, last)
    print("\nPhases: " + ", ".join(f"{name} {seconds:.0f} s" for name, seconds in phases.items()))
    if args.json:
        report = {"scales": columns, "counts": counts, "phases_s": phases, "results": results, "paths": paths}
        Path(args.json).write_text(json.dumps(report, indent=1))
    return healthy


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scales", default="1,10,100", help="catalog sizes in x of the bundle (default 1,10,100)")
    parser.add_argument("--rounds", type=int, default=3, help="timed requests per path and scale (default 3)")
    parser.add_argument("--only", help="measure only the paths containing this")
    parser.add_argument("--prices", type=int, default=0, help="then add this many prices and measure again")
    parser.add_argument("--json", help="write the figures to this file")
    parser.add_argument("--smoke", action="store_true", help="1x and 2x (one copy), one round, a few paths per kind")
    args = parser.parse_args()
    args.scales = [float(scale) for scale in args.scales.split(",")]
    if args.smoke:
        args.scales, args.rounds = [1.0, 2.0], 1
    if args.scales != sorted(args.scales):
        parser.error("--scales must grow: the catalog only gains rows")

    with bench_setup.throwaway_database():
        return 0 if run(args) else 1


if __name__ == "__main__":
    sys.exit(main())
