"""One measured load run of Landscape in its production configuration, optionally with a database outage.

1. Drops and creates a throwaway PostgreSQL database (--database), then, with the production environment
   (DEBUG off, a fresh secret key, DJANGO_TRUSTED_PROXY_COUNT=1, Redis or the database cache), runs
   migrate, collectstatic and load_bundled_data.
2. Starts gunicorn as `make serve` does (--workers, pinned to CPU 0 with --pin) and waits for /healthz.
3. Runs locust headless with loadtest/locustfile.py (pinned to CPU 1), then prints per route: requests,
   failures, 429s, median, p95 and p99; and in total: requests/s, server errors, other non-2xx and their
   share (target < 0.1%), tracebacks in response bodies and in the server's log.
4. --outage: restarts PostgreSQL --outage-at seconds into the load (the whole cluster, every database on
   it: refused while other databases have clients, unless --force-outage), times the outage with
   pg_isready, and sorts the errors into before / while down / grace / after; then restarts it again while
   idle and sends requests as soon as it is back. Targets: 0 errors before the restart and after the
   grace, 0 after the idle restart, no traceback in any body.
5. Stops gunicorn and drops the database whatever happens (--keep-db keeps it).

Exit status: 0 when the targets are met, 1 when not (any 5xx in a plain run; in the drill, errors before the
restart or after the grace, or after the idle restart; a traceback in a response; no redirect to https),
2 when the run could not be made.

    .venv/bin/python loadtest/run_load.py                        # 50 users, 60 s, 2 workers, Redis
    .venv/bin/python loadtest/run_load.py --users 5 --duration 10s --no-redis
    .venv/bin/python loadtest/run_load.py --outage
"""

import argparse
import json
import re
import subprocess
import sys
import threading
import time
from collections import Counter

from common import (
    BIN,
    HTTPS_PROXY_HEADERS,
    PG_SERVER,
    ROOT,
    Failed,
    Process,
    drop_database,
    fetch,
    flush_redis,
    other_clients,
    pinned,
    port_is_free,
    postgres_ready,
    production_env,
    recreate_database,
    restart_postgres_command,
    run_script,
    run_step,
    wait_until,
)

TRACEBACK = "Traceback (most recent call last)"
IDLE_CHECK_PATHS = ["/healthz", "/", "/models/", "/hardware/", "/api/v1/models/", "/api/v1/hardware/"]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--spawn-rate", type=float, default=10)
    parser.add_argument("--duration", default="60s", help="locust's --run-time, e.g. 60s, 2m (default 60s)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (WEB_CONCURRENCY)")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--database", default="landscape_load", help="throwaway database, dropped first")
    parser.add_argument("--pg", default=PG_SERVER, help=f"PostgreSQL server URL, no database (default {PG_SERVER})")
    parser.add_argument("--redis", action=argparse.BooleanOptionalAction, default=True, help="Redis cache, else DB")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/14", help="its database is FLUSHED first")
    parser.add_argument("--throttle-rate", help="API_ANON_THROTTLE_RATE (default: the app's, 120/minute)")
    parser.add_argument("--wait", default="0.5,2", help="seconds between a user's requests, min,max")
    parser.add_argument("--pin", action=argparse.BooleanOptionalAction, default=True, help="taskset CPU 0 / CPU 1")
    parser.add_argument("--via-make", action="store_true", help="start the server with `make serve` itself")
    parser.add_argument("--outage", action="store_true", help="restart PostgreSQL during the load, then idle")
    parser.add_argument("--outage-at", type=float, default=20, help="seconds into the load (default 20)")
    parser.add_argument("--force-outage", action="store_true", help="restart even when other databases are in use")
    parser.add_argument("--grace", type=float, default=2, help="seconds after pg_isready before errors count")
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument("--out", default="/tmp/landscape-load", help="folder for logs and locust's CSV files")
    return parser.parse_args()


def seconds(duration):
    """locust's run-time syntax (90, 90s, 1m30s, 1h) in seconds."""
    parts = re.findall(r"(\d+)\s*([hms]?)", duration)
    if not parts or re.sub(r"[\d\shms]", "", duration):
        raise Failed(f"--duration {duration!r}: use e.g. 60s or 2m")
    return sum(int(value) * {"h": 3600, "m": 60}.get(unit, 1) for value, unit in parts)


def start_server(args, env, log):
    env = {**env, "HOST": "127.0.0.1", "PORT": str(args.port), "WEB_CONCURRENCY": str(args.workers)}
    if args.via_make:
        command = ["make", "--no-print-directory", "serve"]
    else:  # what `make serve` runs after migrate and collectstatic
        command = [str(BIN / "gunicorn"), "landscape.wsgi", "--config", "gunicorn.conf.py"]
    server = Process(pinned(command, 0, args.pin), log, env)
    healthy = wait_until(
        lambda: not server.running() or fetch(args.port, "/healthz", HTTPS_PROXY_HEADERS, timeout=2)[0] == 200,
        600 if args.via_make else 90,  # make may reinstall the virtualenv, and it runs collectstatic again
    )
    if not server.running() or not healthy:
        tail = server.tail()
        server.stop()
        raise Failed(f"the server did not become healthy on port {args.port}; its log ends:\n{tail}")
    return server


def check_https_redirect(port):
    """Behind the proxy, a plain-http request (no X-Forwarded-Proto) must be sent to https."""
    status, headers, _ = fetch(port, "/models/")
    location = headers.get("Location", "")
    ok = status == 301 and location.startswith("https://")
    print(f"plain http request: {status} {location or ''}  ({'ok' if ok else 'EXPECTED 301 to https'})")
    return ok


class OutageDrill(threading.Thread):
    """Restarts PostgreSQL `at` seconds after `start`, polling pg_isready to time the outage."""

    def __init__(self, pg, start, at):
        super().__init__(daemon=True)
        self.pg, self.start_time, self.at = pg, start, at
        self.restart_at = self.down_at = self.up_at = None
        self.error = None

    def run(self):
        try:
            time.sleep(max(0.0, self.start_time + self.at - time.time()))
            self.restart_at, self.down_at, self.up_at = restart_and_time(self.pg)
        except Exception as error:  # reported in the summary, never silently lost
            self.error = error


def restart_and_time(pg):
    """Restart PostgreSQL; return (restart requested, first seen down, first seen up again) as Unix times."""
    command = restart_postgres_command(pg)
    marks = {}

    def poll():
        while "up" not in marks and time.time() - marks["restart"] < 120:
            ready = postgres_ready(pg)
            if not ready:
                marks.setdefault("down", time.time())
            elif "down" in marks or "returned" in marks:
                marks["up"] = time.time()
            time.sleep(0.1)

    marks["restart"] = time.time()
    poller = threading.Thread(target=poll, daemon=True)
    poller.start()
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    marks["returned"] = time.time()
    if result.returncode != 0:
        raise Failed(f"{' '.join(command)} failed: {result.stderr.strip()}")
    poller.join(125)
    if "up" not in marks:
        raise Failed("PostgreSQL did not accept connections within 120 s of the restart")
    return marks["restart"], marks.get("down", marks["restart"]), marks["up"]


def idle_restart(args):
    """Restart PostgreSQL with no load, then request pages as soon as it accepts connections again."""
    restart_at, _, up_at = restart_and_time(args.pg)
    headers = {**HTTPS_PROXY_HEADERS, "X-Forwarded-For": "10.254.0.1"}
    paths = IDLE_CHECK_PATHS * 3
    answers = [fetch(args.port, path, headers)[0] for path in paths]
    errors = Counter(f"{path} {status}" for path, status in zip(paths, answers, strict=True) if not 200 <= status < 300)
    print(f"\nidle restart: PostgreSQL down {up_at - restart_at:.1f} s; then {len(answers)} requests at once:")
    print(f"  errors {errors.total()} (target 0)  {', '.join(f'{n} x {error}' for error, n in errors.items())}")
    return errors.total()


def ms(value):
    return "-" if value is None else f"{value:.0f}"


def print_report(events, gunicorn_log):
    """Per-route table and totals; returns (server errors, tracebacks in bodies)."""
    statuses, throttled, total = events["statuses"], events["throttled"], events["total"]
    print(f"\n{'route':34} {'requests':>8} {'fail':>5} {'429':>5} {'median':>7} {'p95':>6} {'p99':>6}  (ms)")
    rows = sorted(events["routes"].items(), key=lambda item: -item[1]["requests"])
    for name, row in [*rows, ("all", {**total, "429": sum(throttled.values())})]:
        print(
            f"{name[:34]:34} {row['requests']:>8} {row['failures']:>5} {row.get('429', throttled.get(name, 0)):>5} "
            f"{ms(row['median']):>7} {ms(row['p95']):>6} {ms(row['p99']):>6}"
        )
    counts = {}
    for codes in statuses.values():
        for code, count in codes.items():
            counts[int(code)] = counts.get(int(code), 0) + count
    requests = sum(counts.values())
    server_errors = sum(count for code, count in counts.items() if code >= 500)
    other = sum(count for code, count in counts.items() if not 200 <= code < 300 and code != 429 and code < 500)
    non_2xx = server_errors + other
    share = 100 * non_2xx / requests if requests else 0
    tracebacks = sum(failure["traceback"] for failure in events["failures"])
    logged = gunicorn_log.read_text(errors="replace").count(TRACEBACK) if gunicorn_log.exists() else 0
    print(f"\nrequests/s          {total['rps']:.1f}  ({requests} requests)")
    print(f"statuses            {dict(sorted(counts.items()))}")
    print(f"server errors (5xx) {server_errors}")
    print(f"other non-2xx       {other} (0 = no answer; 3xx/4xx unexpected)")
    verdict = "met" if share < 0.1 else "MISSED"
    print(f"non-2xx except 429  {non_2xx} = {share:.3f}% of requests (target < 0.1%: {verdict})")
    print(f"throttled (429)     {sum(throttled.values())} (intended)")
    print(f"tracebacks          {tracebacks} in response bodies, {logged} in the server's log")
    return server_errors, tracebacks


def print_outage(drill, events, start, grace):
    """Sort every failure by when it happened relative to the outage; returns the errors outside it."""
    if drill.error or drill.restart_at is None:
        print(f"\noutage drill FAILED: {drill.error or 'the restart did not happen before the load ended'}")
        return 1
    up_grace = drill.up_at + grace
    ends = [("before", drill.restart_at), ("while down", drill.up_at), ("grace", up_grace), ("after", float("inf"))]
    phases = {name: Counter() for name, _ in ends}
    failed = Counter()
    for failure in events["failures"]:
        phases[next(name for name, end in ends if failure["t"] < end)][failure["status"]] += 1
        failed[int(failure["t"])] += 1
    print("\noutage timeline (seconds from load start)")
    print(f"  {drill.restart_at - start:6.1f}  restart requested")
    print(f"  {drill.down_at - start:6.1f}  PostgreSQL refusing connections")
    print(f"  {drill.up_at - start:6.1f}  accepting again: down {drill.up_at - drill.restart_at:.1f} s")
    print(f"  {up_grace - start:6.1f}  end of the {grace:g} s grace")
    for name, statuses in phases.items():
        detail = ", ".join(f"{count} x {status or 'no answer'}" for status, count in sorted(statuses.items()))
        target = " (target 0)" if name in {"before", "after"} else ""
        print(f"  errors {name + ':':11} {sum(statuses.values())}{target}{'  ' + detail if detail else ''}")
    answered = {int(second): count for second, count in events["answered"].items()}
    around = range(int(drill.restart_at) - 2, int(up_grace) + 4)
    timeline = ", ".join(f"{second - int(start)}s {failed[second]}/{answered.get(second, 0)}" for second in around)
    print(f"  failed/answered per second: {timeline}")
    return sum(phases["before"].values()) + sum(phases["after"].values())


def run(args, out):
    duration = seconds(args.duration)
    if args.outage and not 0 < args.outage_at < duration - 5:
        raise Failed(f"--outage-at {args.outage_at:g} must fall inside the load, at least 5 s before its end")
    for tool in ("gunicorn", "locust"):
        if not (BIN / tool).exists():
            raise Failed(f"{BIN / tool} is missing: .venv/bin/pip install -r requirements-loadtest.txt")
    if not postgres_ready(args.pg):
        raise Failed(f"PostgreSQL does not accept connections at {args.pg}")
    if args.outage and not args.force_outage and (others := other_clients(args.pg, args.database)):
        raise Failed(f"--outage restarts the whole cluster, and these databases are in use: {', '.join(others)}")
    if not port_is_free(args.port):
        raise Failed(f"port {args.port} is in use; choose another with --port")
    if args.redis:
        flush_redis(args.redis_url)
    env = production_env(
        f"{args.pg.rstrip('/')}/{args.database}",
        redis_url=args.redis_url if args.redis else "",
        API_ANON_THROTTLE_RATE=args.throttle_rate,
    )
    cache = args.redis_url if args.redis else "database table"
    print(f"database {args.database}, cache {cache}, {args.workers} workers, {args.users} users for {duration} s")
    print(f"logs and CSV files in {out}")

    recreate_database(args.pg, args.database)
    server = None
    try:
        setup_log = out / "setup.log"
        for step in (["migrate", "--no-input"], ["collectstatic", "--no-input"], ["load_bundled_data"]):
            run_step([str(BIN / "python"), "manage.py", *step], setup_log, env)
        server = start_server(args, env, out / "gunicorn.log")
        redirect_ok = check_https_redirect(args.port)

        locust_env = {**env, "LOADTEST_REPORT": str(out / "events.json"), "LOADTEST_WAIT": args.wait}
        command = [str(BIN / "locust"), "-f", str(ROOT / "loadtest" / "locustfile.py"), "--headless"]
        command += ["-u", str(args.users), "-r", str(args.spawn_rate), "-t", f"{duration}s", "--only-summary"]
        command += ["--host", f"http://127.0.0.1:{args.port}", "--csv", str(out / "locust"), "--stop-timeout", "10"]
        start = time.time()
        drill = OutageDrill(args.pg, start, args.outage_at) if args.outage else None
        if drill:
            drill.start()
        locust = Process(pinned(command, 1, args.pin), out / "locust.log", locust_env)
        try:
            locust.popen.wait(timeout=duration + 120)
        except subprocess.TimeoutExpired:
            raise Failed(f"locust ran 120 s past its --duration; its log ends:\n{locust.tail()}") from None
        finally:
            locust.stop(grace=15)
        if drill:
            drill.join(150)
        if locust.popen.returncode == 2 or not (out / "events.json").exists():
            raise Failed(f"locust wrote no statistics; its log ends:\n{locust.tail()}")

        events = json.loads((out / "events.json").read_text())
        server_errors, tracebacks = print_report(events, out / "gunicorn.log")
        if drill:
            outside = print_outage(drill, events, start, args.grace)
            idle_errors = idle_restart(args)
            return int(bool(outside or idle_errors or tracebacks or not redirect_ok))
        return int(bool(server_errors or tracebacks or not redirect_ok))
    finally:
        if server:
            server.stop()
        if not args.keep_db:
            drop_database(args.pg, args.database)


def main():
    return run_script(run, parse_args(), lambda code, out: f": logs in {out}")


if __name__ == "__main__":
    sys.exit(main())
