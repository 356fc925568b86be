"""python manage.py run_benchmark [--preset nano|micro] [--backend numpy,onnxruntime,torch|all] [--quick]
[--threads N] [--json PATH] [--no-save]

Measures the bundled micro-model on this machine (``catalog.benchmark.runner``), prints a summary, and
stores the run (``catalog.benchmarking.store.record_run``) for the /benchmarks/ pages and the API.
"""

import json
import shlex
from pathlib import Path

from django.core.management import BaseCommand, CommandError
from django.urls import reverse

from catalog.benchmark.targets import check_targets
from catalog.benchmarking.store import InvalidReport, record_run, stream_kernels, validate_report
from catalog.formatting import duration, percent, si

DEFAULT_PRESET = "micro"
PROGRESS_WIDTH = 30

# (heading, how to show a result's value); right-aligned except the first two.
RESULT_COLUMNS = [
    ("backend", lambda r: r["backend"]),
    ("device", lambda r: r["device"]),
    ("batch", lambda r: str(r["batch_size"])),
    ("prompt", lambda r: str(r["prompt_tokens"])),
    ("gen", lambda r: str(r["generated_tokens"])),
    ("TTFT ms", lambda r: f"{r['ttft_s'] * 1e3:.2f}"),
    ("prefill tok/s", lambda r: f"{r['prefill_tokens_per_s']:,.0f}"),
    ("ITL p50 ms", lambda r: f"{r['itl_p50_s'] * 1e3:.3f}"),
    ("ITL p99 ms", lambda r: f"{r['itl_p99_s'] * 1e3:.3f}"),
    ("gen tok/s", lambda r: f"{r['generation_tokens_per_s']:,.1f}"),
    ("% matmul peak", lambda r: f"{100 * r['prefill_peak_fraction']:.1f}"),
    ("% bandwidth", lambda r: f"{100 * r['decode_bandwidth_fraction']:.1f}"),
]
LEFT_ALIGNED = 2


def text_table(headings, rows, *, left_aligned=LEFT_ALIGNED):
    """Rows of strings as aligned text lines: a heading line, a rule, then one line per row."""
    widths = [max(len(cell) for cell in column) for column in zip(headings, *rows, strict=True)]

    def line(cells):
        return "  ".join(
            cell.ljust(width) if index < left_aligned else cell.rjust(width)
            for index, (cell, width) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    return [line(headings), "  ".join("-" * width for width in widths), *(line(row) for row in rows)]


def results_table(results):
    return text_table(
        [heading for heading, _ in RESULT_COLUMNS], [[show(result) for _, show in RESULT_COLUMNS] for result in results]
    )


def summary_lines(report):
    """The report for a terminal: results table, machine limits, harness overhead, skipped backends, warnings."""
    machine, model = report["machine"], report["model"]
    lines = [
        f"{model['name']}: {model['parameters']:,} parameters, {report['threads']} thread(s), "
        f"{'quick' if report['quick'] else 'full'} run in {duration(report['duration_s'])}",
        "",
    ]
    lines += results_table(report["results"]) if report["results"] else ["No results: every backend was skipped."]
    kernels = ", ".join(f"{name} {si(rate, 'B/s')}" for name, rate in stream_kernels(machine))
    lines += [
        "",
        f"Machine: {machine['cpu_model']}, {machine['physical_cores']} physical cores, "
        f"{si(machine['memory_bytes'], 'B')} memory{', GPU ' + machine['gpu'] if machine['gpu'] else ''}",
        f"  matmul peak {si(machine['matmul_peak_flops'], 'FLOP/s')} (fp32, {machine['matmul']['library']}), "
        f"memory bandwidth {si(machine['memory_bandwidth'], 'B/s')} (best STREAM kernel of: {kernels})",
    ]
    overhead = report["harness_overhead"]
    if overhead:
        timed, bare = duration(overhead["harness_s_per_token"]), duration(overhead["bare_s_per_token"])
        lines += [
            f"Harness overhead, {overhead['backend']}: {percent(overhead['fraction'])} (median paired difference, "
            f"side by side; medians {timed} timed and {bare} bare per token)",
            f"  its bookkeeping alone: {duration(overhead['bookkeeping_s_per_token'])} per token "
            f"({percent(overhead['bookkeeping_fraction'])})",
        ]
    else:
        lines.append("Harness overhead: not measured")
    lines.append("Targets (ONNX Runtime and NumPy at batch 1, longest prompt):")
    lines += [f"  {check.describe()}" for check in check_targets(report["results"], report["harness_overhead"])]
    if report["skipped"]:
        lines.append("Skipped:")
        lines += [f"  {skip['backend']} ({skip['device']}): {skip['reason']}" for skip in report["skipped"]]
    if report["warnings"]:
        lines.append("Warnings:")
        lines += [f"  {text}" for text in report["warnings"]]
    return lines


def parse_backends(value, known):
    """``numpy,torch`` or ``all`` -> names in ``known``'s order; CommandError names any unknown one."""
    names = [name.strip() for name in value.split(",") if name.strip()]
    if not names:
        raise CommandError(f"--backend needs a name: {', '.join(known)} or all.")
    if "all" in names:
        return list(known)
    unknown = [name for name in names if name not in known]
    if unknown:
        raise CommandError(f"Unknown backend {', '.join(unknown)}: choose from {', '.join(known)}, or all.")
    return [name for name in known if name in names]


class ProgressBar:
    """``progress(done, total, label)`` for the runner: one redrawn line on a terminal, plain lines elsewhere.

    ``write`` takes text as it is (no line ending added).
    """

    def __init__(self, write, *, interactive):
        self.write, self.interactive, self.drawn = write, interactive, False

    def __call__(self, done, total, label):
        if not self.interactive:
            self.write(f"[{done}/{total}] {label}\n")
            return
        filled = PROGRESS_WIDTH * done // max(total, 1)
        bar = "#" * filled + "-" * (PROGRESS_WIDTH - filled)
        self.write(f"\r[{bar}] {done}/{total} {label[:60]:<60}")
        self.drawn = True

    def finish(self):
        if self.drawn:
            self.write("\n")
            self.drawn = False


class Command(BaseCommand):
    help = "Benchmark the bundled micro-model on this machine, print a summary and store the run."

    def add_arguments(self, parser):
        parser.add_argument("--preset", default=DEFAULT_PRESET, help="Model size: nano or micro (default micro).")
        parser.add_argument(
            "--backend", default="all", help="Comma-separated: numpy, onnxruntime, torch; or all (default)."
        )
        parser.add_argument("--quick", action="store_true", help="Fewer configurations and repetitions.")
        parser.add_argument("--threads", type=int, help="Threads per backend (default: the physical cores).")
        parser.add_argument("--json", type=Path, dest="json_path", help="Also write the report to this file.")
        parser.add_argument("--no-save", action="store_true", help="Print only; do not store the run.")

    def handle(self, *args, preset, backend, quick, threads, json_path, no_save, **options):
        # Imported here: the runner and its backends load NumPy and look for the optional frameworks.
        from catalog.benchmark.backends import BACKENDS
        from catalog.benchmark.config import PRESETS
        from catalog.benchmark.runner import BenchmarkError, run_benchmark

        if preset not in PRESETS:
            raise CommandError(f"Unknown preset {preset!r}: choose from {', '.join(PRESETS)}.")
        backends = parse_backends(backend, list(BACKENDS))
        if threads is not None and threads < 1:
            raise CommandError(f"--threads must be at least 1, not {threads}.")
        command = self.command_line(preset=preset, backends=backends, quick=quick, threads=threads)
        progress = ProgressBar(self.write_stderr, interactive=self.stderr.isatty())
        try:
            report = run_benchmark(preset=preset, backends=backends, quick=quick, threads=threads, progress=progress)
        except (ValueError, BenchmarkError) as error:
            raise CommandError(str(error)) from error
        finally:
            progress.finish()
        if json_path:  # first, so the measurements are kept whatever follows
            json_path.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
        problems = validate_report(report)
        if problems:
            kept = f" The report is in {json_path}." if json_path else ""
            raise CommandError(f"{InvalidReport(problems)}{kept}")
        for line in summary_lines(report):
            self.stdout.write(line)
        if json_path:
            self.stdout.write(f"Report written to {json_path}.")
        if no_save:
            return
        run = record_run(report=report, command=command)
        self.stdout.write(f"Stored as run {run.pk}: {reverse('catalog:benchmark-detail', args=[run.pk])}")

    def write_stderr(self, text):
        self.stderr.write(text, style_func=str, ending="")
        self.stderr.flush()

    @staticmethod
    def command_line(*, preset, backends, quick, threads):
        """The invocation, with every choice spelled out, so the stored run says how to repeat it."""
        words = ["python", "manage.py", "run_benchmark", "--preset", preset, "--backend", ",".join(backends)]
        words += ["--quick"] if quick else []
        words += ["--threads", str(threads)] if threads else []
        return shlex.join(words)
