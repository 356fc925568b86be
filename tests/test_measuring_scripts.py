"""Smoke tests for the measuring scripts under loadtest/, so they cannot rot between the runs that use them."""

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
