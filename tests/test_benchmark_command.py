"""The one documented benchmark command runs as written on a fresh setup, and the README and the pages print it.

A newcomer's shell has no DJANGO_DEBUG and no secret key, and a fresh database has no tables: the settings
refuse to start without a key unless debug is on, so ``manage.py run_benchmark`` alone fails. ``make benchmark``
sets what it needs; this runs that target in a subprocess against a temporary SQLite database.
"""

import os
import re
import shlex
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from catalog.benchmarking.views import QUICK_RUN_COMMAND, RUN_COMMAND, repeat_command

ROOT = Path(__file__).resolve().parent.parent
# Seconds, not the quick run's 20: the same target and options, on the smallest model and one backend.
SMALLER = " --preset nano --backend numpy --threads 1"


def readme_benchmark_section():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("## Benchmark")
    return text[start : text.index("\n## ", start + 1)]


def test_the_readme_documents_the_command_the_page_prints():
    section = readme_benchmark_section()
    commands = re.findall(r"^make benchmark.*?(?=\s+#|$)", section, re.M)
    assert RUN_COMMAND in commands and QUICK_RUN_COMMAND in commands
    assert "python manage.py run_benchmark" not in section  # fails as written without a key and a database


@pytest.mark.django_db
def test_the_list_page_prints_the_documented_commands(client):
    html = client.get("/benchmarks/", HTTP_HOST="127.0.0.1").content.decode()
    assert f"<code>{RUN_COMMAND}</code>" in html and f"<code>{QUICK_RUN_COMMAND}</code>" in html
    assert "manage.py run_benchmark" not in html


def test_a_stored_command_is_repeated_through_the_make_target():
    assert repeat_command("python manage.py run_benchmark --preset nano --backend numpy --quick") == (
        "make benchmark BENCHMARK_ARGS='--preset nano --backend numpy --quick'"
    )
    assert repeat_command("python manage.py run_benchmark") == RUN_COMMAND
    assert repeat_command("something else") == "something else"


def newcomer_environment(database):
    """The test run's environment without what a newcomer lacks: no debug switch, no secret key."""
    environment = {
        name: value
        for name, value in os.environ.items()
        if name not in {"DJANGO_DEBUG", "DJANGO_SECRET_KEY", "MAKEFLAGS", "MAKELEVEL", "MFLAGS"}
    }
    environment["DATABASE_URL"] = f"sqlite:///{database}"
    return environment


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_the_documented_quick_command_records_a_run_on_a_fresh_database(tmp_path):
    words = shlex.split(QUICK_RUN_COMMAND)
    assert words == ["make", "benchmark", "BENCHMARK_ARGS=--quick"]
    words[-1] += SMALLER
    # The running interpreter's folder stands in for .venv/bin, and "-o install" leaves the installation
    # as it is (a test installs nothing); everything else is the target as a newcomer runs it.
    words += [f"BIN={Path(sys.executable).parent}", "-o", "install"]
    database = tmp_path / "fresh.sqlite3"
    finished = subprocess.run(
        words, cwd=ROOT, env=newcomer_environment(database), capture_output=True, text=True, timeout=300, check=False
    )
    assert finished.returncode == 0, finished.stdout[-2000:] + finished.stderr[-2000:]
    assert re.search(r"Stored as run \d+: /benchmarks/\d+/", finished.stdout)
    with sqlite3.connect(database) as connection:
        runs = connection.execute("SELECT preset, quick, threads FROM catalog_benchmarkrun").fetchall()
        results = connection.execute("SELECT backend FROM catalog_benchmarkresult").fetchall()
    assert runs == [("nano", 1, 1)]
    assert results and {backend for (backend,) in results} == {"numpy"}
