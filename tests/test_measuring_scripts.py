"""Smoke tests for the measuring scripts (loadtest/, perf/), so they cannot rot between the runs that use them."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_hostile_runs_a_narrow_selection_under_production_settings_and_counts_it(tmp_path):
    """loadtest/hostile.py end to end on PostgreSQL with Redis (both part of the development environment):
    collectstatic, a throwaway test database, pytest, and its summary, narrowed to two hostile-input tests."""
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    command = [
        sys.executable,
        "loadtest/hostile.py",
        "--database",
        "landscape_hostile_smoke",
        "--out",
        str(tmp_path),
        "-k",
        "deeply_nested_json or health_check_answers",
    ]
    finished = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert finished.returncode == 0, finished.stdout + finished.stderr
    assert "other hostile-input tests        2 passed, 0 failed" in finished.stdout
    assert "API operations (Schemathesis)    0" in finished.stdout


def test_api_bench_runs_its_smoke_round_under_production_settings():
    """perf/api_bench.py --smoke: migrates a throwaway SQLite database, mounts the project's URLconf (with its
    i18n patterns) beside the bare views, and measures every endpoint and page size once, over HTTPS."""
    env = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "DJANGO_DEBUG"}}
    command = [sys.executable, "perf/api_bench.py", "--smoke"]
    finished = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert finished.returncode == 0, finished.stdout + finished.stderr
    rows = [line.split() for line in finished.stdout.splitlines() if line.startswith("/api/v1/")]
    assert [(row[0], row[1]) for row in rows] == [
        ("/api/v1/models/", "50"),
        ("/api/v1/models/", "200"),
        ("/api/v1/hardware/", "50"),
        ("/api/v1/hardware/", "200"),
    ]
    assert all(row[2] == row[1] for row in rows)  # a full page of rows each time: the answers were real lists
    assert "Target: DRF >= 0.5x" in finished.stdout
