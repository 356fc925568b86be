"""A run's target verdicts: judged once (``store.target_checks``), the same on the page and in the API."""

import pytest

from catalog.benchmarking.store import record_run, target_checks
from catalog.benchmarking.views import target_value
from tests.benchmark_reports import benchmark_report

pytestmark = pytest.mark.django_db

VERDICT = {True: "met", False: "MISSED", None: "n/a"}  # what the page shows, in English


@pytest.mark.parametrize(
    ("backends", "expected"),
    [
        # ONNX Runtime at 50% of peak and 60% of bandwidth, NumPy 1.5x slower; the harness costs 2%, not under 2%.
        (("numpy", "onnxruntime"), ["met", "met", "met", "MISSED"]),
        # Without ONNX Runtime, only the harness can be judged.
        (("numpy",), ["n/a", "n/a", "n/a", "MISSED"]),
    ],
)
def test_the_api_serves_the_verdicts_the_page_shows(client, api, backends, expected):
    run = record_run(report=benchmark_report("nano", backends=backends))
    page = client.get(f"/benchmarks/{run.pk}/")
    shown = [(str(row["target"]), str(row["measured"]), str(row["verdict"])) for row in page.context["targets"]]

    served = api.get(f"/api/v1/benchmarks/{run.pk}/").json()["targets"]

    assert [verdict for *_, verdict in shown] == expected
    assert [(check["target"], VERDICT[check["met"]]) for check in served] == [(target, v) for target, _, v in shown]
    judged = target_checks(run)
    assert served == [check.as_dict() for check in judged]
    # The page writes each measured value the site's way (registry formats: 50%, 1.50×), from the same checks.
    assert [measured for _, measured, _ in shown] == [
        target_value(check, check.measured) if check.measured is not None else "not measured" for check in judged
    ]


def test_targets_are_documented_in_the_schema(api):
    schema = api.get("/api/schema/?format=json").json()
    detail = schema["components"]["schemas"]["BenchmarkRunDetail"]
    assert detail["properties"]["targets"]["type"] == "array"
    assert "targets" in detail["required"]
    check = schema["components"]["schemas"]["TargetCheck"]
    assert set(check["properties"]) == {"target", "measured", "limit", "at_least", "met", "unit"}
    assert check["properties"]["met"]["nullable"] is True


def test_the_list_leaves_targets_to_the_detail(api):
    record_run(report=benchmark_report("nano"))
    assert "targets" not in api.get("/api/v1/benchmarks/").json()["results"][0]
