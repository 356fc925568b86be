"""Benchmark pages, their figures' data, the admin, and the run_benchmark command (with the runner stubbed)."""

import io
import json
import re

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.benchmarking import charts as benchmark_charts
from catalog.benchmarking.store import catalog_bounds, model_config, record_run
from catalog.figures import format_figure
from catalog.formatting import si
from catalog.management.commands import run_benchmark as command
from catalog.models import BenchmarkResult, BenchmarkRun
from tests.benchmark_reports import BANDWIDTH, MATMUL_PEAK, benchmark_report
from tests.factories import make_hardware, make_org

XSS = "</script><script>alert(1)</script>"


@pytest.fixture
def run(db):
    nvidia, furiosa = make_org("nvidia", name="NVIDIA"), make_org("furiosaai", name="FuriosaAI")
    h100 = {"fp32_flops": 67e12, "bf16_flops": 989e12, "memory_bandwidth": 3.35e12}
    make_hardware("h100", vendor=nvidia, name="H100", kind="gpu", **h100)
    make_hardware("rngd", vendor=furiosa, name="RNGD", bf16_flops=256e12, memory_bandwidth=1.5e12)  # no FP32 figure
    return record_run(report=benchmark_report(), command="python manage.py run_benchmark --quick")


def figure_data(html, element_id):
    match = re.search(rf'<script id="{element_id}-data" type="application/json">(.*?)</script>', html, re.S)
    assert match, f"no figure {element_id}"
    return json.loads(match.group(1))


# ------------------------------------------------------------------------------------------------ pages


@pytest.mark.django_db
class TestPages:
    def test_empty_list_tells_how_to_make_a_run(self, client):
        html = client.get("/benchmarks/").content.decode()
        assert "No benchmark runs yet" in html and "<code>make benchmark</code>" in html
        assert "plotly" not in html and "charts.js" not in html

    def test_list_shows_runs_newest_first_with_the_best_rate_per_backend(self, client, run):
        newer = record_run(report=benchmark_report("micro", started_at="2026-12-01T08:00:00+00:00", quick=False))
        html = client.get(reverse("catalog:benchmark-list")).content.decode()
        assert html.index(f'href="/benchmarks/{newer.pk}/"') < html.index(f'href="/benchmarks/{run.pk}/"')
        assert "2026-11-29 05:30" in html and "Synthetic CPU @ 3.0GHz" in html
        best = max(r.generation_tokens_per_s for r in run.results.filter(backend="onnxruntime"))
        assert f"onnxruntime/cpu: <strong>{si(best, 'tokens/s')}</strong>" in html
        chart = figure_data(html, "benchmark-runs")
        assert {trace["name"] for trace in chart["data"]} == {
            "nano: numpy/cpu",
            "nano: onnxruntime/cpu",
            "micro: numpy/cpu",
            "micro: onnxruntime/cpu",
        }
        assert html.count('data-plotly="/static/vendor/plotly-basic.min.js"') == 1

    def test_detail_shows_environment_limits_results_and_every_chart(self, client, run):
        response = client.get(reverse("catalog:benchmark-detail", args=[run.pk]))
        assert response.status_code == 200
        html = response.content.decode()
        for text in [
            "Synthetic CPU @ 3.0GHz",
            "4 physical, 8 logical",
            "OpenBLAS 0.3.27",
            "1.19.0",  # ONNX Runtime
            "not installed",  # PyTorch
            "ab" * 32,  # weights checksum
            "200 GFLOP/s",  # matmul peak
            "20 GB/s",  # memory bandwidth
            "triad 19.6 GB/s",
            "PyTorch is not installed",  # skipped
            "Frequency scaling is on",  # warning
            "python manage.py run_benchmark --quick",
            "Estimates, not measurements",
        ]:
            assert text in html, text
        for element_id in ["latency_itl", "latency_ttft", "rates", "roofline", "catalog"]:
            figure_data(html, element_id)
        assert 'href="/hardware/h100/"' in html and "(assumed)" in html  # RNGD has no FP32 figure

    def test_result_warnings_are_shown_once(self, client, db):
        report = benchmark_report()
        report["results"][0]["warnings"] = ["inter-token latency varies", "time to first token varies"]
        report["warnings"] = ["numpy (cpu) batch 1, prompt 16: inter-token latency varies"]  # the runner repeats them
        run = record_run(report=report)
        html = client.get(f"/benchmarks/{run.pk}/").content.decode()
        assert html.count("inter-token latency varies") == 1
        assert "numpy/cpu b1 p16 g8: time to first token varies" in html

    def test_a_run_where_every_backend_was_skipped_still_renders(self, client, db):
        run = record_run(report=benchmark_report(results=[]))
        html = client.get(f"/benchmarks/{run.pk}/").content.decode()
        assert "every backend was skipped" in html
        figure_data(html, "catalog")  # the bounds need no measurement

    def test_missing_run_is_404(self, client, db):
        assert client.get("/benchmarks/424242/").status_code == 404

    def test_nav_links_to_benchmarks(self, client, db):
        assert 'href="/benchmarks/">Benchmarks</a>' in client.get("/").content.decode()

    def test_no_inline_script_but_the_figure_data(self, client, run):
        for url in ["/benchmarks/", f"/benchmarks/{run.pk}/"]:
            html = client.get(url).content.decode()
            scripts = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
            assert all('type="application/json"' in attributes for attributes in scripts), url

    def test_queries_do_not_grow_with_runs_results_or_chips(self, client, run):
        urls = ["/benchmarks/", f"/benchmarks/{run.pk}/"]
        client.get(urls[0])  # warm
        before = [queries_for(client, url) for url in urls]
        for day in range(1, 11):
            record_run(report=benchmark_report(started_at=f"2026-10-{day:02d}T00:00:00+00:00"))
        for n in range(10):
            make_hardware(f"chip-{n}", fp32_flops=1e13, memory_bandwidth=1e12)
        assert [queries_for(client, url) for url in urls] == before
        assert max(before) <= 6

    def test_database_strings_are_escaped(self, client, db):
        report = benchmark_report(cpu_model=XSS)
        report["results"][0]["backend"] = XSS
        report["skipped"][0]["reason"] = XSS
        report["warnings"] = [XSS]
        run = record_run(report=report)
        make_hardware("evil", name=XSS, vendor=make_org("evil-co", name=XSS), fp32_flops=1e13, memory_bandwidth=1e12)
        for url in ["/benchmarks/", f"/benchmarks/{run.pk}/"]:
            assert "<script>alert(1)" not in client.get(url).content.decode(), url


def queries_for(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


# ---------------------------------------------------------------------------------------------- figures


@pytest.mark.django_db
class TestFigures:
    def test_latency_boxes_hold_every_raw_sample_in_milliseconds(self, run):
        results = sorted(run.results.all(), key=lambda r: (r.backend, r.batch_size, r.prompt_tokens))
        itl = benchmark_charts.latency_distribution(results, "itl")
        # One trace (one colour) per backend, one box per batch and prompt length in it, side by side.
        assert [trace.name for trace in itl.data] == ["numpy/cpu", "onnxruntime/cpu"]
        assert itl.layout.boxmode == "group"
        numpy_results = [result for result in results if result.backend == "numpy"]
        expected = [value * 1e3 for r in numpy_results for repetition in r.samples["itl_s"] for value in repetition]
        assert list(itl.data[0].y) == pytest.approx(expected)
        per_box = [len(r.samples["itl_s"]) * (r.generated_tokens - 1) for r in numpy_results]
        assert list(itl.data[0].x) == ["b1 p16"] * per_box[0] + ["b1 p64"] * per_box[1]
        ttft = benchmark_charts.latency_distribution(results, "ttft")
        expected = [value * 1e3 for r in numpy_results for value in r.samples["ttft_s"]]
        assert list(ttft.data[0].y) == pytest.approx(expected)
        assert "ms" in ttft.data[0].hovertemplate

    def test_rates_follow_prompt_length_per_backend_and_phase(self, run):
        figure = benchmark_charts.rates_by_prompt_length(list(run.results.all()))
        # Prefill solid, generation dashed; one generation length in the run: said on hover, not in every name.
        traces = {(trace.name, trace.line.dash): trace for trace in figure.data}
        assert set(traces) == {
            ("numpy/cpu, batch 1", "solid"),
            ("numpy/cpu, batch 1", "dash"),
            ("onnxruntime/cpu, batch 1", "solid"),
            ("onnxruntime/cpu, batch 1", "dash"),
        }
        prefill, generation = traces["numpy/cpu, batch 1", "solid"], traces["numpy/cpu, batch 1", "dash"]
        assert list(prefill.x) == [16, 64]
        expected = [r.prefill_tokens_per_s for r in run.results.filter(backend="numpy").order_by("prompt_tokens")]
        assert list(prefill.y) == expected
        assert list(prefill.text) == [format_figure("tokens_per_s", value) for value in expected]
        assert "8 generated" in prefill.hovertemplate and "prefill" in prefill.hovertemplate
        assert "generation" in generation.hovertemplate
        # One legend entry per backend and batch toggles both phases; a backend keeps its colour.
        assert (prefill.showlegend, generation.showlegend) == (True, False)
        assert prefill.legendgroup == generation.legendgroup
        assert prefill.line.color == generation.line.color != traces["onnxruntime/cpu, batch 1", "solid"].line.color
        # The measured prompt lengths label the axis.
        assert list(figure.layout.xaxis.tickvals) == [16, 64]

    def test_machine_roofline_is_the_measured_roof_with_each_phase_under_it(self, run):
        results = list(run.results.all())
        figure = benchmark_charts.machine_roofline(run, results, model_config(run))
        roof, peak, slope, *points = figure.data
        ridge = MATMUL_PEAK / BANDWIDTH
        assert ridge in roof.x
        for x, y in zip(roof.x, roof.y, strict=True):
            assert y == pytest.approx(min(MATMUL_PEAK, BANDWIDTH * x))
        assert set(peak.y) == {MATMUL_PEAK}
        assert list(slope.y) == [BANDWIDTH * x for x in slope.x]
        assert {trace.name for trace in points} == {
            "numpy/cpu: prefill",
            "numpy/cpu: decode",
            "onnxruntime/cpu: prefill",
            "onnxruntime/cpu: decode",
        }
        numpy_prefill = next(trace for trace in points if trace.name == "numpy/cpu: prefill")
        assert list(numpy_prefill.y) == [r.prefill_flops_per_s for r in results if r.backend == "numpy"]
        for trace in points:  # measured points sit on or under the roof
            for x, y in zip(trace.x, trace.y, strict=True):
                assert y <= min(MATMUL_PEAK, BANDWIDTH * x) * (1 + 1e-9)
        # The synthetic decode reaches 40% of the bandwidth: 40% of the roof at its intensity.
        decode = next(trace for trace in points if trace.name == "numpy/cpu: decode")
        assert decode.y[0] == pytest.approx(0.4 * BANDWIDTH * decode.x[0])

    def test_catalog_comparison_sets_measured_bars_apart_from_estimates(self, run):
        bounds = catalog_bounds(run)
        figure = benchmark_charts.catalog_comparison(bounds)
        generation, prefill = figure.data
        assert all(trace.orientation == "h" for trace in figure.data)
        # Bottom-up: the top row is this machine, the catalog's chips follow, fastest decode first.
        assert [label.replace("<br>", " ") for label in generation.y][::-1] == [
            "This machine, numpy/cpu (measured)",
            "This machine, onnxruntime/cpu (measured)",
            "This machine (roofline bound)",
            "H100 (estimate)",
            "RNGD (estimate)",
        ]
        x = {"generation": list(generation.x)[::-1], "prefill": list(prefill.x)[::-1]}
        measured = {row["backend"]: row for row in bounds["measured"]}
        assert x["generation"][0] == measured["numpy"]["generation_tokens_per_s"]
        assert x["generation"][3] == bounds["hardware"][0]["decode_tokens_per_s"]
        assert x["prefill"][2] == bounds["this_machine"]["prefill_tokens_per_s"]
        assert list(generation.marker.pattern.shape)[::-1] == ["", "", "/", "/", "/"]
        assert "BF16" in generation.customdata[0][0] and "No FP32 peak" in generation.customdata[0][1]

    def test_runs_over_time_has_one_series_per_preset_and_backend(self, run):
        later = record_run(report=benchmark_report(started_at="2026-12-01T00:00:00+00:00", backends=("numpy",)))
        figure = benchmark_charts.runs_over_time(list(BenchmarkResult.objects.best_generation_rates()))
        traces = {trace.name: trace for trace in figure.data}
        assert [row[0] for row in traces["nano: numpy/cpu"].customdata] == [run.pk, later.pk]
        best = max(r.generation_tokens_per_s for r in run.results.filter(backend="numpy"))
        assert traces["nano: numpy/cpu"].y[0] == best
        assert len(traces["nano: onnxruntime/cpu"].y) == 1

    def test_figure_strings_from_the_database_are_escaped(self, db):
        report = benchmark_report()
        report["results"][0]["backend"] = XSS
        run = record_run(report=report)
        results = list(run.results.all())
        for figure in [
            benchmark_charts.latency_distribution(results, "itl"),
            benchmark_charts.rates_by_prompt_length(results),
            benchmark_charts.machine_roofline(run, results, model_config(run)),
            benchmark_charts.catalog_comparison(catalog_bounds(run)),
        ]:
            assert "<script>" not in json.dumps(figure.to_plotly_json())


# ------------------------------------------------------------------------------------------------ admin


@pytest.mark.django_db
class TestAdmin:
    def test_runs_are_listed_and_viewed_but_never_added_or_changed(self, admin_client, run):
        assert admin_client.get("/admin/catalog/benchmarkrun/").status_code == 200
        assert admin_client.get("/admin/catalog/benchmarkrun/", {"q": "synthetic"}).status_code == 200
        assert admin_client.get("/admin/catalog/benchmarkrun/add/").status_code == 403
        page = admin_client.get(f"/admin/catalog/benchmarkrun/{run.pk}/change/")
        assert page.status_code == 200
        html = page.content.decode()
        assert "onnxruntime" in html and 'name="_save"' not in html

    def test_staff_can_delete_a_run_and_its_results(self, admin_client, run):
        response = admin_client.post(f"/admin/catalog/benchmarkrun/{run.pk}/delete/", {"post": "yes"})
        assert response.status_code == 302
        assert not BenchmarkRun.objects.exists()


# ---------------------------------------------------------------------------------------------- command


def test_text_table_aligns_columns():
    assert command.text_table(["name", "n"], [["numpy", "1"], ["torch", "1234"]], left_aligned=1) == [
        "name      n",
        "-----  ----",
        "numpy     1",
        "torch  1234",
    ]


def test_summary_has_the_results_limits_overhead_skips_and_warnings():
    report = benchmark_report()
    lines = command.summary_lines(report)
    header = next(line for line in lines if line.startswith("backend"))
    for heading in [
        "TTFT ms",
        "prefill tok/s",
        "ITL p50 ms",
        "ITL p99 ms",
        "gen tok/s",
        "% matmul peak",
        "% bandwidth",
    ]:
        assert heading in header
    first = report["results"][0]
    row = next(line for line in lines if line.startswith("numpy") and f" {first['prompt_tokens']} " in line)
    assert f"{first['ttft_s'] * 1e3:.2f}" in row
    assert row.endswith(f"{100 * first['decode_bandwidth_fraction']:.1f}")
    text = "\n".join(lines)
    assert "matmul peak 200 GFLOP/s" in text and "memory bandwidth 20 GB/s" in text
    assert "Harness overhead, numpy: 2%" in text
    assert "best STREAM kernel of: copy 19 GB/s, scale 18.5 GB/s, add 19.5 GB/s, triad 19.6 GB/s, read 20 GB/s" in text
    assert "torch (cpu): PyTorch is not installed" in text
    assert "Frequency scaling is on" in text


def test_summary_of_a_run_with_nothing_measured():
    lines = command.summary_lines(benchmark_report(results=[], harness_overhead=None))
    assert "No results: every backend was skipped." in lines
    assert "Harness overhead: not measured" in lines


@pytest.mark.parametrize(
    ("value", "expected"),
    [("all", ["numpy", "onnxruntime", "torch"]), ("torch,numpy", ["numpy", "torch"]), (" numpy ", ["numpy"])],
)
def test_backends_are_parsed_in_a_fixed_order(value, expected):
    assert command.parse_backends(value, ["numpy", "onnxruntime", "torch"]) == expected


def test_progress_redraws_one_line_on_a_terminal_and_prints_lines_elsewhere():
    written = []
    bar = command.ProgressBar(written.append, interactive=True)
    bar(1, 4, "machine limits")
    bar(4, 4, "numpy (cpu) batch 1, prompt 64")
    bar.finish()
    assert written[0].startswith("\r[#######-----") and "1/4 machine limits" in written[0]
    assert written[1].startswith("\r[" + "#" * command.PROGRESS_WIDTH + "]")
    assert written[2] == "\n"
    plain = []
    command.ProgressBar(plain.append, interactive=False)(2, 5, "onnxruntime (cpu) batch 1, prompt 64")
    assert plain == ["[2/5] onnxruntime (cpu) batch 1, prompt 64\n"]


@pytest.fixture
def fake_runner(monkeypatch):
    """``run_benchmark`` replaced by one that reports progress and returns a synthetic report."""
    import catalog.benchmark.runner

    calls = []

    def run_benchmark(*, preset, backends, quick, threads=None, progress=None):
        calls.append({"preset": preset, "backends": backends, "quick": quick, "threads": threads})
        progress(1, 2, "machine limits")
        progress(2, 2, "numpy (cpu) batch 1, prompt 64")
        return benchmark_report(preset, backends=tuple(b for b in backends if b != "torch"), quick=quick)

    monkeypatch.setattr(catalog.benchmark.runner, "run_benchmark", run_benchmark)
    return calls


@pytest.mark.django_db
class TestCommand:
    def test_runs_prints_the_summary_and_stores_the_run(self, fake_runner, tmp_path):
        out, err = io.StringIO(), io.StringIO()
        path = tmp_path / "report.json"
        arguments = ["--preset", "nano", "--quick", "--threads", "2", "--backend", "numpy,onnxruntime"]
        call_command("run_benchmark", *arguments, "--json", str(path), stdout=out, stderr=err)
        assert fake_runner == [{"preset": "nano", "backends": ["numpy", "onnxruntime"], "quick": True, "threads": 2}]
        run = BenchmarkRun.objects.get()
        assert run.results.count() == 4
        assert (
            run.command
            == "python manage.py run_benchmark --preset nano --backend numpy,onnxruntime --quick --threads 2"
        )
        text = out.getvalue()
        assert "TTFT ms" in text and "Skipped:" in text
        assert f"Stored as run {run.pk}: /benchmarks/{run.pk}/" in text
        assert "[2/2] numpy (cpu) batch 1, prompt 64" in err.getvalue()  # not a terminal: plain lines
        assert json.loads(path.read_text())["model"]["name"] == "nano"

    def test_defaults_are_micro_on_every_backend(self, fake_runner):
        call_command("run_benchmark", "--no-save", stdout=io.StringIO(), stderr=io.StringIO())
        assert fake_runner[0]["preset"] == "micro"
        assert fake_runner[0]["backends"] == ["numpy", "onnxruntime", "torch"]
        assert fake_runner[0]["threads"] is None

    def test_no_save_stores_nothing(self, fake_runner):
        out = io.StringIO()
        call_command("run_benchmark", "--no-save", "--backend", "all", stdout=out, stderr=io.StringIO())
        assert not BenchmarkRun.objects.exists()
        assert "Stored as" not in out.getvalue()

    @pytest.mark.parametrize(
        ("arguments", "message"),
        [
            (["--backend", "numpy,tensorflow"], "Unknown backend tensorflow"),
            (["--backend", ","], "--backend needs a name"),
            (["--preset", "huge"], "Unknown preset 'huge'"),
            (["--threads", "0"], "--threads must be at least 1"),
        ],
    )
    def test_bad_arguments_are_refused_before_anything_runs(self, fake_runner, arguments, message):
        with pytest.raises(CommandError, match=re.escape(message)):
            call_command("run_benchmark", *arguments, stdout=io.StringIO(), stderr=io.StringIO())
        assert fake_runner == []

    @pytest.mark.parametrize("no_save", [[], ["--no-save"]])
    def test_a_report_that_breaks_the_contract_is_an_error_but_kept_as_json(self, monkeypatch, tmp_path, no_save):
        import catalog.benchmark.runner

        broken = benchmark_report()
        del broken["results"][0]["ttft_s"]
        monkeypatch.setattr(catalog.benchmark.runner, "run_benchmark", lambda **kwargs: broken)
        path = tmp_path / "report.json"
        with pytest.raises(CommandError, match=r"results\[0\]\.ttft_s: missing.*The report is in"):
            call_command("run_benchmark", "--json", str(path), *no_save, stdout=io.StringIO(), stderr=io.StringIO())
        assert not BenchmarkRun.objects.exists()
        assert json.loads(path.read_text()) == broken
