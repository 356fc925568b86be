"""What a web worker loads: the pages and the API run without NumPy.

NumPy belongs to the benchmark's runner and backends (``catalog.benchmark.model``, ``machine``, ``worker``),
which run in their own processes. A web worker reads stored runs and estimates through the NumPy-free
parts of the core (``catalog.benchmark.config``, ``roofline``, ``targets``, ``os_name``). Plotly loads
NumPy only when a figure is handed an array-like object; the charts hand it plain lists, and the chart
pages are rendered below, so that is checked too.

Each check runs in a fresh interpreter: this test process has long since imported NumPy through other tests.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# A database with the bundled catalog and one benchmark run, so the pages take their full paths.
SETUP = """
import django

django.setup()
from django.core.management import call_command

from catalog.benchmarking.store import record_run
from tests.benchmark_reports import benchmark_report

call_command("migrate", verbosity=0)
call_command("createcachetable", verbosity=0)
call_command("load_bundled_data", verbosity=0)
record_run(report=benchmark_report("nano"))
"""

# A web worker: Django set up, the URLconf and every view's module imported, pages rendered. It prints the
# status of each page and where NumPy was first imported from (null if it never was).
WEB_WORKER = """
import importlib
import json
import sys
import traceback


class NumpyWatch:
    stack = None

    def find_spec(self, name, path=None, target=None):
        if name == "numpy" and self.stack is None:
            frames = traceback.format_stack()[:-1]
            self.stack = "".join(frame for frame in frames if "<frozen importlib" not in frame)
        return None


watch = NumpyWatch()
sys.meta_path.insert(0, watch)

import django

django.setup()
import landscape.urls
from django.test import Client
from django.urls import get_resolver


def view_modules(patterns):
    for pattern in patterns:
        if hasattr(pattern, "url_patterns"):
            yield from view_modules(pattern.url_patterns)
        else:
            yield pattern.callback.__module__


for module in sorted(set(view_modules(get_resolver().url_patterns))):
    importlib.import_module(module)

from catalog.models import BenchmarkRun, FoundationModel, Hardware

run = BenchmarkRun.objects.get()
model = FoundationModel.objects.filter(parameters__isnull=False).first()
chip = Hardware.objects.with_roofline().first()
urls = [
    "/estimate/",
    "/estimate/tokens/",
    "/estimate/training/",
    f"/estimate/{model.slug}/{chip.slug}/",
    "/ko/estimate/",
    "/benchmarks/",
    f"/benchmarks/{run.pk}/",
    "/charts/roofline/",
    "/charts/moores-law/",
    "/charts/vendors/",
    "/charts/ppa/",
    "/charts/prices/",
    "/charts/model-scale/",
    "/compare/",
    "/",
    "/hardware/",
    f"/hardware/{chip.slug}/",
    "/api/v1/hardware/",
    "/api/v1/benchmarks/",
    f"/api/v1/benchmarks/{run.pk}/",
    "/api/schema/",
]
client = Client()
statuses = {url: client.get(url).status_code for url in urls}
print(json.dumps({"statuses": statuses, "numpy_imported_from": watch.stack, "numpy_loaded": "numpy" in sys.modules}))
"""


def python(code, env):
    completed = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert completed.returncode == 0, completed.stderr[-4000:]
    return completed.stdout


def test_a_web_worker_renders_the_pages_and_the_api_without_numpy(tmp_path):
    env = {
        **os.environ,  # pytest-env's test settings: secret key, DEBUG off, plain static files
        "DJANGO_SETTINGS_MODULE": "landscape.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'worker.sqlite3'}",
        "DJANGO_ALLOWED_HOSTS": "testserver",
        "PYTHONPATH": str(ROOT),
    }
    env.pop("REDIS_URL", None)  # the database cache: nothing shared with other runs
    python(SETUP, env)
    report = json.loads(python(WEB_WORKER, env).splitlines()[-1])
    assert {url: status for url, status in report["statuses"].items() if status != 200} == {}
    assert report["numpy_imported_from"] is None, f"A web worker imported NumPy:\n{report['numpy_imported_from']}"
    assert not report["numpy_loaded"]


# ------------------------------------------------------------------------------- the direction of imports


def imported_modules(path):
    """Every module ``path`` imports (absolute names; relative imports are not used in this project)."""
    import ast

    names = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def modules_under(folder):
    return sorted((ROOT / folder).rglob("*.py"))


def offending(folder, forbidden):
    """{file: [imports under a forbidden prefix]} for the Python files under ``folder``."""
    found = {}
    for path in modules_under(folder):
        bad = sorted(
            name for name in imported_modules(path) if any(name == f or name.startswith(f + ".") for f in forbidden)
        )
        if bad:
            found[str(path.relative_to(ROOT))] = bad
    return found


def test_the_app_does_not_import_the_project_package():
    assert modules_under("catalog")
    assert offending("catalog", ["landscape"]) == {}


def test_models_import_no_layer_above_them():
    above = [
        "catalog.views",
        "catalog.api",
        "catalog.forms",
        "catalog.filters",
        "catalog.admin",
        "catalog.urls",
        "catalog.estimating",
        "catalog.comparisons",
        "catalog.charts",
        "catalog.importers",
        "catalog.benchmarking",
    ]
    assert offending("catalog/models", above) == {}


def test_services_import_no_view_or_api_module():
    pages = ["catalog.views", "catalog.api", "catalog.urls", "catalog.admin", "catalog.benchmarking.views"]
    for service in ("catalog/estimating.py", "catalog/comparisons.py", "catalog/charts.py"):
        path = ROOT / service
        assert not [n for n in imported_modules(path) if any(n.startswith(p) for p in pages)], service
    assert offending("catalog/importers", ["catalog.views", "catalog.api", "catalog.urls"]) == {}


def test_the_framework_free_cores_import_no_django_and_nothing_else_of_the_catalog():
    for core in ("catalog/benchmark", "catalog/estimators"):
        package = core.replace("/", ".")
        for path, names in offending(core, ["django", "rest_framework", "catalog", "landscape"]).items():
            assert all(name.startswith(package) for name in names), (path, names)
