"""Regenerate the bundle's outside-data layer (``fixtures/outside/``) from named input files.

Run it through ``make bundle-outside-data``, which builds a scratch database holding the curated fixtures
only, as ``catalog.importers.outside.build_layer`` requires. See that module for what is written and why.
"""

from django.core.management import BaseCommand, CommandError

from catalog.importers.outside import build_layer


class Command(BaseCommand):
    help = (
        "Write fixtures/outside/ from Epoch AI's tables and benchmark runs and LiteLLM's price map "
        "(on a curated-only database)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--epoch-hardware", help="Epoch AI's ml_hardware CSV.")
        parser.add_argument("--epoch-models", help="Epoch AI's notable AI models CSV.")
        parser.add_argument("--litellm", help="LiteLLM's model_prices_and_context_window.json.")
        parser.add_argument("--epoch-benchmarks", help="Epoch AI's Benchmarking Hub runs CSV.")
        parser.add_argument("--out", default="fixtures/outside", help="The layer's folder (default fixtures/outside).")

    def handle(self, *args, **options):
        # Hardware before models (Epoch's training runs name chips), models before prices, and benchmark runs
        # last: their model ids are matched against every model, those the two inputs before them add included.
        order = [
            ("epoch-hardware", "epoch_hardware"),
            ("epoch-models", "epoch_models"),
            ("litellm", "litellm"),
            ("epoch-benchmarks", "epoch_benchmarks"),
        ]
        inputs = [(fmt, options[name]) for fmt, name in order if options[name]]
        if not inputs:
            raise CommandError(
                "Name at least one input file (--epoch-hardware, --epoch-models, --litellm, --epoch-benchmarks)."
            )
        summary = build_layer(inputs, options["out"])
        for file_name, count in summary.rows.items():
            self.stdout.write(f"{options['out']}/{file_name}: {count} rows")
        for change in summary.curated_changes:
            self.stdout.write(f"curated price to update by hand: {change}")
        self.stdout.write(
            f"{summary.discrepancies} discrepancies with curated rows recorded; "
            f"{summary.skipped_curated_offerings} prices left out for offerings the curated files price."
        )
