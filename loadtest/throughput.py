"""Requests per second of cached pages and API endpoints beside /healthz's, and writes seen by every server.

1. Drops and creates a throwaway PostgreSQL database (--database); migrate, collectstatic, load_bundled_data
   with the production environment (DEBUG off, Redis, one trusted proxy).
2. Starts two app servers, each gunicorn as `make serve` starts it (gunicorn.conf.py), on two ports,
   sharing the database and Redis, pinned to CPU 0.
3. For each path: one request to warm the cache, then wrk (pinned to CPU 1) for --duration seconds with
   --connections keep-alive connections sending Accept-Encoding: gzip as browsers do, --rounds times;
   prints the median requests/s and the ratio to /healthz measured in the same rounds. Falls back to a small
   threaded Python client where wrk is not installed (apt-get install wrk): its figures are lower and only
   good for the smoke run.
4. Revalidation: each path's ETag sent back in If-None-Match must be answered 304.
5. Writes seen everywhere: an organization's page and API answer are read (and cached) on both servers, its
   name is changed through the API on the first, and the next read on the second must show the new name.

Targets: every path >= 0.5x /healthz's requests/s; every 304; the write seen. Exit 0 when met, 1 when not,
2 when the run could not be made.

    .venv/bin/python loadtest/throughput.py                        # 30 s x 3 rounds per path
    .venv/bin/python loadtest/throughput.py --duration 5 --rounds 1
    GUNICORN_WORKER_CLASS=sync .venv/bin/python loadtest/throughput.py   # compare gunicorn settings
    .venv/bin/python loadtest/throughput.py --smoke                 # seconds; the test suite runs it
"""

import argparse
import http.client
import json
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time

from common import (
    BIN,
    HTTPS_PROXY_HEADERS,
    PG_SERVER,
    Failed,
    Process,
    drop_database,
    fetch,
    flush_redis,
    pinned,
    port_is_free,
    postgres_ready,
    production_env,
    recreate_database,
    run_script,
    run_step,
    wait_until,
)

TARGET_RATIO = 0.5
PATHS = [
    "/",
    "/ko/",
    "/models/",
    "/hardware/",
    "/charts/prices/",
    "/charts/vendors/",
    "/charts/capability-prices/",
    "/api/v1/models/",
    "/api/v1/hardware/",
    "/api/v1/prices/?as_of=2025-01-01",
    "/api/schema/",
]
SMOKE_PATHS = ["/", "/api/v1/models/"]
WRITE_TARGET = "openai"  # an organization in the bundle
TOKEN_SCRIPT = """
from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token
from catalog.models import Organization
# The smoke run has no bundle: the organization the write check renames, valid as the API will check it.
Organization.objects.get_or_create(slug="openai", defaults={"name": "OpenAI", "country": "US"})
user, _ = get_user_model().objects.get_or_create(username="throughput-editor", defaults={"is_staff": True})
user.is_superuser = True
user.save()
print("TOKEN", Token.objects.get_or_create(user=user)[0].key)
"""


# What the load sends besides the proxy's header: browsers and CDNs all accept gzip.
LOAD_HEADERS = {**HTTPS_PROXY_HEADERS, "Accept-Encoding": "gzip"}


def wrk_rate(port, path, args):
    headers = [item for name, value in LOAD_HEADERS.items() for item in ("-H", f"{name}: {value}")]
    command = ["wrk", "-t1", f"-c{args.connections}", f"-d{args.duration}s", *headers]
    result = subprocess.run(
        pinned([*command, f"http://127.0.0.1:{port}{path}"], 1, args.pin),
        capture_output=True,
        text=True,
        timeout=args.duration + 60,
    )
    rate = re.search(r"Requests/sec:\s+([\d.]+)", result.stdout)
    if result.returncode != 0 or not rate:
        raise Failed(f"wrk failed on {path}: {result.stdout[-500:]}{result.stderr[-500:]}")
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", result.stdout)
    return float(rate.group(1)), int(bad.group(1)) if bad else 0


def python_rate(port, path, args):
    """A few threads with keep-alive connections: the stand-in where wrk is not installed."""
    deadline, counts, bad = time.monotonic() + args.duration, [], []

    def client():
        connection, done, failed = http.client.HTTPConnection("127.0.0.1", port, timeout=10), 0, 0
        while time.monotonic() < deadline:
            connection.request("GET", path, headers=LOAD_HEADERS)
            response = connection.getresponse()
            response.read()
            done, failed = done + 1, failed + (response.status >= 400)
        connection.close()
        counts.append(done)
        bad.append(failed)

    threads = [threading.Thread(target=client) for _ in range(min(args.connections, 4))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(counts) / args.duration, sum(bad)


def measure(port, paths, args):
    """{path: [requests/s per round]}, /healthz included, rounds interleaved so drift hits every path alike."""
    rate = wrk_rate if shutil.which("wrk") else python_rate
    rates = {path: [] for path in ["/healthz", *paths]}
    for round_number in range(args.rounds):
        for path in rates:
            per_second, bad = rate(port, path, args)
            if bad:
                raise Failed(f"{path}: {bad} responses were errors during round {round_number + 1}")
            rates[path].append(per_second)
    return rates


def revalidates(port, path):
    status, headers, _ = fetch(port, path, HTTPS_PROXY_HEADERS)
    etag = headers.get("ETag")
    if status != 200 or not etag:
        return False
    again, _, body = fetch(port, path, {**HTTPS_PROXY_HEADERS, "If-None-Match": etag})
    return again == 304 and body == b""


def name_seen(port, path, name):
    status, _, body = fetch(port, path, HTTPS_PROXY_HEADERS)
    return status == 200 and name.encode() in body


def write_is_seen_everywhere(ports, token):
    """Change an organization's name through one server; the very next read on the other must show it."""
    api, page = f"/api/v1/organizations/{WRITE_TARGET}/", f"/organizations/{WRITE_TARGET}/"
    for port in ports:  # cache both answers on both servers first
        fetch(port, api, HTTPS_PROXY_HEADERS)
        fetch(port, page, HTTPS_PROXY_HEADERS)
    name = f"OpenAI renamed {int(time.time())}"
    connection = http.client.HTTPConnection("127.0.0.1", ports[0], timeout=15)
    headers = {**HTTPS_PROXY_HEADERS, "Authorization": f"Token {token}", "Content-Type": "application/json"}
    connection.request("PATCH", api, body=json.dumps({"name": name}), headers=headers)
    response = connection.getresponse()
    response.read()
    connection.close()
    if response.status != 200:
        raise Failed(f"PATCH {api} answered {response.status}")
    return {f"{path} on :{port}": name_seen(port, path, name) for port in ports for path in (api, page)}


def start_servers(args, env, out):
    servers = []
    for index, port in enumerate((args.port, args.port + 1)):
        if not port_is_free(port):
            raise Failed(f"port {port} is in use; choose another with --port")
        server_env = {**env, "HOST": "127.0.0.1", "PORT": str(port), "WEB_CONCURRENCY": str(args.workers)}
        command = [str(BIN / "gunicorn"), "landscape.wsgi", "--config", "gunicorn.conf.py"]
        servers.append(Process(pinned(command, 0, args.pin), out / f"gunicorn-{index + 1}.log", server_env))
    for server, port in zip(servers, (args.port, args.port + 1), strict=True):
        up = wait_until(lambda s=server, p=port: not s.running() or fetch(p, "/healthz", timeout=2)[0] == 200, 90)
        if not server.running() or not up:
            raise Failed(f"the server on port {port} did not become healthy; its log ends:\n{server.tail()}")
    return servers


def report(rates, revalidated):
    healthz = statistics.median(rates["/healthz"])
    print(f"\n{'path':<40} {'req/s':>9} {'x healthz':>10}  304   rounds")
    missed = []
    for path, values in rates.items():
        median = statistics.median(values)
        ratio = median / healthz if healthz else 0.0
        ok = path == "/healthz" or (ratio >= TARGET_RATIO and revalidated.get(path))
        if not ok:
            missed.append(path)
        shown = "-" if path == "/healthz" else ("yes" if revalidated.get(path) else "NO")
        rounds = " ".join(f"{value:.0f}" for value in values)
        print(f"{path:<40} {median:>9.0f} {ratio:>9.2f}x  {shown:<4}  {rounds}{'' if ok else '   MISSED'}")
    print(f"\nTarget: every path >= {TARGET_RATIO}x /healthz's requests/s when cached, and 304 on revalidation.")
    return missed


def run(args, out):
    if not postgres_ready(args.pg):
        raise Failed(f"PostgreSQL does not accept connections at {args.pg}")
    flush_redis(args.redis_url)
    env = production_env(
        f"{args.pg.rstrip('/')}/{args.database}", redis_url=args.redis_url, API_ANON_THROTTLE_RATE="100000000/minute"
    )
    paths = SMOKE_PATHS if args.smoke else args.paths or PATHS
    tool = "wrk" if shutil.which("wrk") else "a Python client (wrk is not installed)"
    print(f"database {args.database}, Redis {args.redis_url}, 2 servers x {args.workers} workers, load from {tool}")
    print(f"{args.connections} connections, {args.duration} s per path, {args.rounds} rounds; logs in {out}")
    recreate_database(args.pg, args.database)
    servers = []
    try:
        log = out / "setup.log"
        steps = [["migrate", "--no-input"], ["collectstatic", "--no-input"]]
        for step in steps if args.smoke else [*steps, ["load_bundled_data"]]:
            run_step([str(BIN / "python"), "manage.py", *step], log, env)
        shell = subprocess.run(
            [str(BIN / "python"), "manage.py", "shell", "-c", TOKEN_SCRIPT], env=env, capture_output=True, text=True
        )
        token = re.search(r"TOKEN (\w+)", shell.stdout)
        if not token:
            raise Failed(f"could not make an API token: {shell.stderr[-500:]}")
        servers = start_servers(args, env, out)
        for path in paths:  # warm: the first answer of each is rendered and stored
            status = fetch(args.port, path, HTTPS_PROXY_HEADERS)[0]
            if status != 200:
                raise Failed(f"{path} answered {status}")
        revalidated = {path: revalidates(args.port, path) for path in paths}
        rates = measure(args.port, paths, args)
        missed = report(rates, revalidated)
        seen = write_is_seen_everywhere([args.port, args.port + 1], token.group(1))
        print("\nA write through the first server, read next on each:")
        for where, ok in seen.items():
            print(f"  {where:<50} {'new name' if ok else 'STALE'}")
        (out / "throughput.json").write_text(json.dumps({"rates": rates, "revalidated": revalidated, "seen": seen}))
        return int(bool(missed) or not all(seen.values()))
    finally:
        for server in servers:
            server.stop()
        if not args.keep_db:
            drop_database(args.pg, args.database)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=30, help="seconds of load per path and round (default 30)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per server (WEB_CONCURRENCY)")
    parser.add_argument("--port", type=int, default=8770, help="the first server's; the second uses the next")
    parser.add_argument("--database", default="landscape_throughput", help="throwaway database, dropped first")
    parser.add_argument("--pg", default=PG_SERVER, help=f"PostgreSQL server URL, no database (default {PG_SERVER})")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/13", help="its database is FLUSHED first")
    parser.add_argument("--paths", nargs="*", help="paths to measure (default: the issue's list)")
    parser.add_argument("--pin", action=argparse.BooleanOptionalAction, default=True, help="taskset CPU 0 / CPU 1")
    parser.add_argument(
        "--smoke", action="store_true", help="no bundled data, two paths, 1 s, one round: the test suite's run"
    )
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument("--out", default="/tmp/landscape-throughput", help="folder for logs")
    args = parser.parse_args()
    if args.smoke:
        args.duration, args.rounds = 1, 1
    sys.exit(run_script(run, args, lambda code, out: f"  (logs in {out})"))


if __name__ == "__main__":
    main()
