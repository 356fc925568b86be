"""A throwaway PostgreSQL primary and a streaming replica of it, for tests/test_replicas.py.

Both clusters live in temporary folders, on free ports of 127.0.0.1 with their sockets in their own
folders, so the machine's own cluster (port 5432) is never touched. PostgreSQL refuses to run as root,
so when the tests do, every server command runs as the ``postgres`` OS user (``runuser``).
"""

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg2
from django.db import connections

USER = "postgres"
DATABASE = "landscape"
PORTS = range(54330, 54990)


def server_bin():
    """The folder holding initdb, pg_basebackup and pg_ctl (the newest version installed), or None."""
    for folder in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]), reverse=True):
        if all(os.access(f"{folder}/{tool}", os.X_OK) for tool in ("initdb", "pg_basebackup", "pg_ctl")):
            return folder
    return None


def unavailable_reason():
    """Why real clusters cannot be started here, or None when they can."""
    if server_bin() is None:
        return "the PostgreSQL server binaries (initdb, pg_basebackup, pg_ctl) are not installed"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam(USER)
        except KeyError:
            return "running as root and there is no postgres OS user to run the servers as"
        if shutil.which("runuser") is None:
            return "running as root without runuser"
    return None


def free_port(taken=()):
    for port in PORTS:
        if port in taken:
            continue
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {PORTS}")


class Cluster:
    def __init__(self, bin_dir, folder, port):
        self.bin_dir, self.folder, self.port = bin_dir, Path(folder), port
        self.data = self.folder / "data"

    def run(self, tool, *args, timeout=120):
        command = [f"{self.bin_dir}/{tool}", *map(str, args)]
        if os.geteuid() == 0:
            command = ["runuser", "-u", USER, "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, cwd=self.folder)
        if done.returncode:
            raise RuntimeError(f"{tool} failed ({done.returncode}): {done.stderr or done.stdout}\n{self.log_tail()}")
        return done

    def log_tail(self):
        log = self.folder / "server.log"
        return log.read_text(errors="replace")[-2000:] if log.exists() else ""

    def start(self):
        self.run("pg_ctl", "-D", self.data, "-l", self.folder / "server.log", "-w", "-t", "60", "start")

    def stop(self, mode="immediate"):
        with contextlib.suppress(Exception):  # already stopped, or never started
            self.run("pg_ctl", "-D", self.data, "-m", mode, "-w", "stop", timeout=60)

    def settings(self, database=DATABASE):
        """An alias's settings (the shape dj-database-url gives) for this cluster."""
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": database,
            "USER": USER,
            "PASSWORD": "",
            "HOST": "127.0.0.1",
            "PORT": str(self.port),
            "OPTIONS": {"connect_timeout": 5},
        }

    def connect(self, database=DATABASE):
        connection = psycopg2.connect(host="127.0.0.1", port=self.port, user=USER, dbname=database, connect_timeout=5)
        connection.autocommit = True
        return connection

    def query(self, sql, database=DATABASE):
        connection = self.connect(database)
        try:
            with connection.cursor() as cursor:
                cursor.execute(sql)
                return cursor.fetchall() if cursor.description else None
        finally:
            connection.close()


def _folder():
    folder = tempfile.mkdtemp(prefix="landscape-pg-")
    if os.geteuid() == 0:
        shutil.chown(folder, USER, USER)
    os.chmod(folder, 0o700)
    return folder


SERVER_SETTINGS = """
listen_addresses = '127.0.0.1'
port = {port}
unix_socket_directories = '{folder}'
wal_level = replica
max_wal_senders = 4
hot_standby = on
max_connections = 40
shared_buffers = 32MB
fsync = off
synchronous_commit = off
full_page_writes = off
"""
HBA = """
local all all trust
host all all 127.0.0.1/32 trust
host replication all 127.0.0.1/32 trust
"""


@contextlib.contextmanager
def primary_and_replica():
    """Start a primary (with an empty database ``landscape``) and a streaming replica; always tear down."""
    bin_dir = server_bin()
    clusters = []
    try:
        primary = Cluster(bin_dir, _folder(), free_port())
        clusters.append(primary)
        primary.run("initdb", "-D", primary.data, "-U", USER, "--auth=trust", "--no-sync", "-E", "UTF8")
        with open(primary.data / "postgresql.conf", "a") as conf:  # written as root: PostgreSQL only reads it
            conf.write(SERVER_SETTINGS.format(port=primary.port, folder=primary.folder))
        (primary.data / "pg_hba.conf").write_text(HBA)
        primary.start()
        primary.query(f"CREATE DATABASE {DATABASE}", database="postgres")

        replica = Cluster(bin_dir, _folder(), free_port(taken={primary.port}))
        clusters.append(replica)
        primary_address = ("-h", "127.0.0.1", "-p", primary.port, "-U", USER)
        replica.run("pg_basebackup", *primary_address, "-D", replica.data, "-R", "-X", "stream", "-c", "fast")
        with open(replica.data / "postgresql.conf", "a") as conf:  # later lines win over the primary's copy
            conf.write(f"port = {replica.port}\nunix_socket_directories = '{replica.folder}'\n")
        replica.start()
        yield primary, replica
    finally:
        for cluster in reversed(clusters):
            cluster.stop()
            shutil.rmtree(cluster.folder, ignore_errors=True)


def wait_until(check, timeout=15, what="the replica to catch up"):
    """Poll ``check`` until it is true, at most ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.05)


def forget(alias):
    """Drop this thread's connection object: the next use opens one with the alias's current settings."""
    with contextlib.suppress(AttributeError):
        del connections[alias]


@contextlib.contextmanager
def aliases_pointed_at(primary, replica):
    """``default`` and ``replica_1`` connect to the throwaway clusters for this block, then back."""
    saved = connections.settings["default"]
    configured = connections.configure_settings({"default": primary.settings(), "replica_1": replica.settings()})
    connections["default"].close()
    for alias in ("default", "replica_1"):
        forget(alias)
        connections.settings[alias] = configured[alias]
    try:
        yield
    finally:
        for alias in ("default", "replica_1"):
            connections[alias].close()
            forget(alias)
        connections.settings["default"] = saved
        del connections.settings["replica_1"]
