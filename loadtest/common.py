"""Helpers shared by the load-test scripts: production environment, throwaway databases, PostgreSQL, HTTP."""

import http.client
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
# What the TLS-terminating proxy adds to every request it forwards.
HTTPS_PROXY_HEADERS = {"X-Forwarded-Proto": "https"}


class Failed(Exception):
    """A precondition or a step failed; main() prints the message and exits 2."""


def production_env(database_url, *, redis_url="", **extra):
    """The process environment of a production deployment behind one proxy, with a fresh secret key."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "API_ANON_"))}
    env.pop("REDIS_URL", None)
    env.update(
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(48),  # 64 characters
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_TRUSTED_PROXY_COUNT="1",
        DATABASE_URL=database_url,
        PYTHONUNBUFFERED="1",
    )
    if redis_url:
        env["REDIS_URL"] = redis_url
    env.update({key: value for key, value in extra.items() if value is not None})
    return env


def flush_redis(url):
    import redis  # the app's own dependency, in the virtualenv

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=2)
        client.ping()
        client.flushdb()  # throttle counters of an earlier run would throttle this one
    except redis.RedisError as error:
        raise Failed(f"Redis at {url} does not answer ({error}); start it or use --no-redis") from None


def check_database_name(name):
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", name):
        raise Failed(f"database name {name!r}: use lower-case letters, digits and _")
    return name


def psql(server_url, sql):
    """Run one statement on the server's maintenance database as its user (psql, so no driver is needed)."""
    parts = urlsplit(server_url)
    command = ["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", parts.hostname or "127.0.0.1"]
    command += ["-p", str(parts.port or 5432), "-U", parts.username or "postgres", "-d", "postgres", "-c", sql]
    if not shutil.which("psql"):
        raise Failed("psql is not installed (apt-get install postgresql-client)")
    result = subprocess.run(command, capture_output=True, text=True, timeout=60)
    if result.returncode != 0:
        raise Failed(f"psql failed on {sql!r}: {result.stderr.strip()}")
    return result.stdout


def recreate_database(server_url, name):
    drop_database(server_url, name)
    psql(server_url, f'CREATE DATABASE "{check_database_name(name)}"')


def drop_database(server_url, name):
    psql(server_url, f'DROP DATABASE IF EXISTS "{check_database_name(name)}" WITH (FORCE)')


def other_clients(server_url, database):
    """Databases other than `database` with client connections, e.g. ['test_landscape (3)']: a restart hits them."""
    sql = (
        "SELECT datname || ' (' || count(*) || ')' FROM pg_stat_activity WHERE backend_type = 'client backend'"
        f" AND datname NOT IN ('postgres', '{check_database_name(database)}') GROUP BY datname ORDER BY datname"
    )
    return psql(server_url, sql).split()


def postgres_ready(server_url):
    """True when PostgreSQL accepts connections (pg_isready; a TCP connect where it is not installed)."""
    parts = urlsplit(server_url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 5432
    if shutil.which("pg_isready"):
        command = ["pg_isready", "-q", "-h", host, "-p", str(port), "-t", "1"]
        return subprocess.run(command, check=False, timeout=5).returncode == 0
    try:
        socket.create_connection((host, port), timeout=1).close()
    except OSError:
        return False
    return True


def restart_postgres_command(server_url):
    """pg_ctlcluster VERSION NAME restart for the cluster on the URL's port, else the service."""
    port = str(urlsplit(server_url).port or 5432)
    if shutil.which("pg_lsclusters"):
        listing = subprocess.run(["pg_lsclusters", "--no-header"], capture_output=True, text=True).stdout
        for line in listing.splitlines():
            version, cluster, cluster_port, *_ = line.split()
            if cluster_port == port:
                return ["pg_ctlcluster", version, cluster, "restart"]
    return ["service", "postgresql", "restart"]


def port_is_free(port):
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


def fetch(port, path, headers=None, timeout=15):
    """GET without following redirects: (status, headers, body); status 0 when there is no answer."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    except OSError:
        return 0, {}, b""
    finally:
        connection.close()


def pinned(command, cpu, pin):
    """Prefix taskset -c CPU when asked, available, and there is more than one CPU."""
    if pin and shutil.which("taskset") and (os.cpu_count() or 1) > 1:
        return ["taskset", "-c", str(cpu), *command]
    return command


class Process:
    """A background process in its own process group, its output in a log file; stop() is safe to repeat."""

    def __init__(self, command, log_path, env=None):
        self.command, self.log_path = command, Path(log_path)
        self.log = open(self.log_path, "wb")  # noqa: SIM115 closed in stop()
        self.popen = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def running(self):
        return self.popen.poll() is None

    def stop(self, grace=30):
        """SIGTERM the group (gunicorn finishes requests in flight), SIGKILL after `grace` seconds."""
        if self.running():
            for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 10)):
                try:
                    os.killpg(self.popen.pid, sig)
                    self.popen.wait(timeout=wait)
                    break
                except ProcessLookupError:
                    break
                except subprocess.TimeoutExpired:
                    continue
        self.log.close()
        return self.popen.returncode

    def tail(self, lines=30):
        if not self.log.closed:
            self.log.flush()
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


def run_step(command, log, env, timeout=600):
    """Run a setup command, appending its output to `log`; raise Failed with the output's tail if it fails."""
    with open(log, "a") as file:
        file.write(f"$ {' '.join(map(str, command))}\n")
        file.flush()
        result = subprocess.run(command, cwd=ROOT, env=env, stdout=file, stderr=subprocess.STDOUT, timeout=timeout)
    if result.returncode != 0:
        tail = "\n".join(Path(log).read_text(errors="replace").splitlines()[-20:])
        raise Failed(f"{' '.join(map(str, command[:3]))} failed (exit {result.returncode}):\n{tail}")


def run_script(run, args, verdict):
    """A script's main: a time-stamped log folder, ``run(args, out)``'s exit code, 2 when a step failed.

    ``verdict(code, out)`` is printed at the end.
    """
    sys.stdout.reconfigure(line_buffering=True)
    exit_on_sigterm()
    out = Path(args.out) / time.strftime("%Y%m%d-%H%M%S")
    out.mkdir(parents=True, exist_ok=True)
    try:
        code = run(args, out)
    except Failed as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"\n{'PASS' if code == 0 else 'FAIL'}{verdict(code, out)}")
    return code


def exit_on_sigterm():
    """Turn SIGTERM into SystemExit so `finally` blocks stop servers and drop databases."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))


def wait_until(predicate, timeout, interval=0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return False
