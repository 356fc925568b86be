"""Smoke tests of perf/lighthouse_report.py, so it cannot rot between the runs that use it.

Real Lighthouse (Node, Chrome, minutes per page) is not needed: a stand-in command, written here, is given the
same arguments, fetches the page it is pointed at (and the stylesheet it links, gzipped) and writes a Lighthouse
12 report with the scores this test chooses to the --output-path it is given.
"""

import http.server
import json
import os
import shlex
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "perf" / "lighthouse_report.py"

STAND_IN = r"""
import json, re, sys, urllib.request
from pathlib import Path
from urllib.parse import urlsplit

here = Path(__file__).parent
url, options = sys.argv[1], dict(arg[2:].split("=", 1) for arg in sys.argv[2:] if "=" in arg)
assert options["output"] == "json" and "--quiet" in sys.argv, sys.argv
assert options["only-categories"] == "performance,accessibility,best-practices,seo", sys.argv
assert "--headless=new" in options["chrome-flags"], sys.argv
headers = json.loads(options["extra-headers"])


def get(address, **more):
    request = urllib.request.Request(address, headers={**headers, **more})
    with urllib.request.urlopen(request, timeout=30) as response:  # a redirect to https would fail here
        return response.status, response.headers, response.read()


status, _, body = get(url)
page = urlsplit(url).path
stylesheet = re.search(rb'href="(/static/[^"]+\.[0-9a-f]{12}\.css)"', body)
encoding = "-"
if stylesheet:  # whitenoise serves the hashed, compressed copy collectstatic made
    origin = "/".join(url.split("/")[:3])
    _, style_headers, _ = get(origin + stylesheet.group(1).decode(), **{"Accept-Encoding": "gzip"})
    encoding = style_headers.get("Content-Encoding", "none")
with open(here / "visits.log", "a") as log:
    log.write(f"{page} {status} {encoding}\n")

low = json.loads((here / "low.json").read_text()).get(page, {})
scores = {category: low.get(category, 1) for category in options["only-categories"].split(",")}
audits = {"first-contentful-paint": 1234.5, "largest-contentful-paint": 2345.6, "total-blocking-time": 42.0,
          "cumulative-layout-shift": 0.0123, "speed-index": 1500.0, "total-byte-weight": 102400 + len(body)}
report = {
    "lighthouseVersion": "12.8.2", "requestedUrl": url, "finalDisplayedUrl": url,
    "configSettings": {"formFactor": "mobile", "throttlingMethod": "simulate"},
    "categories": {category: {"id": category, "score": score} for category, score in scores.items()},
    "audits": {audit: {"id": audit, "numericValue": value} for audit, value in audits.items()},
}
Path(options["output-path"]).write_text(json.dumps(report))
"""


def stand_in(folder, low):
    """The stand-in command; ``low`` maps a page to the scores (0-1) it gets instead of 1."""
    (folder / "stand_in.py").write_text(STAND_IN)
    (folder / "low.json").write_text(json.dumps(low))
    return shlex.join([sys.executable, str(folder / "stand_in.py")])


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def lighthouse_report(*args):
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    command = [sys.executable, str(SCRIPT), *args]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def rows(stdout):
    return [line.split() for line in stdout.splitlines() if line.startswith("/")]


def test_lighthouse_report_serves_production_and_fails_a_missed_target(tmp_path):
    """Its own server: scratch SQLite, collectstatic into a scratch STATIC_ROOT, gunicorn with DEBUG off behind the
    proxy header; every page answered 200 with its hashed stylesheet gzipped; a table per run, the medians, and
    exit 1 for the one page whose performance is below 90."""
    command = stand_in(tmp_path, {"/compare/": {"performance": 0.72}, "/ko/": {"seo": 0.96}})
    finished = lighthouse_report(
        *("--runs", "2", "--no-bundle", "--port", str(free_port()), "--out", str(tmp_path / "out")),
        *("--lighthouse", command),
    )
    output = finished.stdout + finished.stderr
    assert finished.returncode == 1, output

    pages = ["/", "/charts/prices/", "/charts/vendors/", "/compare/", "/ko/"]
    visits = (tmp_path / "visits.log").read_text().splitlines()
    assert visits == [f"{page} 200 gzip" for page in pages] * 2, output

    header = ["page", "run", "perf", "a11y", "bp", "seo", "FCP", "s", "LCP", "s", "TBT", "ms", "CLS", "SI", "s", "KiB"]
    headers = [line.split() for line in finished.stdout.splitlines() if line.startswith("page ")]
    assert headers == [header, [*header, "misses"]], output
    per_run, summary = rows(finished.stdout)[:10], rows(finished.stdout)[10:]
    assert [(row[0], row[1]) for row in per_run] == [(page, run) for run in "12" for page in pages]
    assert per_run[0][2:11] == ["100", "100", "100", "100", "1.2", "2.3", "42", "0.012", "1.5"]
    assert int(per_run[0][11]) > 100  # KiB: the stand-in's 100 KiB and the page it fetched
    assert [(row[0], row[1]) for row in summary] == [(page, "med") for page in pages]
    misses = {row[0]: " ".join(row[12:]) for row in summary}
    assert misses == {
        "/": "-",
        "/charts/prices/": "-",
        "/charts/vendors/": "-",
        "/compare/": "performance 72 < 90",
        "/ko/": "-",  # SEO 96 meets its 95
    }
    assert summary[3][2:6] == ["72", "100", "100", "100"] and summary[4][2:6] == ["100", "100", "100", "96"]
    reports = {path.name for path in (tmp_path / "out").glob("*/*.json")}  # Lighthouse's reports, kept
    assert reports == {
        f"{name}-{run}.json" for name in ("home", "charts_prices", "charts_vendors", "compare", "ko") for run in "12"
    }
    assert "\nFAIL: a target missed" in finished.stdout


class Page(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        answer = b"<!doctype html><html lang=en><title>t</title></html>"
        https = self.headers.get("X-Forwarded-Proto") == "https"
        self.send_response(200 if https else 301)
        self.send_header("Content-Length", str(len(answer) if https else 0))
        self.end_headers()
        if https:
            self.wfile.write(answer)

    def log_message(self, *args):
        pass


def test_lighthouse_report_measures_a_running_server_and_passes_or_only_reports(tmp_path):
    """--url: no server of its own; exit 0 when every median meets its target, and with --no-targets even when one
    does not."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Page)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        options = ("--url", base, "--runs", "1", "--pages", "/", "/models/", "--out", str(tmp_path / "out"))
        good = lighthouse_report(*options, "--lighthouse", stand_in(tmp_path, {}))
        assert good.returncode == 0, good.stdout + good.stderr
        assert [row[0] for row in rows(good.stdout)] == ["/", "/models/"] * 2
        assert "\nPASS (every target met)" in good.stdout

        low = stand_in(tmp_path, {"/models/": {"accessibility": 0.98, "best-practices": None}})
        reported = lighthouse_report(*options, "--no-targets", "--lighthouse", low)
        assert reported.returncode == 0, reported.stdout + reported.stderr
        summary = rows(reported.stdout)[-1]
        assert summary[:6] == ["/models/", "med", "100", "98", "-", "100"]
        assert " ".join(summary[12:]) == "accessibility 98 < 100, best-practices - < 100"
        assert "(not checked: --no-targets)" in reported.stdout

        checked = lighthouse_report(*options, "--lighthouse", low)
        assert checked.returncode == 1, checked.stdout + checked.stderr
    finally:
        server.shutdown()
        server.server_close()


def test_a_lost_trace_is_run_again_and_a_page_that_fails_is_not(monkeypatch, tmp_path):
    from perf import lighthouse_report

    calls = []

    def flaky(command, url, report_path):
        calls.append(url)
        if len(calls) == 1:
            raise lighthouse_report.Failed(f"Lighthouse exited 1 on {url}: ... (NO_NAVSTART)")
        return {"categories": {}}

    monkeypatch.setattr(lighthouse_report, "lighthouse_once", flaky)
    assert lighthouse_report.lighthouse("lh", "http://x/", tmp_path / "r.json") == {"categories": {}}
    assert calls == ["http://x/", "http://x/"]

    def broken(command, url, report_path):
        calls.append(url)
        raise lighthouse_report.Failed(f"Lighthouse could not load {url}: ERRORED_DOCUMENT_REQUEST")

    calls.clear()
    monkeypatch.setattr(lighthouse_report, "lighthouse_once", broken)
    with pytest.raises(lighthouse_report.Failed, match="ERRORED_DOCUMENT_REQUEST"):
        lighthouse_report.lighthouse("lh", "http://x/", tmp_path / "r.json")
    assert calls == ["http://x/"]
