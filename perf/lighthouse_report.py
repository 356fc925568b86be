"""Lighthouse's four scores and key metrics of the main pages, as a mid-range phone on slow 4G sees the site.

1. Unless --url names a running server: in a scratch folder, a new SQLite database (or, with --database-url
   postgres://HOST/NAME, a throwaway database ``lighthouse_NAME`` beside NAME, created and dropped; NAME itself is
   never touched), then with the production environment (DEBUG off, a fresh secret key, one trusted proxy, the
   response and figure caches as production has them by default, the database cache table): migrate,
   load_bundled_data, and collectstatic into a scratch STATIC_ROOT (a settings module in the scratch folder that
   changes STATIC_ROOT only). Then gunicorn as `make serve` starts it (gunicorn.conf.py, whitenoise serving the
   compressed, content-hashed files) on --port, healthy on /healthz. One difference: plain HTTP is not redirected
   to https, because Lighthouse fetches robots.txt without its extra headers (a redirect there is an error that
   leaves SEO unscored); behind the real TLS proxy no plain request reaches the app anyway.
2. Each page is fetched once first, as Chrome asks for it, so the runs see the answer production serves after
   the first view following a write (the cached one).
3. For each run and page: Lighthouse 12 (--lighthouse; by default the pinned version through npx, with Debian's
   chromium headless) in its default mobile form factor with simulated throttling, the page and what it loads
   requested with the TLS proxy's X-Forwarded-Proto: https. Its JSON report is kept in the log folder (--out).
4. Prints, per page and run, the performance, accessibility, best-practices and SEO scores (0-100), first and
   largest contentful paint, total blocking time, cumulative layout shift, Speed Index and the bytes transferred;
   then the median per page over the runs, with the targets each median misses.

Targets (on the medians): performance >= 90, accessibility 100, best practices 100, SEO >= 95. Exit 0 when met
(or with --no-targets), 1 when not, 2 when the run could not be made.

    .venv/bin/python perf/lighthouse_report.py                     # 5 pages x 3 runs: about 5 minutes on 2 cores
    .venv/bin/python perf/lighthouse_report.py --runs 1 --pages /compare/ /ko/
    DJANGO_SECURE_SSL_REDIRECT=false make serve &   # then, against it:
    .venv/bin/python perf/lighthouse_report.py --url http://127.0.0.1:8000 --no-targets
"""

import argparse
import json
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit

# The load-test helpers: the production environment, gunicorn started as `make serve` starts it.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "loadtest"))

from common import (
    BIN,
    HTTPS_PROXY_HEADERS,
    ROOT,
    Failed,
    drop_database,
    port_is_free,
    postgres_ready,
    production_env,
    recreate_database,
    run_script,
    run_step,
)
from run_load import start_server

LIGHTHOUSE_VERSION = "12.8.2"  # the newest 12.x on npm when this was written
LIGHTHOUSE = f"npx --yes lighthouse@{LIGHTHOUSE_VERSION}"
CHROMIUM = "/usr/bin/chromium"  # Debian's; CHROME_PATH in the environment wins
PAGES = ["/", "/charts/prices/", "/charts/vendors/", "/compare/", "/ko/"]
CATEGORIES = {"performance": "perf", "accessibility": "a11y", "best-practices": "bp", "seo": "seo"}
TARGETS = {"performance": 90, "accessibility": 100, "best-practices": 100, "seo": 95}  # at least, 0-100
# Audit id: (column, divisor of its numericValue, decimals). Times in seconds as Lighthouse shows them, TBT in ms.
METRICS = {
    "first-contentful-paint": ("FCP s", 1000, 1),
    "largest-contentful-paint": ("LCP s", 1000, 1),
    "total-blocking-time": ("TBT ms", 1, 0),
    "cumulative-layout-shift": ("CLS", 1, 3),
    "speed-index": ("SI s", 1000, 1),
    "total-byte-weight": ("KiB", 1024, 0),
}
# What Chromium 156 sends with a navigation: the response cache keys answers by Accept, so the warm-up asks alike
# (another version may ask otherwise; then only each page's first run is uncached, which the median of 3 skips).
CHROME_ACCEPT = (
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/jxl,image/avif,image/webp,image/apng,*/*;q=0.8,"
    "application/signed-exchange;v=b3;q=0.7"
)
PAGE_WIDTH = 20


# ---------------------------------------------------------------------------------------------------------
# The server: production settings on a scratch database, static files collected into a scratch folder.


def scratch_settings(folder):
    """A settings module that is the project's with STATIC_ROOT in ``folder``; returns the environment naming it."""
    (folder / "lighthouse_settings.py").write_text(
        f"from landscape.settings import *  # noqa: F403\n\nSTATIC_ROOT = {str(folder / 'static')!r}\n"
    )
    path = os.pathsep.join(filter(None, [str(folder), os.environ.get("PYTHONPATH")]))
    return {"DJANGO_SETTINGS_MODULE": "lighthouse_settings", "PYTHONPATH": path}


def throwaway_postgres(database_url):
    """(server URL, throwaway database name) beside the URL's database, which is never written to."""
    parts = urlsplit(database_url)
    if parts.scheme not in {"postgres", "postgresql"} or not parts.path.strip("/"):
        raise Failed(f"--database-url {database_url!r}: give postgres://USER@HOST:PORT/NAME")
    server = f"{parts.scheme}://{parts.netloc}"
    if not postgres_ready(server):
        raise Failed(f"PostgreSQL does not accept connections at {server}")
    return server, f"lighthouse_{parts.path.strip('/')}"


def serve(args, folder, out):
    """Set up the scratch database and static files, start gunicorn; returns (server, database to drop or None)."""
    if not port_is_free(args.port):
        raise Failed(f"port {args.port} is in use; choose another with --port")
    postgres = throwaway_postgres(args.database_url) if args.database_url else None
    if postgres:
        recreate_database(*postgres)
        database_url = f"{postgres[0]}/{postgres[1]}"
    else:
        database_url = f"sqlite:///{folder / 'db.sqlite3'}"
    # Lighthouse fetches robots.txt without its extra headers, so plain HTTP is not redirected here; behind the real
    # proxy no plain request reaches the app. Pages still come "over HTTPS" (X-Forwarded-Proto), HSTS and all.
    env = production_env(database_url, DJANGO_SECURE_SSL_REDIRECT="false", **scratch_settings(folder))
    for setting in ("RESPONSE_CACHE_ENABLED", "FIGURE_CACHE_ENABLED"):  # production's defaults, whatever the shell
        env.pop(setting, None)
    print(f"database {database_url}, static files in {folder / 'static'}; logs and reports in {out}")
    steps = [["migrate", "--no-input"], ["load_bundled_data"], ["collectstatic", "--no-input"]]
    try:
        for step in steps if args.bundle else [steps[0], steps[2]]:
            run_step([str(BIN / "python"), "manage.py", *step], out / "setup.log", env)
        server = SimpleNamespace(port=args.port, workers=args.workers, via_make=False, pin=False)
        return start_server(server, env, out / "gunicorn.log"), postgres
    except BaseException:
        if postgres:
            drop_database(*postgres)
        raise


def warm(url):
    """GET the page as Chrome would, through the proxy; anything but a 200 stops the run."""
    request = urllib.request.Request(url, headers={**HTTPS_PROXY_HEADERS, "Accept": CHROME_ACCEPT})
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    except OSError as error:
        raise Failed(f"{url} does not answer: {error}") from None
    if status != 200:
        raise Failed(f"{url} answered {status}")


# ---------------------------------------------------------------------------------------------------------
# Lighthouse and its report.


# Lighthouse's own flakes: it lost the trace of a load that went fine (NO_NAVSTART, NO_FCP and the like).
# Such a run is made again, at most this many times, and says so; a page that fails to load is not retried.
TRACE_RETRIES = 2
TRACE_FLAKES = ("NO_NAVSTART", "NO_FCP", "NO_TRACING_STARTED", "PROTOCOL_TIMEOUT")


def lighthouse(command, url, report_path, retries=TRACE_RETRIES):
    """Run Lighthouse on one URL, writing its JSON report to ``report_path``; returns the parsed report."""
    try:
        return lighthouse_once(command, url, report_path)
    except Failed as error:
        if retries <= 0 or not any(flake in str(error) for flake in TRACE_FLAKES):
            raise
        print(f"  (Lighthouse lost the trace of {url}; running it again)", file=sys.stderr)
        return lighthouse(command, url, report_path, retries - 1)


def lighthouse_once(command, url, report_path):
    argv = [
        *shlex.split(command),
        url,
        "--output=json",
        f"--output-path={report_path}",
        f"--only-categories={','.join(CATEGORIES)}",
        "--chrome-flags=--headless=new --no-sandbox",
        f"--extra-headers={json.dumps(HTTPS_PROXY_HEADERS)}",
        "--quiet",
    ]
    env = dict(os.environ)
    if Path(CHROMIUM).exists():
        env.setdefault("CHROME_PATH", CHROMIUM)
    try:
        finished = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise Failed(f"{shlex.join(argv[:3])} ...: {error}") from None
    if finished.returncode != 0 or not report_path.exists():
        output = (finished.stdout + finished.stderr).strip()[-2000:]
        raise Failed(f"Lighthouse exited {finished.returncode} on {url}:\n{output}")
    report = json.loads(report_path.read_text())
    if report.get("runtimeError"):
        raise Failed(f"Lighthouse could not load {url}: {report['runtimeError'].get('message')}")
    return report


def figures(report):
    """{category: score 0-100 or None, audit id: numericValue or None} of one report."""
    scores = {}
    for category in CATEGORIES:
        score = report.get("categories", {}).get(category, {}).get("score")
        scores[category] = None if score is None else round(score * 100)
    metrics = {audit: report.get("audits", {}).get(audit, {}).get("numericValue") for audit in METRICS}
    return {**scores, **metrics}


def header(first):
    names = [f"{name:>5}" for name in CATEGORIES.values()] + [f"{column:>7}" for column, _, _ in METRICS.values()]
    return f"{first:<{PAGE_WIDTH}} {'run':>3} {' '.join(names)}"


def row(page, run, values):
    def shown(key, width, divisor=1, decimals=0):
        value = values[key]
        return f"{'-':>{width}}" if value is None else f"{value / divisor:>{width}.{decimals}f}"

    cells = [shown(category, 5) for category in CATEGORIES]
    cells += [shown(audit, 7, divisor, decimals) for audit, (_, divisor, decimals) in METRICS.items()]
    return f"{page:<{PAGE_WIDTH}} {run:>3} {' '.join(cells)}"


def medians(runs):
    """Per figure, the median over the runs that have it (of an even count, the lower middle: a value measured)."""
    summary = {}
    for key in runs[0]:
        known = [values[key] for values in runs if values[key] is not None]
        summary[key] = statistics.median_low(known) if known else None
    return summary


def misses(values):
    return [
        f"{category} {'-' if values[category] is None else f'{values[category]:g}'} < {target}"
        for category, target in TARGETS.items()
        if values[category] is None or values[category] < target
    ]


def report_name(page, run):
    return f"{page.strip('/').replace('/', '_') or 'home'}-{run}.json"


# ---------------------------------------------------------------------------------------------------------


def run(args, out):
    server, postgres = None, None
    with tempfile.TemporaryDirectory(prefix="landscape-lighthouse-") as scratch:
        try:
            if args.url:
                base = args.url.rstrip("/")
            else:
                server, postgres = serve(args, Path(scratch), out)
                base = f"http://127.0.0.1:{args.port}"
            for page in args.pages:
                warm(base + page)
            print(f"\nLighthouse ({args.lighthouse}), mobile with simulated throttling, {args.runs} run(s) of {base}\n")
            print(header("page"))
            results = {page: [] for page in args.pages}
            for number in range(1, args.runs + 1):  # runs interleaved, so drift hits every page alike
                for page in args.pages:
                    values = figures(lighthouse(args.lighthouse, base + page, out / report_name(page, number)))
                    results[page].append(values)
                    print(row(page, number, values))
        finally:
            if server:
                server.stop()
            if postgres:
                drop_database(*postgres)

    print(f"\nMedian of {args.runs} run(s)\n{header('page')}   misses")
    missed = {}
    for page, runs in results.items():
        summary = medians(runs)
        missed[page] = misses(summary)
        print(f"{row(page, 'med', summary)}   {', '.join(missed[page]) or '-'}")
    wanted = ", ".join(f"{category} >= {target}" for category, target in TARGETS.items())
    print(f"\nTargets on the medians: {wanted}{' (not checked: --no-targets)' if args.no_targets else ''}.")
    return 0 if args.no_targets else int(any(missed.values()))


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="Lighthouse runs per page (default 3)")
    parser.add_argument("--pages", nargs="+", default=PAGES, help=f"paths to measure (default: {' '.join(PAGES)})")
    parser.add_argument("--url", help="measure this running server (e.g. http://127.0.0.1:8000), start none")
    parser.add_argument("--lighthouse", default=LIGHTHOUSE, help=f"the Lighthouse command (default: {LIGHTHOUSE})")
    parser.add_argument("--no-targets", action="store_true", help="only report: exit 0 whatever the scores")
    parser.add_argument(
        "--database-url", help="postgres://USER@HOST:PORT/NAME: serve a throwaway lighthouse_NAME beside it, not SQLite"
    )
    parser.add_argument("--port", type=int, default=8780, help="of the server it starts (default 8780)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (WEB_CONCURRENCY, default 2)")
    parser.add_argument(
        "--bundle", action=argparse.BooleanOptionalAction, default=True, help="load the bundled data (default yes)"
    )
    parser.add_argument("--out", default="/tmp/landscape-lighthouse", help="folder for logs and Lighthouse's reports")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    if not all(page.startswith("/") for page in args.pages):
        parser.error("--pages: paths, each starting with /")
    return args


def main(argv=None):
    args = parse_args(argv)
    checked = "" if args.no_targets else " (every target met)"
    return run_script(run, args, lambda code, out: f"{checked if code == 0 else ': a target missed'}; reports in {out}")


if __name__ == "__main__":
    sys.exit(main())
