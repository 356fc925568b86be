"""The estimators over the catalog: inputs built from rows, prices picked, a fixed number of queries.

``catalog.estimators`` does the arithmetic; this module reads the catalog. The price of a chip is its
cheapest current on-demand cloud price in USD per accelerator-hour (instance price ÷ accelerators per
instance), across providers and regions; the page names the offering it used. A model's API prices are
its current price points.
"""

import dataclasses
import math
from dataclasses import dataclass

from django.db.models import Case, F, Q, Value, When

from catalog.benchmarking.store import model_config
from catalog.estimators import ChipSpec, ModelShape, count_tokens, estimate_serving, estimate_training, token_costs
from catalog.estimators.serving import PRECISIONS, USER_PRECISIONS
from catalog.estimators.tokens import PriceRow
from catalog.estimators.training import implied_utilization, ratio
from catalog.filters import FoundationModelFilterSet, HardwareFilterSet
from catalog.models import BenchmarkRun, CloudPrice, FoundationModel, Hardware, PricePoint, TrainingRun
from catalog.models.hardware import THROUGHPUT_FIELDS

# Bounds on what anyone may ask for, shared by the forms and the API serializers.
LIMITS = {
    "chips": (1, 1024),
    "training_chips": (1, 1_000_000),
    "batch": (1, 4096),
    "context": (1, 10_000_000),
    "parameters": (1, 10**15),
    "tokens": (1, 10**16),
    "layers": (1, 1000),
    "hidden_size": (1, 1_000_000),
    "heads": (1, 100_000),
    "memory_bytes": (1, 10**15),
    "memory_bandwidth": (1, 10**15),
    "peak_flops": (1, 10**19),
    "price": (0, 10_000),
    "token_count": (0, 10**12),
    "text_characters": 200_000,
}
# 25 x 40 cells keep the page under 300 KB (40 x 60 made it 540 KB); more rows are a page away
MAX_MATRIX_MODELS = 25
MAX_MATRIX_CHIPS = 40
HEAT_BUCKETS = 5


# ------------------------------------------------------------------------------------------ inputs

HYPOTHETICAL_MODEL = "hypothetical model"
HYPOTHETICAL_CHIP = "hypothetical chip"
MODEL_FIGURES = ("parameters", "active_parameters", "layers", "hidden_size", "attention_heads", "kv_heads")


def model_shape(model=None, **figures):
    """The estimator's view of a catalog model, the ``figures`` given (MODEL_FIGURES) overriding its own.

    Without a model, or one whose size the catalog lacks, a hypothetical model from the figures given.
    None when no parameter count is known either way.
    """
    figures = {name: value for name, value in figures.items() if value is not None}
    if model is not None and model.parameters:
        shape = ModelShape(
            name=model.display_name,
            parameters=model.parameters,
            active_parameters=model.active_parameters,
            layers=model.layers,
            hidden_size=model.hidden_size,
            attention_heads=model.attention_heads,
            kv_heads=model.kv_heads,
            context_length=model.context_length,
        )
    elif figures.get("parameters"):
        shape = ModelShape(name=HYPOTHETICAL_MODEL, parameters=figures["parameters"])
    else:
        return None
    return dataclasses.replace(shape, **figures)


def chip_spec(chip=None, *, precision="bf16", memory_bytes=None, memory_bandwidth=None, peak_flops=None):
    """The estimator's view of a catalog chip (or a hypothetical one), the figures given overriding its own.

    ``peak_flops`` is the dense peak at ``precision``.
    """
    if chip is not None:
        spec = ChipSpec(
            name=chip.display_name,
            memory_bytes=chip.memory_bytes,
            memory_bandwidth=chip.memory_bandwidth,
            peaks={name: getattr(chip, name) for name in THROUGHPUT_FIELDS if getattr(chip, name)},
        )
    else:
        spec = ChipSpec(name=HYPOTHETICAL_CHIP, memory_bytes=None, memory_bandwidth=None)
    given = {"memory_bytes": memory_bytes, "memory_bandwidth": memory_bandwidth}
    spec = dataclasses.replace(spec, **{name: value for name, value in given.items() if value is not None})
    if peak_flops:
        spec = dataclasses.replace(spec, peaks={**spec.peaks, PRECISIONS[precision].peak_fields[0]: peak_flops})
    return spec


def cheapest_cloud_prices(hardware_ids):
    """{hardware id: CloudPrice} — the cheapest current on-demand USD price per accelerator-hour. One query."""
    prices = (
        CloudPrice.objects.current()
        .filter(hardware_id__in=list(hardware_ids), pricing_kind="on-demand", currency="USD")
        .select_related("provider")
        .order_by("pk")
    )
    cheapest = {}
    for price in prices:
        best = cheapest.get(price.hardware_id)
        if best is None or price.price_per_accelerator_hour < best.price_per_accelerator_hour:
            cheapest[price.hardware_id] = price
    return cheapest


@dataclass(frozen=True)
class ChipHourPrice:
    """What one chip-hour costs in an estimate, and where that figure came from."""

    usd: object  # Decimal, or None when no price was given and the catalog has none for the chip
    offering: CloudPrice | None = None  # the cloud offering priced; None when the price was given
    given: bool = False


def chip_hour_price(chip, given=None, *, cheapest=None):
    """The price given, else the chip's cheapest current on-demand cloud price (``cheapest``: a dict from
    ``cheapest_cloud_prices`` already read, else one query)."""
    if given is not None:
        return ChipHourPrice(given, given=True)
    if chip is None:
        return ChipHourPrice(None)
    if cheapest is None:
        cheapest = cheapest_cloud_prices([chip.pk])
    offering = cheapest.get(chip.pk)
    return ChipHourPrice(offering.price_per_accelerator_hour if offering else None, offering)


def current_api_prices(model_ids):
    """{model id: [current PricePoint]}, standard tier first. One query."""
    prices = (
        PricePoint.objects.current()
        .filter(model_id__in=list(model_ids))
        .select_related("provider")
        .order_by("provider__name", "api_model_id", "context_tier")
    )
    by_model = {}
    for price in prices:
        by_model.setdefault(price.model_id, []).append(price)
    for rows in by_model.values():
        rows.sort(key=lambda row: row.context_tier != "standard")
    return by_model


# ----------------------------------------------------------------------------------------- serving


@dataclass
class Pair:
    model: FoundationModel | None
    chip: Hardware | None
    estimate: object  # ServingEstimate, or None when the model's size is unknown
    price: ChipHourPrice

    @property
    def cloud_price(self):
        return self.price.offering

    @property
    def price_is_override(self):
        return self.price.given


def serving_pair(model, chip, *, settings, price=None, cheapest=None, model_figures=None, chip_figures=None):
    """The serving estimate for ``model`` on ``chip`` (either may be None when its figures are given).

    ``settings``: precision, chips, batch, context, utilization. ``price``: USD per chip-hour given, else the
    chip's cheapest cloud price. ``model_figures`` / ``chip_figures`` override the rows' own (see
    ``model_shape`` and ``chip_spec``).
    """
    cost = chip_hour_price(chip, price, cheapest=cheapest)
    shape = model_shape(model, **(model_figures or {}))
    if shape is None:
        return Pair(model, chip, None, cost)
    spec = chip_spec(chip, precision=settings["precision"], **(chip_figures or {}))
    estimate = estimate_serving(shape, spec, price_per_chip_hour=cost.usd, **settings)
    return Pair(model, chip, estimate, cost)


def estimable_models():
    return FoundationModel.objects.filter(parameters__gt=0)


def estimable_hardware():
    """Accelerators with a memory size or a bandwidth: what the serving estimate needs at least."""
    return (
        Hardware.objects.accelerators()
        .filter(Q(memory_bytes__gt=0) | Q(memory_bandwidth__gt=0))
        .select_related("vendor")
    )


def matrix_models(*, family="", access="", capability=None):
    """The matrix's rows: estimable models, filtered as the model list and the API filter them, newest first.

    ``family`` is matched as the API's ``series``: the family, or names starting with its words on word
    boundaries ("Llama 3" -> Llama 3, 3.1, 3.2, 3.3).
    """
    data = {"series": family, "access": [access] if access else []}  # a multiple-choice filter takes a list
    chosen = FoundationModelFilterSet(data, queryset=estimable_models()).qs
    if capability is not None:
        chosen = capability.filter(chosen)
    return chosen.order_by(F("release_date").desc(nulls_last=True), "name")


def matrix_chips(*, vendor=None, kind="", priced=False):
    """The matrix's columns: estimable chips of a vendor and kind (and with a cloud price), by vendor and age.

    The curated chips come first: the matrix shows MAX_MATRIX_CHIPS columns, and the curators' rows are the
    chips a buyer weighs; the outside-data layer's older and rarer parts follow.
    """
    data = {"vendor": [vendor.slug] if vendor else [], "kind": [kind] if kind else []}
    chips = HardwareFilterSet(data, queryset=estimable_hardware()).qs
    if priced:
        chips = chips.with_cloud_price()
    curated_first = Case(When(origin="", then=Value(0)), default=Value(1))
    return chips.order_by(curated_first, "vendor__name", F("release_date").asc(nulls_last=True), "name")


def heat(values, *, lower_is_better):
    """Bucket 0 (worst) to HEAT_BUCKETS-1 (best) of each value on a log scale between the extremes."""
    known = [value for value in values if value]
    if not known:
        return [None] * len(values)
    low, high = math.log10(min(known)), math.log10(max(known))
    buckets = []
    for value in values:
        if not value:
            buckets.append(None)
            continue
        share = 0.5 if high == low else (math.log10(value) - low) / (high - low)
        if lower_is_better:
            share = 1 - share
        buckets.append(min(HEAT_BUCKETS - 1, int(share * HEAT_BUCKETS)))
    return buckets


def fitted_pair(model, chip, *, settings, cheapest=None):
    """``serving_pair`` on the fewest chips that hold the model, when ``settings["chips"]`` is None (auto).

    The fewest is the smallest power of two (1, 2, 4, 8...: how tensor parallelism splits a model) whose
    memory holds the weights and the KV cache, within LIMITS; past that, the estimate on one chip, which says
    how many would be needed.
    """
    if settings["chips"] is not None:
        return serving_pair(model, chip, settings=settings, cheapest=cheapest)
    pair = serving_pair(model, chip, settings={**settings, "chips": 1}, cheapest=cheapest)
    needed = pair.estimate.chips_needed if pair.estimate else None
    if not needed or needed <= 1 or (pair.estimate and pair.estimate.fits):
        return pair
    count = 1 << (needed - 1).bit_length()
    if count > LIMITS["chips"][1]:
        return pair
    return serving_pair(model, chip, settings={**settings, "chips": count}, cheapest=cheapest)


def fit_matrix(models, chips, *, settings, metric="tokens"):
    """Rows of cells, one per chip: the estimate, the shown value and its colour bucket.

    ``settings["chips"]`` None: each cell on the fewest chips that hold its model (``fitted_pair``).
    Queries: the two lists passed in, and one for the cloud prices; none per cell.
    """
    models, chips = list(models), list(chips)
    prices = cheapest_cloud_prices(chip.pk for chip in chips)
    rows = []
    for model in models:
        cells = []
        for chip in chips:
            pair = fitted_pair(model, chip, settings=settings, cheapest=prices)
            estimate = pair.estimate
            if metric == "cost":
                value = estimate.usd_per_m_output if estimate and estimate.fits else None
            else:
                value = estimate.decode_tokens_per_s if estimate and estimate.fits else None
            cells.append({"pair": pair, "estimate": estimate, "value": value})
        rows.append({"model": model, "cells": cells})
    buckets = heat([cell["value"] for row in rows for cell in row["cells"]], lower_is_better=metric == "cost")
    flat = (cell for row in rows for cell in row["cells"])
    for cell, bucket in zip(flat, buckets, strict=True):
        cell["bucket"] = bucket
    return {"chips": chips, "rows": rows, "prices": prices}


# ---------------------------------------------------------------------------------------- training


def training_estimate(
    model,
    chip,
    *,
    chips,
    utilization,
    precision="bf16",
    price=None,
    reported_flop=None,
    parameters=None,
    tokens=None,
    peak_flops=None,
):
    """6 · N · D for ``model`` on ``chips`` of ``chip``, at ``price`` USD per chip-hour.

    ``parameters`` (N, taken as active), ``tokens`` (D) and ``peak_flops`` override the rows' figures, or
    describe a hypothetical model or chip when the row is None. ``reported_flop`` defaults to the model's own.
    """
    return estimate_training(
        parameters=parameters or (model and model.parameters),
        active_parameters=None if parameters else (model and model.active_parameters),
        tokens=tokens or (model and model.training_tokens),
        chip=chip_spec(chip, precision=precision, peak_flops=peak_flops) if chip or peak_flops else None,
        chips=chips,
        precision=precision,
        utilization=utilization,
        price_per_chip_hour=price,
        reported_flop=reported_flop or (model and model.training_compute_flop),
        model_name=model.display_name if model else HYPOTHETICAL_MODEL,
    )


def runs_worth_comparing(model, limit):
    """The ``limit`` recorded runs a page sets beside an estimate, ranked in the database (the page's cost does not
    grow with the table): ``model``'s own first, then the runs with the most reported figures an estimate can be
    set against (training compute, where the model's parameters and tokens give 6 · N · D; duration and cost,
    where the chips and their count are known), newest model first."""
    with_chips = Q(chip_count__gt=0, hardware__isnull=False)
    comparable = {
        "flop": Q(model__parameters__isnull=False, model__training_tokens__isnull=False)
        & (Q(training_compute_flop__isnull=False) | Q(model__training_compute_flop__isnull=False)),
        "hours": with_chips & Q(duration_hours__isnull=False),
        "cost": with_chips & Q(cost_usd__isnull=False),
    }
    figures = sum(Case(When(condition, then=Value(1)), default=Value(0)) for condition in comparable.values())
    chosen = Case(When(model_id=getattr(model, "pk", None), then=Value(1)), default=Value(0))
    return (
        TrainingRun.objects.select_related("model", "hardware")
        .annotate(chosen=chosen, figures=figures)
        .order_by("-chosen", "-figures", F("model__release_date").desc(nulls_last=True), "slug")[:limit]
    )


def training_comparisons(*, utilization, precision="bf16", model=None, runs=None):
    """Recorded training runs beside the estimate for the same model, chip and chip count: ``runs`` (a queryset,
    in its order), else ``model``'s runs, else every run.

    The estimate uses 6 · N · D and the page's utilization, not the run's own (which is usually derived from
    the very figures compared). Two queries: the runs with their models and chips, and the cloud prices.
    """
    if runs is None:
        runs = TrainingRun.objects.order_by("model__release_date", "slug")
        runs = runs.filter(model=model) if model is not None else runs
        runs = runs.select_related("model", "hardware")
    runs = list(runs)
    prices = cheapest_cloud_prices({run.hardware_id for run in runs if run.hardware_id})
    rows = []
    for run in runs:
        model = run.model
        reported_flop = run.training_compute_flop or model.training_compute_flop
        cost = chip_hour_price(run.hardware, cheapest=prices)
        estimate = training_estimate(
            model,
            run.hardware,
            chips=run.chip_count or 1,
            utilization=utilization,
            precision=precision,
            price=cost.usd if run.chip_count else None,
            reported_flop=reported_flop,
        )
        has_chips = bool(run.chip_count and run.hardware_id)
        rows.append(
            {
                "run": run,
                "estimate": estimate,
                "cloud_price": cost.offering,
                "reported_flop": reported_flop,
                "flop_ratio": ratio(estimate.flop, reported_flop) if estimate.flop_source == "6ND" else None,
                "hours": estimate.hours if has_chips else None,
                "hours_ratio": ratio(estimate.hours, run.duration_hours) if has_chips else None,
                "cost": estimate.cost_usd if has_chips else None,
                "cost_ratio": ratio(estimate.cost_usd, run.cost_usd) if has_chips else None,
                "implied_utilization": implied_utilization(
                    flop=reported_flop, chips=run.chip_count, peak=estimate.peak_flops, hours=run.duration_hours
                ),
            }
        )
    return rows


# ------------------------------------------------------------------------------------------ tokens


def price_rows(prices):
    """Current price points as the token calculator's inputs."""
    return [
        PriceRow(
            key=price,
            offering=(price.provider_id, price.api_model_id),
            context_tier=price.context_tier,
            input_per_mtok=price.input_per_mtok,
            output_per_mtok=price.output_per_mtok,
            cached_input_per_mtok=price.cached_input_per_mtok,
        )
        for price in prices
    ]


def current_usd_prices():
    return PricePoint.objects.current().comparable().select_related("model", "provider")


# ------------------------------------------------------------------------------------ method check


def method_check():
    """The latest benchmark run's measurements beside this estimator's bounds for the same micro-model on
    the same machine (its measured matmul peak and memory bandwidth, utilization 1). None without a run.

    Two queries: the run, its results.
    """
    run = BenchmarkRun.objects.first()
    if run is None:
        return None
    config = model_config(run)
    shape = ModelShape(
        name=config.name,
        parameters=config.parameter_count,
        layers=config.n_layers,
        hidden_size=config.d_model,
        attention_heads=config.n_heads,
        kv_heads=config.n_heads,
        context_length=config.max_context,
    )
    machine = ChipSpec(
        name=run.cpu_model or "this machine",
        memory_bytes=None,
        memory_bandwidth=run.memory_bandwidth,
        peaks={"fp32_flops": run.matmul_peak_flops},
    )
    rows = []
    for result in run.results.all():
        estimate = estimate_serving(
            shape,
            machine,
            precision="fp32",
            chips=1,
            batch=result.batch_size,
            context=result.prompt_tokens + result.generated_tokens,
            utilization=1.0,
        )
        rows.append(
            {
                "result": result,
                "estimate": estimate,
                "decode_share": ratio(result.generation_tokens_per_s, estimate.decode_tokens_per_s),
                "prefill_share": ratio(result.prefill_tokens_per_s, estimate.prefill_tokens_per_s),
            }
        )
    return {"run": run, "config": config, "rows": rows}


def precision_choices():
    return [(key, PRECISIONS[key].label) for key in USER_PRECISIONS]


# ------------------------------------------------------------------------------------------- tokens


def token_quote(*, text, family, input_tokens, cached_tokens, output_tokens, capability=None):
    """(the count from ``text`` or None, the input tokens used, every current price's cost, cheapest first).

    A pasted text replaces the input count, counted by its tokenizer family's stated rule. ``capability``
    (``catalog.capability.CapabilityClass``): only the prices of models in that class.
    """
    prices = current_usd_prices()
    if capability is not None:
        prices = capability.filter(prices, "model")
    counted = count_tokens(text, family) if text else None
    used = counted.tokens if counted else input_tokens
    costs = token_costs(
        input_tokens=used,
        cached_tokens=cached_tokens,
        output_tokens=output_tokens,
        prices=price_rows(prices),
    )
    return counted, used, costs
