"""Storing benchmark reports, and reading a stored run back: beside the catalog's chips, against its targets.

``record_run`` checks a report from ``catalog.benchmark.runner.run_benchmark`` against the contract in
``catalog.benchmark``'s docstring and stores it all or nothing. ``catalog_bounds`` works out how fast the
same model could run on each catalog accelerator by the roofline: an upper bound from datasheet peaks,
not a measurement, computed with the same arithmetic as this machine's own bound. ``target_checks``
judges a stored run against the issue's performance targets. The pages and the API show what these
return; they judge nothing themselves.
"""

from django.db import transaction
from django.db.models import Case, Count, F, FloatField, IntegerField, Value, When, Window
from django.db.models.functions import Least, RowNumber
from django.utils.translation import gettext_lazy as _

from catalog.benchmark.config import ModelConfig
from catalog.benchmark.os_name import public_os
from catalog.benchmark.roofline import decode_bound, prefill_bound
from catalog.benchmark.targets import RESULT_FIELDS, check_targets
from catalog.benchmarking.validation import RESULT_COLUMNS, InvalidReport, is_number, parse_started_at, validate_report
from catalog.models import BenchmarkResult, BenchmarkRun, Hardware

__all__ = [
    "InvalidReport",
    "catalog_bounds",
    "headline_chips",
    "model_config",
    "record_run",
    "stream_kernels",
    "target_checks",
    "validate_report",
]

ESTIMATE_NOTE = _(
    "Roofline upper bounds from datasheet peaks, not measurements: for each chip, the time of a phase is at "
    "least its FLOPs over the peak and its bytes over the memory bandwidth. Real serving reaches a fraction "
    "of these; this machine's bound uses its own measured matmul peak and memory bandwidth."
)


# ---------------------------------------------------------------------------------------------- writes


def record_run(*, report, command=""):
    """Store a benchmark report as a run and its results, all or nothing; raise ``InvalidReport`` if it is off."""
    problems = validate_report(report)
    if problems:
        raise InvalidReport(problems)
    machine, model = {**report["machine"], "os": public_os(report["machine"]["os"])}, report["model"]
    with transaction.atomic():
        run = BenchmarkRun.objects.create(
            started_at=parse_started_at(report["started_at"], []),
            duration_s=report["duration_s"],
            quick=report["quick"],
            threads=report["threads"],
            preset=model["name"],
            parameters=model["parameters"],
            weights_checksum=model["checksum"],
            model=model,
            machine=machine,
            cpu_model=machine["cpu_model"][: BenchmarkRun._meta.get_field("cpu_model").max_length],
            matmul_peak_flops=machine["matmul_peak_flops"],
            memory_bandwidth=machine["memory_bandwidth"],
            harness_overhead=report["harness_overhead"],
            skipped=report["skipped"],
            warnings=report["warnings"],
            command=command[: BenchmarkRun._meta.get_field("command").max_length],
        )
        BenchmarkResult.objects.bulk_create(
            BenchmarkResult(
                run=run,
                warnings=result["warnings"],
                samples=result["samples"],
                **{column: result[column] for column in RESULT_COLUMNS},
            )
            for result in report["results"]
        )
    return run


# ----------------------------------------------------------------------------------------------- reads

DEFAULT_PROMPT_TOKENS = 128
DEFAULT_GENERATED_TOKENS = 32
CONFIG_FIELDS = ("name", "vocab_size", "d_model", "n_layers", "n_heads", "max_context", "seed")


def stream_kernels(machine):
    """(kernel, byte/s) of each STREAM kernel a machine dict holds; its memory bandwidth is the best of them."""
    stream = machine.get("stream") or {}
    return [(name, rate) for name, rate in stream.items() if name != "array_bytes" and is_number(rate)]


def model_config(run):
    """The benchmark model the run measured, rebuilt from the shape it stored."""
    return ModelConfig(**{field: run.model[field] for field in CONFIG_FIELDS})


def default_lengths(results, batch_size):
    """The longest prompt measured at ``batch_size`` (any batch if none), and its longest generation."""
    candidates = [result for result in results if result.batch_size == batch_size] or list(results)
    if not candidates:
        return DEFAULT_PROMPT_TOKENS, DEFAULT_GENERATED_TOKENS
    prompt = max(result.prompt_tokens for result in candidates)
    generated = max(result.generated_tokens for result in candidates if result.prompt_tokens == prompt)
    return prompt, generated


def peak_for_fp32_model(chip):
    """(peak FLOP/s, precision, assumption): the model is fp32, so its FP32 peak, else its BF16/FP16 one."""
    if chip.fp32_flops:
        return chip.fp32_flops, "fp32", ""
    return (
        chip.bf16_flops,
        "bf16",
        _(
            "No FP32 peak in the catalog: the dense BF16/FP16 tensor peak is used, as if the model ran in BF16 "
            "at the same bytes (an optimistic bound)."
        ),
    )


def bound_row(config, *, prompt_tokens, generated_tokens, batch_size, peak_flops, bandwidth):
    prefill = prefill_bound(
        config, prompt_tokens=prompt_tokens, batch_size=batch_size, peak_flops=peak_flops, bandwidth=bandwidth
    )
    decode = decode_bound(
        config,
        prompt_tokens=prompt_tokens,
        generated_tokens=generated_tokens,
        batch_size=batch_size,
        peak_flops=peak_flops,
        bandwidth=bandwidth,
    )
    return {
        "peak_flops": peak_flops,
        "memory_bandwidth": bandwidth,
        "prefill_tokens_per_s": prefill.tokens_per_s,
        "prefill_limited_by": prefill.limited_by,
        "decode_tokens_per_s": decode.tokens_per_s,
        "decode_limited_by": decode.limited_by,
    }


def estimated_hardware():
    """Catalog accelerators with a memory bandwidth and an FP32 or BF16 peak: one query, vendors joined."""
    return Hardware.objects.with_roofline(("fp32_flops", "bf16_flops")).select_related("vendor")


def ranked_hardware(config, *, prompt_tokens, generated_tokens, batch_size):
    """``estimated_hardware`` with the decode bound worked out by the database (``decode_rate``) and
    ``uncurated`` (0 for a curated row), so that a page reads its few chips, not every chip in the catalog.

    The same roofline as ``decode_bound`` and ``peak_for_fp32_model``: tokens/s = min(tokens x peak / FLOPs,
    tokens x bandwidth / bytes), the FP32 peak where there is one, else the BF16 one. Only the order is taken
    from here; the rows shown are computed by ``bound_row`` as before.
    """
    flops, traffic = config.generation_cost(prompt_tokens, generated_tokens, batch_size)
    tokens = batch_size * (generated_tokens - 1)
    peak = Case(When(fp32_flops__gt=0, then=F("fp32_flops")), default=F("bf16_flops"), output_field=FloatField())
    limits = [peak * Value(tokens / flops)] if flops else []
    if traffic:
        limits.append(F("memory_bandwidth") * Value(tokens / traffic))
    rate = Least(*limits, output_field=FloatField()) if len(limits) > 1 else limits[0] if limits else Value(0.0)
    curated = Case(When(origin="", then=Value(0)), default=Value(1), output_field=IntegerField())
    return estimated_hardware().annotate(decode_rate=rate, uncurated=curated)


def headline_hardware(ranked, *, limit):
    """The chips ``headline_chips`` can pick from ``ranked`` (``ranked_hardware``), read by the database: each
    vendor's first chip (curated first, then fastest), the first ``limit`` of them, and the next fastest ones
    to fill up when there are fewer vendors. At most 2 x ``limit`` rows whatever the catalog's size."""
    order = ("uncurated", "-decode_rate", "name", "pk")
    by_vendor = [F("uncurated").asc(), F("decode_rate").desc(), F("name").asc(), F("pk").asc()]
    place = Window(RowNumber(), partition_by=[F("vendor_id")], order_by=by_vendor)
    firsts = list(ranked.annotate(place=place).filter(place=1).order_by(*order)[:limit])
    # Always read (a constant number of queries); used only when there are fewer vendors than ``limit``.
    rest = list(ranked.exclude(pk__in=[chip.pk for chip in firsts]).order_by(*order)[:limit])
    return firsts + rest[: limit - len(firsts)]


def catalog_bounds(
    run, *, prompt_tokens=None, generated_tokens=None, batch_size=1, limit=None, offset=0, headline=None
):
    """This run's model on this machine (measured and bound) and on the catalog's accelerators (bound only).

    Lengths default to the longest prompt measured at ``batch_size`` and its longest generation. Returns
    plain data: ``note`` (these are estimates), the lengths, ``this_machine`` (its roofline bound from the
    measured peaks), ``measured`` (the matching results, per backend), ``hardware`` (one row per chip,
    fastest decode first, each saying which precision's peak it used) and ``hardware_count`` (every chip
    with the figures for a bound). ``hardware`` holds every chip, or the fastest ``limit`` from ``offset``,
    or with ``headline`` the chips ``headline_chips(..., limit=headline)`` picks from (a page's few).
    """
    results = list(run.results.all())
    default_prompt, default_generated = default_lengths(results, batch_size)
    lengths = {
        "prompt_tokens": prompt_tokens or default_prompt,
        "generated_tokens": generated_tokens or default_generated,
        "batch_size": batch_size,
    }
    config = model_config(run)
    measured = [
        {
            "backend": result.backend,
            "device": result.device,
            "prefill_tokens_per_s": result.prefill_tokens_per_s,
            "generation_tokens_per_s": result.generation_tokens_per_s,
        }
        for result in results
        if (result.batch_size, result.prompt_tokens, result.generated_tokens)
        == (batch_size, lengths["prompt_tokens"], lengths["generated_tokens"])
    ]
    this_machine = {
        "precision": "fp32",
        "assumption": "",
        **bound_row(config, **lengths, peak_flops=run.matmul_peak_flops, bandwidth=run.memory_bandwidth),
    }
    ranked = ranked_hardware(config, **lengths)
    if headline is not None:
        chips = headline_hardware(ranked, limit=headline)
    elif limit is not None:
        # The count rides along on each row (COUNT(*) OVER ()): a page of chips is one query.
        page = ranked.annotate(total=Window(Count("pk"))).order_by("-decode_rate", "name", "pk")
        chips = list(page[offset : offset + limit])
    else:
        chips = ranked
    hardware = []
    for chip in chips:
        peak, precision, assumption = peak_for_fp32_model(chip)
        hardware.append(
            {
                "slug": chip.slug,
                "name": chip.display_name,
                "vendor": chip.vendor.display_name,
                "vendor_slug": chip.vendor.slug,
                "curated": not chip.origin,  # the curators' row, not one from the outside-data layer
                "precision": precision,
                "assumption": assumption,
                **bound_row(config, **lengths, peak_flops=peak, bandwidth=chip.memory_bandwidth),
            }
        )
    hardware.sort(key=lambda row: (-row["decode_tokens_per_s"], row["name"]))
    if headline is None and limit is None:
        count = len(hardware)
    elif headline is None and chips:
        count = chips[0].total
    else:
        count = ranked.count() if headline is not None or offset else 0
    return {
        "note": ESTIMATE_NOTE,
        **lengths,
        "this_machine": this_machine,
        "measured": measured,
        "hardware": hardware,
        "hardware_count": count,
    }


def headline_chips(hardware, *, limit):
    """The chips a run's page shows: the fastest of each vendor, curated rows first, fastest decode first.

    ``hardware``: ``catalog_bounds``' rows (fastest decode first). With 146 chips in the catalog a page
    cannot show them all; one per vendor keeps NVIDIA, AMD, Google and the Korean NPUs side by side. When
    there are fewer vendors than ``limit``, the next fastest chips fill the rest.
    """
    ordered = sorted(hardware, key=lambda row: not row["curated"])  # stable: fastest first within each group
    picked, vendors = [], set()
    for row in ordered:
        if len(picked) < limit and row["vendor_slug"] not in vendors:
            picked.append(row)
            vendors.add(row["vendor_slug"])
    picked += [row for row in ordered if row not in picked][: limit - len(picked)]
    return sorted(picked, key=lambda row: (-row["decode_tokens_per_s"], row["name"]))


def target_checks(run):
    """The issue's performance targets judged on a stored run (``catalog.benchmark.targets``' verdicts).

    The same judgement ``run_benchmark`` prints from the report before storing it. Reads the run's results
    through ``run.results.all()``, so a prefetched run costs no query.
    """
    results = [{field: getattr(result, field) for field in RESULT_FIELDS} for result in run.results.all()]
    return check_targets(results, run.harness_overhead)
