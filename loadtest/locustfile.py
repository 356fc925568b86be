"""Anonymous readers of Landscape, as they arrive through one TLS-terminating proxy.

Every simulated user sends ``X-Forwarded-Proto: https`` and its own stable ``X-Forwarded-For`` address
(10.x.y.z from a user counter), so the app's per-client API throttle sees one client per user. Requests are
named by route (``/models/[slug]/``), so locust's statistics are per route.

Outcomes: 2xx is a success; 429 is intended (the throttle working) and counted as a success, but also
counted on its own; anything else is a failure: 5xx are server errors, status 0 is a refused or broken
connection, and 3xx or 4xx are unexpected (redirects are not followed: a 301 means the proxy headers were
not trusted). The body of every failure is checked for a Python traceback.

Environment:
  LOADTEST_REPORT  JSON file written at exit: locust's final statistics per route, status counts and 429s per
                   route, every failure with its time and the responses per second (for the outage drill).
  LOADTEST_WAIT    seconds between a user's requests, "min,max" (default "0.5,2").

Run: .venv/bin/locust -f loadtest/locustfile.py --host http://127.0.0.1:8000 (or through run_load.py).
"""

import itertools
import json
import logging
import os
import random
import time
from collections import Counter, defaultdict

import gevent
import requests
from locust import HttpUser, between, events, task

WAIT = tuple(float(part) for part in os.environ.get("LOADTEST_WAIT", "0.5,2").split(","))
PROXY_HEADERS = {"X-Forwarded-Proto": "https"}
SLUG_PAGES = {"models": "/api/v1/models/?page_size=200", "hardware": "/api/v1/hardware/?page_size=200"}
TRACEBACK_MARKERS = ("Traceback (most recent call last)", 'File "/')

MODEL_LISTS = ["/models/", "/models/?country=KR", "/models/?ordering=-parameters", "/models/?search=gpt"]
HARDWARE_LISTS = [
    "/hardware/",
    "/hardware/?vendor=nvidia&ordering=-bf16_flops",
    "/hardware/?kind=npu",
    "/hardware/?ordering=-memory_bandwidth",
]
SEARCHES = ["hbm", "furiosa", "gpt", "tpu", "naver"]

# Filled once at test start from the API (see load_slugs).
SLUGS: dict[str, list[str]] = {"models": [], "hardware": []}
# What the server answered, per route; written to LOADTEST_REPORT at the end.
STATUSES: dict[str, Counter] = defaultdict(Counter)
THROTTLED: Counter = Counter()
FAILURES: list[dict] = []  # {"t": unix time, "name": route, "status": code, "traceback": bool}
ANSWERED: Counter = Counter()  # responses (of any status) per second of Unix time
USER_NUMBERS = itertools.count(1)
ENVIRONMENT = {}  # the runner, for the report at exit


@events.init.add_listener
def remember_runner(environment, **kwargs):
    ENVIRONMENT["runner"] = environment.runner


def client_address(number):
    """A stable private address per simulated user: 10.0.0.1, 10.0.0.2, ... 10.0.1.0, ..."""
    return f"10.{(number >> 16) & 255}.{(number >> 8) & 255}.{number & 255}"


@events.test_start.add_listener
def load_slugs(environment, **kwargs):
    """Detail pages need real slugs: read them once from the API, as a client of its own. Without them, stop."""
    headers = {**PROXY_HEADERS, "X-Forwarded-For": "10.255.255.254"}
    try:
        for kind, path in SLUG_PAGES.items():
            response = requests.get(environment.host.rstrip("/") + path, headers=headers, timeout=30)
            if response.status_code != 200:
                raise RuntimeError(f"GET {path} answered {response.status_code}")
            SLUGS[kind] = [row["slug"] for row in response.json()["results"]]
            if not SLUGS[kind]:
                raise RuntimeError(f"GET {path} listed no {kind}: load the bundled data first")
    except (requests.RequestException, ValueError, KeyError, RuntimeError) as error:
        logging.error("Cannot pick slugs for the detail pages, stopping: %s", error)
        environment.process_exit_code = 2
        gevent.spawn_later(0.1, environment.runner.quit)


def route_stats(entry):
    percentile = entry.get_response_time_percentile if entry.num_requests else lambda _: None
    return {
        "requests": entry.num_requests,
        "failures": entry.num_failures,
        "median": percentile(0.5),
        "p95": percentile(0.95),
        "p99": percentile(0.99),
        "rps": entry.total_rps,
    }


@events.quit.add_listener
def write_report(exit_code, **kwargs):
    """At exit, once every request has ended (locust's CSV files are rewritten only every second)."""
    path = os.environ.get("LOADTEST_REPORT")
    if not path or ENVIRONMENT.get("runner") is None:
        return
    stats = ENVIRONMENT["runner"].stats
    report = {
        "exit_code": exit_code,
        "routes": {name: route_stats(entry) for (name, _method), entry in stats.entries.items()},
        "total": route_stats(stats.total),
        "statuses": {name: {str(code): count for code, count in codes.items()} for name, codes in STATUSES.items()},
        "throttled": dict(THROTTLED),
        "failures": FAILURES,
        "answered": {str(second): count for second, count in sorted(ANSWERED.items())},
    }
    with open(path, "w") as file:
        json.dump(report, file)


class Reader(HttpUser):
    wait_time = between(*WAIT)

    def on_start(self):
        self.client.headers.update({**PROXY_HEADERS, "X-Forwarded-For": client_address(next(USER_NUMBERS))})

    def get(self, path, name):
        with self.client.get(path, name=name, allow_redirects=False, catch_response=True) as response:
            status = response.status_code or 0
            STATUSES[name][status] += 1
            ANSWERED[int(time.time())] += 1
            if 200 <= status < 300:
                return
            if status == 429:
                THROTTLED[name] += 1
                response.success()
                return
            body = response.text if response.content else ""
            traceback = any(marker in body for marker in TRACEBACK_MARKERS)
            FAILURES.append({"t": time.time(), "name": name, "status": status, "traceback": traceback})
            kind = "server error" if status >= 500 else "no response" if status == 0 else "unexpected"
            response.failure(f"{kind} {status}" + (" with a traceback in the body" if traceback else ""))

    def detail(self, kind, prefix):
        if SLUGS[kind]:  # empty only when load_slugs failed and the run is stopping
            self.get(f"{prefix}{random.choice(SLUGS[kind])}/", f"{prefix}[slug]/")

    @task(10)
    def home(self):
        self.get("/", "/")

    @task(5)
    def model_list(self):
        self.get(random.choice(MODEL_LISTS), "/models/?filters")

    @task(5)
    def hardware_list(self):
        self.get(random.choice(HARDWARE_LISTS), "/hardware/?filters")

    @task(8)
    def model_detail(self):
        self.detail("models", "/models/")

    @task(8)
    def hardware_detail(self):
        self.detail("hardware", "/hardware/")

    @task(3)
    def chart(self):
        name = random.choice(["/charts/moores-law/", "/charts/roofline/", "/charts/prices/", "/charts/vendors/"])
        self.get(name, name)

    @task(2)
    def benchmarks(self):
        self.get("/benchmarks/", "/benchmarks/")

    @task(3)
    def search(self):
        self.get(f"/search/?q={random.choice(SEARCHES)}", "/search/?q=")

    @task(5)
    def api_models(self):
        self.get("/api/v1/models/", "/api/v1/models/")

    @task(3)
    def api_hardware(self):
        self.get("/api/v1/hardware/?ordering=-memory_bandwidth", "/api/v1/hardware/?ordering=")

    @task(3)
    def api_prices(self):
        self.get("/api/v1/prices/?current=true", "/api/v1/prices/?current=true")

    @task(3)
    def api_model_detail(self):
        self.detail("models", "/api/v1/models/")

    @task(3)
    def api_hardware_detail(self):
        self.detail("hardware", "/api/v1/hardware/")

    @task(1)
    def csv_export(self):
        self.get("/api/v1/hardware/?format=csv", "/api/v1/hardware/?format=csv")
