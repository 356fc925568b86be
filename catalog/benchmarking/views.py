"""Benchmark pages: the runs recorded by ``manage.py run_benchmark``, and one run in full."""

from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import ListView

from catalog.benchmark.os_name import public_os
from catalog.benchmarking import charts as benchmark_charts
from catalog.benchmarking.store import catalog_bounds, model_config, stream_kernels, target_checks
from catalog.formatting import count, si
from catalog.models import BenchmarkResult, BenchmarkRun
from catalog.views.figures import figure_context

EMPTY_HINT = "python manage.py run_benchmark --quick"


class BenchmarkList(ListView):
    """Newest run first, with each backend's best generation rate; the chart follows every run."""

    template_name = "catalog/benchmark_list.html"
    paginate_by = 50
    queryset = BenchmarkRun.objects.defer("model", "machine", "skipped", "warnings", "harness_overhead")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rates = list(BenchmarkResult.objects.best_generation_rates())
        best = {}
        for row in rates:
            best.setdefault(row["run_id"], []).append(row)
        context["rows"] = [(run, best.get(run.pk, [])) for run in context["object_list"]]
        context["figures"] = figure_context({"benchmark-runs": benchmark_charts.runs_over_time(rates)}) if rates else []
        context["empty_hint"] = EMPTY_HINT
        context["api_url"] = reverse("api:benchmarkrun-list")
        return context


def environment(run):
    """The machine and software a run measured, as (label, value) rows for people."""
    machine, model = run.machine, run.model
    unknown, not_installed = _("unknown"), _("not installed")
    cores = _("%(physical)s physical, %(logical)s logical") % {
        "physical": machine.get("physical_cores", "?"),
        "logical": machine.get("logical_cpus", "?"),
    }
    shape = _(
        "%(name)s: %(layers)s layers, d_model %(d_model)s, %(heads)s heads, vocabulary %(vocab)s, context %(context)s"
    ) % {
        "name": model.get("name"),
        "layers": model.get("n_layers"),
        "d_model": model.get("d_model"),
        "heads": model.get("n_heads"),
        "vocab": model.get("vocab_size"),
        "context": model.get("max_context"),
    }
    weights = _("%(count)s (%(bytes)s of fp32 weights)") % {
        "count": count(run.parameters),
        "bytes": si(model.get("weight_bytes"), "B"),
    }
    return [
        ("CPU", machine.get("cpu_model") or unknown),
        (_("Cores"), cores),
        (_("Threads used"), run.threads),
        (_("Memory"), si(machine.get("memory_bytes"), "B")),
        ("GPU", machine.get("gpu") or _("none")),
        (_("Operating system"), public_os(machine.get("os"))),
        ("Python", machine.get("python", "")),
        ("NumPy / BLAS", f"{machine.get('numpy', '')} ({machine.get('blas') or unknown})"),
        ("ONNX Runtime", machine.get("onnxruntime") or not_installed),
        ("PyTorch", machine.get("torch") or not_installed),
        (_("Model"), shape),
        (_("Parameters"), weights),
        (_("Weights checksum (SHA-256)"), run.weights_checksum),
    ]


# The framework-free benchmark names its targets in English; the page shows them in the reader's language.
TARGET_LABELS = {
    "ONNX Runtime prefill, fraction of measured matmul peak": gettext_lazy(
        "ONNX Runtime prefill, fraction of measured matmul peak"
    ),
    "ONNX Runtime decode, fraction of measured memory bandwidth": gettext_lazy(
        "ONNX Runtime decode, fraction of measured memory bandwidth"
    ),
    "NumPy time per output token over ONNX Runtime's": gettext_lazy("NumPy time per output token over ONNX Runtime's"),
    "Harness overhead per token against a bare loop": gettext_lazy("Harness overhead per token against a bare loop"),
}
VERDICTS = {True: gettext_lazy("met"), False: gettext_lazy("MISSED"), None: gettext_lazy("n/a")}


def target_rows(checks):
    """``target_checks``' verdicts as table rows for people, in the reader's language."""
    return [
        {
            "target": TARGET_LABELS.get(check.target, check.target),
            "measured": check.measured_text if check.measured is not None else _("not measured"),
            "goal": (_("at least %(limit)s") if check.at_least else _("under %(limit)s"))
            % {"limit": check.format(check.limit)},
            "verdict": VERDICTS[check.met],
        }
        for check in checks
    ]


def result_warnings(run, results):
    """Each result's warnings that the run's own list does not already repeat (with the result's label)."""
    return [
        (result, text)
        for result in results
        for text in result.warnings
        if not any(warning.endswith(text) for warning in run.warnings)
    ]


def benchmark_detail(request, pk):
    run = get_object_or_404(BenchmarkRun.objects.prefetch_related("results"), pk=pk)
    results = list(run.results.all())
    bounds = catalog_bounds(run)
    figures = {}
    if results:
        figures = {
            "latency_itl": benchmark_charts.latency_distribution(results, "itl"),
            "latency_ttft": benchmark_charts.latency_distribution(results, "ttft"),
            "rates": benchmark_charts.rates_by_prompt_length(results),
            "roofline": benchmark_charts.machine_roofline(run, results, model_config(run)),
        }
    figures["catalog"] = benchmark_charts.catalog_comparison(bounds)
    context = {
        "run": run,
        "results": results,
        "result_warnings": result_warnings(run, results),
        "targets": target_rows(target_checks(run)),
        "environment": environment(run),
        "stream_kernels": stream_kernels(run.machine),
        "bounds": bounds,
        "ridge_point": run.matmul_peak_flops / run.memory_bandwidth if run.memory_bandwidth else None,
        "figures": {figure["id"]: figure for figure in figure_context(figures)},
        "api_url": reverse("api:benchmarkrun-detail", args=[run.pk]),
    }
    return render(request, "catalog/benchmark_detail.html", context)
