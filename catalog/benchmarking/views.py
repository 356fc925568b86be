"""Benchmark pages: the runs recorded by ``make benchmark`` (``manage.py run_benchmark``), and one run.

A run's page reads at a glance: the headline figures and the targets first, compact charts next, the full
tables folded below them.
"""

import shlex

from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import ListView

from catalog.benchmark.os_name import public_os
from catalog.benchmarking import charts as benchmark_charts
from catalog.benchmarking.store import catalog_bounds, headline_chips, model_config, stream_kernels, target_checks
from catalog.figures import format_figure
from catalog.formatting import count, si
from catalog.models import BenchmarkResult, BenchmarkRun
from catalog.views.figures import figure_context

# The one documented way to run the benchmark (README "Benchmark"; the Makefile's benchmark target works on
# a fresh checkout: it installs, migrates and needs no secret key). tests/test_benchmark_command.py runs it.
RUN_COMMAND = "make benchmark"
QUICK_RUN_COMMAND = "make benchmark BENCHMARK_ARGS=--quick"
STORED_COMMAND_PREFIX = "python manage.py run_benchmark"
# A run's page shows this many catalog chips beside this machine (one per vendor, ``headline_chips``).
PAGE_CHIPS = 12


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
        context["rows"] = [
            (run, [(row, format_figure("tokens_per_s", row["best"])) for row in best.get(run.pk, [])])
            for run in context["object_list"]
        ]
        context["figures"] = figure_context({"benchmark-runs": benchmark_charts.runs_over_time(rates)}) if rates else []
        context["run_command"], context["quick_run_command"] = RUN_COMMAND, QUICK_RUN_COMMAND
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


# A target's unit in the framework-free core -> the figure that writes it the site's way (74.6%, 1.64×).
TARGET_FIGURES = {"fraction": "share", "ratio": "ratio"}


def target_value(check, value):
    return format_figure(TARGET_FIGURES.get(check.unit, "ratio"), value)


def target_rows(checks):
    """``target_checks``' verdicts as table rows for people, in the reader's language."""
    return [
        {
            "target": TARGET_LABELS.get(check.target, check.target),
            "measured": target_value(check, check.measured) if check.measured is not None else _("not measured"),
            "goal": (_("at least %(limit)s") if check.at_least else _("under %(limit)s"))
            % {"limit": target_value(check, check.limit)},
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


def repeat_command(command):
    """The documented command that repeats a stored run: ``make benchmark`` with the run's own options.

    Runs store ``python manage.py run_benchmark <options>``, which fails as written on a fresh setup (no
    secret key, no database); anything else is shown as it was stored.
    """
    if command.startswith(STORED_COMMAND_PREFIX):
        options = command[len(STORED_COMMAND_PREFIX) :].strip()
        return f"{RUN_COMMAND} BENCHMARK_ARGS={shlex.quote(options)}" if options else RUN_COMMAND
    return command


def where(result):
    return f"{result.backend}/{result.device}"


def headline(run, results, bounds, targets):
    """The figures a reader looks for first: the best generation rate and time to first token at batch 1 on the
    longest prompt, this machine's limits, and how many targets were met (label, value, detail)."""
    shape = (1, bounds["prompt_tokens"], bounds["generated_tokens"])
    measured = [r for r in results if (r.batch_size, r.prompt_tokens, r.generated_tokens) == shape]
    figures = []
    if measured:
        fastest = max(measured, key=lambda result: result.generation_tokens_per_s)
        quickest = min(measured, key=lambda result: result.ttft_s)
        figures += [
            (_("Generation"), format_figure("tokens_per_s", fastest.generation_tokens_per_s), where(fastest)),
            (_("Time to first token"), format_figure("seconds", quickest.ttft_s), where(quickest)),
        ]
    figures += [
        (_("Matmul peak (fp32)"), format_figure("flop_rate", run.matmul_peak_flops), _("measured")),
        (_("Memory bandwidth"), format_figure("byte_rate", run.memory_bandwidth), _("measured")),
    ]
    judged = [check for check in targets if check.met is not None]
    if judged:
        met = sum(check.met for check in judged)
        figures.append(
            (_("Targets met"), _("%(met)s of %(judged)s") % {"met": met, "judged": len(judged)}, _("see below"))
        )
    return measured, figures


def benchmark_detail(request, pk):
    run = get_object_or_404(BenchmarkRun.objects.prefetch_related("results"), pk=pk)
    results = list(run.results.all())
    # The database picks the few chips the page can show; at 100x the catalog, bounding every chip was most of it.
    bounds = catalog_bounds(run, headline=PAGE_CHIPS)
    shown_bounds = {**bounds, "hardware": headline_chips(bounds["hardware"], limit=PAGE_CHIPS)}
    figures = {}
    if results:
        figures = {
            "rates": benchmark_charts.rates_by_prompt_length(results),
            "roofline": benchmark_charts.machine_roofline(run, results, model_config(run)),
            "latency_itl": benchmark_charts.latency_distribution(results, "itl"),
            "latency_ttft": benchmark_charts.latency_distribution(results, "ttft"),
        }
    figures["catalog"] = benchmark_charts.catalog_comparison(shown_bounds)
    checks = target_checks(run)
    warnings = result_warnings(run, results)
    headline_results, headline_figures = headline(run, results, bounds, checks)
    context = {
        "run": run,
        "repeat_command": repeat_command(run.command),
        "results": results,
        "headline_results": headline_results,
        "headline_figures": headline_figures,
        "result_warnings": warnings,
        "warning_count": len(run.warnings) + len(warnings),
        "targets": target_rows(checks),
        "environment": environment(run),
        "stream_kernels": stream_kernels(run.machine),
        "bounds": shown_bounds,
        "chips_in_catalog": bounds["hardware_count"],
        "ridge_point": run.matmul_peak_flops / run.memory_bandwidth if run.memory_bandwidth else None,
        "figures": {figure["id"]: figure for figure in figure_context(figures)},
        "api_url": reverse("api:benchmarkrun-detail", args=[run.pk]),
    }
    return render(request, "catalog/benchmark_detail.html", context)
