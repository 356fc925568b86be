"""A real quick run, through the command: it measures, prints its table, stores the run, and the API and
the page show it. The nano preset keeps it to seconds; ONNX Runtime is a requirement, so it runs here.
"""

import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from catalog.benchmark.model import EXPECTED_CHECKSUMS
from catalog.models import BenchmarkRun


@pytest.mark.django_db
def test_quick_run_is_stored_and_shown_by_the_api_and_the_page(client, api, tmp_path):
    out = io.StringIO()
    report_path = tmp_path / "report.json"
    call_command(
        "run_benchmark",
        "--preset=nano",
        "--backend=numpy,onnxruntime",
        "--quick",
        "--threads=1",
        f"--json={report_path}",
        stdout=out,
        stderr=io.StringIO(),
    )
    printed = out.getvalue()
    run = BenchmarkRun.objects.get()
    assert f"Stored as run {run.pk}: /benchmarks/{run.pk}/" in printed
    assert "TTFT ms" in printed and "Targets" in printed

    assert run.preset == "nano" and run.quick and run.threads == 1
    assert run.weights_checksum == EXPECTED_CHECKSUMS["nano"]
    assert run.matmul_peak_flops > 1e8 and run.memory_bandwidth > 1e8
    results = {result.backend: result for result in run.results.all()}
    assert set(results) == {"numpy", "onnxruntime"}
    for result in results.values():
        assert result.repetitions >= 5
        assert len(result.samples["ttft_s"]) == result.repetitions
        assert all(len(steps) == result.generated_tokens - 1 for steps in result.samples["itl_s"])
        assert 0 < result.itl_p50_s <= result.itl_p90_s <= result.itl_p99_s
        assert result.prefill_tokens_per_s == pytest.approx(result.prompt_tokens / result.ttft_s)
    assert {(skip["backend"], skip["device"]) for skip in run.skipped} == {("onnxruntime", "cuda")}
    assert not any("greedy tokens" in warning for warning in run.warnings)  # the backends agreed
    assert json.loads(report_path.read_text())["model"]["checksum"] == run.weights_checksum

    listing = api.get(reverse("api:benchmarkrun-list")).json()
    assert [row["id"] for row in listing["results"]] == [run.pk]
    detail = api.get(reverse("api:benchmarkrun-detail", args=[run.pk])).json()
    assert {row["backend"] for row in detail["results"]} == {"numpy", "onnxruntime"}
    assert detail["results"][0]["samples"]["ttft_s"]

    page = client.get(reverse("catalog:benchmark-detail", args=[run.pk]))
    assert page.status_code == 200
    assert "onnxruntime/cpu" in page.content.decode()
    assert str(run.pk) in client.get(reverse("catalog:benchmark-list")).content.decode()
