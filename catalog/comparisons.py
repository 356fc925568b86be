"""Side-by-side hardware comparison and per-vendor records, shared by the API and the website.

Both take chips from ``Hardware.objects.with_derived_metrics()`` (vendor selected, sources prefetched),
so every figure, stored or derived, comes with the row's confidence and sources.
"""

from dataclasses import dataclass

from django.db.models import prefetch_related_objects

from catalog import formatting
from catalog.choices import Confidence
from catalog.estimating import cheapest_cloud_prices
from catalog.figures import DERIVED_METRICS, FIGURES
from catalog.models import Hardware

MIN_COMPARED, MAX_COMPARED = 2, 6

# Stored figures worth setting side by side; their label, unit, format and better direction come from FIGURES.
COMPARED_FIELDS = [
    "release_date",
    "process_nm",
    "transistors",
    "die_area_mm2",
    "tdp_watts",
    "fp32_flops",
    "bf16_flops",
    "fp8_flops",
    "int8_ops",
    "fp4_flops",
    "memory_bytes",
    "memory_bandwidth",
    "interconnect_bandwidth",
]
# A model's figures compared on /compare/, in order.
MODEL_COMPARED_FIELDS = [
    "release_date",
    "parameters",
    "active_parameters",
    "training_tokens",
    "training_compute_flop",
    "context_length",
]


def comparable_hardware():
    return Hardware.objects.with_derived_metrics().select_related("vendor", "foundry").prefetch_related("sources")


def _metric(figure, values, subject="hardware"):
    """One row of a comparison: the figure's words and, per value, its text and whether it is the row's best."""
    best = figure.best([entry["value"] for entry in values])
    for entry in values:
        entry["text"] = figure.format(entry["value"])
        if figure.name == "release_date" and entry["value"] is not None:  # a date to the precision it is known
            entry["text"] = formatting.when(entry["value"], entry[subject].release_date_precision)
        entry["best"] = best is not None and entry["value"] == best
    return {
        "field": figure.name,
        "label": figure.label,
        "unit": figure.unit,
        "better": figure.better,
        "derived": figure.derived,
        "values": values,
    }


def compare_hardware(chips):
    """One entry per metric, each holding every chip's value with where it came from and the row's best."""
    metrics = []
    for field in COMPARED_FIELDS:
        values = [
            {
                "hardware": chip,
                "value": getattr(chip, field),
                "confidence": chip.confidence,
                "derived_from": [],
                "sourced": chip,
            }
            for chip in chips
        ]
        metrics.append(_metric(FIGURES[field], values))
    for field, metric in DERIVED_METRICS.items():
        values = [
            {
                "hardware": chip,
                "value": getattr(chip, field),
                # A ratio is derived, and never more certain than the figures it is made of.
                "confidence": least_certain(Confidence.DERIVED, chip.confidence),
                "derived_from": [metric.numerator, metric.denominator],
                "sourced": chip,
            }
            for chip in chips
        ]
        metrics.append(_metric(metric, values))
    metrics.append(_metric(FIGURES["price_per_accelerator_hour"], chip_hour_prices(chips)))
    return {"hardware": chips, "metrics": metrics}


def chip_hour_prices(chips):
    """Per chip, the cheapest on-demand USD price per accelerator-hour in force today (the estimators' rule,
    ``cheapest_cloud_prices``), with the cloud price row it comes from: its sources, and a confidence no better
    than derived (it is the instance price / chips)."""
    cheapest = cheapest_cloud_prices(chip.pk for chip in chips)
    prefetch_related_objects(list(cheapest.values()), "sources")  # one query for the rows shown
    values = []
    for chip in chips:
        offer = cheapest.get(chip.pk)
        values.append(
            {
                "hardware": chip,
                "value": float(offer.price_per_accelerator_hour) if offer else None,
                "confidence": least_certain(Confidence.DERIVED, offer.confidence) if offer else chip.confidence,
                "derived_from": ["price_per_hour", "accelerators_per_instance"],
                "sourced": offer or chip,
            }
        )
    return values


def compare_models(models):
    """The models' figures side by side, one row per figure, formatted and with the row's best marked."""
    rows = []
    for field in MODEL_COMPARED_FIELDS:
        values = [{"model": model, "value": getattr(model, field), "confidence": model.confidence} for model in models]
        rows.append(_metric(FIGURES[field], values, subject="model"))
    return rows


CONFIDENCE_ORDER = list(Confidence.values)  # most certain first


def least_certain(*levels):
    return max(levels, key=CONFIDENCE_ORDER.index)


@dataclass
class Record:
    value: object = None
    hardware: Hardware | None = None

    def offer(self, value, chip):
        if value is not None and (self.value is None or value > self.value):
            self.value, self.hardware = value, chip


def vendor_stats(chips):
    """Per vendor: how many chips, and which chip holds each record (best BF16, efficiency, memory, newest)."""
    by_vendor = {}
    for chip in chips:
        stats = by_vendor.setdefault(
            chip.vendor_id,
            {
                "vendor": chip.vendor,
                "chips": 0,
                "bf16_flops": Record(),
                "bf16_flops_per_watt": Record(),
                "memory_bytes": Record(),
                "release_date": Record(),
            },
        )
        stats["chips"] += 1
        for field in ("bf16_flops", "bf16_flops_per_watt", "memory_bytes", "release_date"):
            stats[field].offer(getattr(chip, field), chip)
    rows = []
    for stats in by_vendor.values():
        best_bf16, best_efficiency = stats["bf16_flops"], stats["bf16_flops_per_watt"]
        largest_memory, latest = stats["memory_bytes"], stats["release_date"]
        rows.append(
            {
                "vendor": stats["vendor"],
                "chips": stats["chips"],
                "best_bf16_flops": best_bf16.value,
                "best_bf16_flops_hardware": best_bf16.hardware,
                "best_bf16_flops_per_watt": best_efficiency.value,
                "best_bf16_flops_per_watt_hardware": best_efficiency.hardware,
                "largest_memory_bytes": largest_memory.value,
                "largest_memory_hardware": largest_memory.hardware,
                "latest_release_date": latest.value,
                "latest_release_hardware": latest.hardware,
            }
        )
    return sorted(rows, key=lambda row: row["vendor"].name)
