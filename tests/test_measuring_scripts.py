"""Smoke tests for the measuring scripts (loadtest/, perf/), so they cannot rot between the runs that use them."""

import ast
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


def test_growth_bench_smoke_measures_pages_and_api_at_two_scales():
    """perf/growth_bench.py --smoke: a throwaway SQLite database grown by one synthetic copy of the bundle, a few
    pages and API endpoints measured at both sizes over HTTPS, and the growth table printed."""
    env = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "DJANGO_DEBUG"}}
    command = [sys.executable, "perf/growth_bench.py", "--smoke"]
    finished = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert finished.returncode == 0, finished.stdout + finished.stderr
    lines = finished.stdout.splitlines()
    header = next(line.split() for line in lines if line.startswith("path "))
    assert header == ["path", "1x", "ms", "q", "KB", "2x", "ms", "q", "KB", "time", "x", "q", "x", "misses"]
    rows = {line.split()[0]: line.split() for line in lines if line.startswith("/")}
    assert any(path.startswith("/api/v1/") for path in rows)
    assert any(not path.startswith("/api/") for path in rows)
    for path in ("/", "/api/v1/organizations/"):
        _, ms_1x, queries_1x, _, ms_2x, queries_2x, *_ = rows[path]
        assert float(ms_1x) > 0 and float(ms_2x) > 0
        assert int(queries_1x) > 0 and int(queries_2x) > 0  # really served: each asked the database
    # The copy doubled the catalog, every table of it, with valid keys (the price-overlap triggers ran too).
    sizes = [line for line in lines if " copies of the bundle" in line]
    counts = {line.split("]")[0].lstrip("["): ast.literal_eval(line.split(": ", 1)[1]) for line in sizes}
    assert set(counts) == {"1x", "2x"}
    assert counts["1x"]["models"] > 0
    assert counts["2x"] == {table: 2 * count for table, count in counts["1x"].items()}
    assert "Summary of misses:" in finished.stdout or "Every path meets every target." in finished.stdout


def test_throughput_runs_its_smoke_round_against_two_app_servers(tmp_path):
    """loadtest/throughput.py --smoke on PostgreSQL with Redis: two gunicorn servers, load on two paths beside
    /healthz, revalidation, and a write through one server read back on the other."""
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    command = [sys.executable, "loadtest/throughput.py", "--smoke", "--no-pin", "--database", "landscape_tp_smoke"]
    command += ["--port", "8790", "--out", str(tmp_path)]
    finished = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    output = finished.stdout + finished.stderr
    assert finished.returncode in (0, 1), output  # 1: a ratio missed on a busy machine; 2: the run failed
    rows = {line.split()[0]: line.split() for line in finished.stdout.splitlines() if line.startswith("/")}
    assert {"/healthz", "/", "/api/v1/models/"} <= set(rows)
    assert rows["/"][3] == rows["/api/v1/models/"][3] == "yes"  # both revalidated with a 304
    seen = [line for line in finished.stdout.splitlines() if " on :879" in line]
    assert len(seen) == 4 and all(line.endswith("new name") for line in seen), output
