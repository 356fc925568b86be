"""Runs of the bundled micro-model benchmark: measurements taken on a machine, not sourced facts.

A run is one ``manage.py run_benchmark`` invocation (its model, machine and limits); a result is one
(backend, device, batch, prompt, generated tokens) configuration of it, with every raw sample kept.
``catalog.benchmarking.store.record_run`` writes them from the runner's report (``catalog.benchmark``'s docstring).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from catalog.models.base import NON_NEGATIVE, non_negative_constraints

RUN_NUMBERS = ["duration_s", "threads", "parameters", "matmul_peak_flops", "memory_bandwidth"]
# Seconds, rates, sizes and fractions of a result: all >= 0 (a fraction of a peak may exceed 1 by noise).
RESULT_MEASUREMENTS = [
    "load_s",
    "session_s",
    "peak_rss_bytes",
    "ttft_s",
    "prefill_tokens_per_s",
    "tpot_s",
    "itl_p50_s",
    "itl_p90_s",
    "itl_p99_s",
    "generation_tokens_per_s",
    "prefill_flops",
    "prefill_flops_per_s",
    "prefill_peak_fraction",
    "decode_bytes",
    "decode_bytes_per_s",
    "decode_bandwidth_fraction",
    "ttft_spread",
    "itl_spread",
]


def measurement(label, **kwargs):
    return models.FloatField(label, validators=NON_NEGATIVE, **kwargs)


class BenchmarkRun(models.Model):
    """One benchmark invocation on one machine: the model it ran, the machine and its measured limits."""

    started_at = models.DateTimeField(_("started at"), db_index=True)
    duration_s = measurement("duration (s)")
    quick = models.BooleanField(
        _("quick"), default=False, help_text=_("Fewer repetitions and configurations: a smoke run.")
    )
    threads = models.PositiveIntegerField(
        _("threads"), help_text=_("BLAS and runtime threads the backends were pinned to.")
    )
    preset = models.CharField(
        _("preset"), max_length=40, db_index=True, help_text=_("The benchmark model's preset name.")
    )
    parameters = models.BigIntegerField(_("parameters"), validators=NON_NEGATIVE)
    weights_checksum = models.CharField(_("weights checksum (SHA-256)"), max_length=64)
    model = models.JSONField(
        _("model"), help_text=_("The model's shape as the report gives it (name, sizes, seed, checksum).")
    )
    machine = models.JSONField(
        _("machine"), help_text=_("CPU, memory, GPU, OS and library versions, matmul and STREAM details.")
    )
    cpu_model = models.CharField(_("CPU"), max_length=200, blank=True)
    matmul_peak_flops = measurement("measured matmul peak (FLOP/s)")
    memory_bandwidth = measurement("measured memory bandwidth (byte/s)", help_text=_("The best STREAM kernel."))
    harness_overhead = models.JSONField(
        _("harness overhead"), null=True, blank=True, help_text=_("Timing harness cost per token.")
    )
    skipped = models.JSONField(
        _("skipped"), default=list, blank=True, help_text=_("Backends not run, each with the reason.")
    )
    warnings = models.JSONField(_("warnings"), default=list, blank=True)
    command = models.CharField(
        _("command"), max_length=500, blank=True, help_text=_("The command line that made this run.")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        constraints = non_negative_constraints("benchmarkrun", RUN_NUMBERS)

    def __str__(self):
        quick = ", quick" if self.quick else ""
        return f"{self.preset} on {self.cpu_model or 'an unknown CPU'}, {self.started_at:%Y-%m-%d %H:%M}{quick}"


class BenchmarkResultQuerySet(models.QuerySet):
    def best_generation_rates(self):
        """Per run and backend/device, the best generation tokens/s: plain rows, runs oldest first, one query."""
        return (
            self.values("run_id", "run__started_at", "run__preset", "run__cpu_model", "run__quick", "backend", "device")
            .annotate(best=models.Max("generation_tokens_per_s"))
            .order_by("run__started_at", "run_id", "backend", "device")
        )


class BenchmarkResult(models.Model):
    """One configuration of a run: medians over its repetitions, the raw samples, and their roofline share."""

    run = models.ForeignKey(BenchmarkRun, verbose_name=_("run"), on_delete=models.CASCADE, related_name="results")
    backend = models.CharField(_("backend"), max_length=40)
    device = models.CharField(_("device"), max_length=40)
    batch_size = models.PositiveIntegerField(
        _("batch size"),
    )
    prompt_tokens = models.PositiveIntegerField(
        _("prompt tokens"),
    )
    generated_tokens = models.PositiveIntegerField(
        _("generated tokens"),
    )
    repetitions = models.PositiveIntegerField(
        _("repetitions"),
    )
    load_s = measurement("load (s)", help_text=_("Cold start: reading or building the model."))
    session_s = measurement("session (s)", help_text=_("Cold start: creating the inference session."))
    peak_rss_bytes = models.BigIntegerField(_("peak RSS (bytes)"), validators=NON_NEGATIVE)
    ttft_s = measurement("time to first token (s)")
    prefill_tokens_per_s = measurement("prefill tokens/s")
    tpot_s = measurement("time per output token (s)")
    itl_p50_s = measurement("inter-token latency p50 (s)")
    itl_p90_s = measurement("inter-token latency p90 (s)")
    itl_p99_s = measurement("inter-token latency p99 (s)")
    generation_tokens_per_s = measurement("generation tokens/s")
    prefill_flops = measurement("prefill FLOP")
    prefill_flops_per_s = measurement("prefill FLOP/s")
    prefill_peak_fraction = measurement("prefill fraction of the matmul peak")
    decode_bytes = measurement("decode bytes")
    decode_bytes_per_s = measurement("decode byte/s")
    decode_bandwidth_fraction = measurement("decode fraction of the memory bandwidth")
    ttft_spread = measurement("TTFT spread", help_text=_("Interquartile range over the median."))
    itl_spread = measurement("ITL spread", help_text=_("Interquartile range over the median."))
    warnings = models.JSONField(_("warnings"), default=list, blank=True)
    samples = models.JSONField(
        _("samples"), help_text=_("Every raw sample: ttft_s and decode_s per repetition, itl_s per token.")
    )

    objects = BenchmarkResultQuerySet.as_manager()

    class Meta:
        ordering = ["backend", "device", "batch_size", "prompt_tokens", "generated_tokens"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "backend", "device", "batch_size", "prompt_tokens", "generated_tokens"],
                name="benchmarkresult_unique_configuration",
            ),
            *non_negative_constraints("benchmarkresult", RESULT_MEASUREMENTS),
        ]

    def __str__(self):
        return (
            f"{self.backend}/{self.device}, batch {self.batch_size}, "
            f"{self.prompt_tokens} + {self.generated_tokens} tokens"
        )

    @property
    def configuration(self):
        """A short label for charts and tables: ``numpy/cpu b1 p128 g32``."""
        return f"{self.backend}/{self.device} b{self.batch_size} p{self.prompt_tokens} g{self.generated_tokens}"
