"""Worked serving examples and how close the training estimator lands to the recorded runs.

    .venv/bin/python perf/estimator_report.py [--utilization 0.4]

Builds a throwaway SQLite database with the bundled data (or uses DATABASE_URL when set and already
loaded), then prints three serving estimates with their inputs and results, and a table of every recorded
training run with a 6 · N · D estimate against what was reported (estimate ÷ reported).
"""

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

EXAMPLES = [
    ("llama-3-70b", "nvidia-h100-sxm", {"precision": "bf16", "chips": 2, "batch": 1, "context": 8192}),
    ("mixtral-8x7b", "nvidia-h100-sxm", {"precision": "fp8", "chips": 1, "batch": 16, "context": 4096}),
    ("llama-3-8b", "nvidia-l4", {"precision": "int8", "chips": 1, "batch": 8, "context": 8192}),
]


def setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "landscape.settings")
    os.environ.setdefault("DJANGO_DEBUG", "true")
    fresh = "DATABASE_URL" not in os.environ
    if fresh:
        os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/estimators.sqlite3"
    import django
    from django.core.management import call_command

    django.setup()
    if fresh:
        call_command("migrate", verbosity=0)
        call_command("load_bundled_data", verbosity=0)


def serving_examples(utilization):
    from catalog import estimating
    from catalog.estimating_text import assumption_text
    from catalog.formatting import money, si
    from catalog.models import FoundationModel, Hardware

    for model_slug, chip_slug, settings in EXAMPLES:
        model, chip = FoundationModel.objects.get(slug=model_slug), Hardware.objects.get(slug=chip_slug)
        cloud = estimating.cheapest_cloud_prices([chip.pk]).get(chip.pk)
        pair = estimating.serving_pair(
            model, chip, settings={**settings, "utilization": utilization}, cloud_price=cloud
        )
        e = pair.estimate
        prices = estimating.current_api_prices([model.pk]).get(model.pk, [])
        api = ", ".join(
            f"{p.provider.name} {p.api_model_id}: in {money(p.input_per_mtok)} / out {money(p.output_per_mtok)}"
            for p in prices
        )
        print(f"\n{model.name} × {settings['chips']} {chip.name}, {settings}, utilization {utilization}")
        print(f"  memory: {si(e.required_bytes, 'B')} needed of {si(e.available_bytes, 'B')} -> fits: {e.fits}")
        print(f"  decode bound: {e.decode_tokens_per_s:,.1f} tokens/s ({e.decode_limited_by}-bound)")
        print(f"  prefill bound: {e.prefill_tokens_per_s:,.0f} tokens/s")
        price = f"{money(e.price_per_chip_hour)}/chip-h ({cloud.provider.name} {cloud.instance_type})" if cloud else "-"
        print(f"  price: {price}; USD per 1M output tokens: {money(e.usd_per_m_output) if e.usd_per_m_output else '-'}")
        print(f"  API prices: {api or 'none in the catalog'}")
        for assumption in e.assumptions:
            print(f"  assumption: {assumption_text(assumption)}")


def fmt(value, spec):
    return format(value, spec) if value is not None else "-"


def training_table(utilization):
    from catalog import estimating

    print(f"\nTraining runs at {utilization:.0%} utilization (ratio = estimate ÷ reported)")
    header = ("run", "chips", "FLOP est", "FLOP rep", "ratio", "h est", "h rep", "ratio", "$ est", "$ rep", "ratio")
    print(" | ".join(header))
    for row in estimating.training_comparisons(utilization=utilization):
        run, estimate = row["run"], row["estimate"]
        chips = f"{run.chip_count or '?'} × {run.hardware.slug if run.hardware_id else '?'}"
        print(
            " | ".join(
                [
                    run.slug,
                    chips,
                    fmt(estimate.flop if estimate.flop_source == "6ND" else None, ".3g"),
                    fmt(row["reported_flop"], ".3g"),
                    fmt(row["flop_ratio"], ".2f"),
                    fmt(row["hours"], ",.0f"),
                    fmt(run.duration_hours, ",.0f"),
                    fmt(row["hours_ratio"], ".2f"),
                    fmt(row["cost"], ",.0f"),
                    fmt(run.cost_usd, ",.0f"),
                    fmt(row["cost_ratio"], ".2f"),
                ]
            )
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--utilization", type=float, default=0.4)
    args = parser.parse_args()
    setup()
    serving_examples(0.5)
    training_table(args.utilization)


if __name__ == "__main__":
    main()
