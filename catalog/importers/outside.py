"""The bundle's outside-data layer: what Epoch AI's tables and benchmark runs and LiteLLM's price map add to the
curated files.

``manage.py bundle_outside_data`` (``make bundle-outside-data``) runs on a database holding the curated
fixtures only (the evaluations among them: the Benchmarking Hub's runs become scores on those). It imports
each named input file with the project's own importers (the same code as ``import_data`` and the admin
page), then writes out, as fixtures in ``fixtures/outside/``:

- every row the imports created: a curated row is never written, so curated rows always win; a price
  period is written only for an offering the curated files do not price (they keep its whole history);
- for each such row, ``origin`` (input file and row, so every outside row traces back) and our own short
  note in place of the outside table's free-text notes, which are not copied;
- the dated checks a price map makes (``PriceCheck``): new rows even for a curated price, which they
  confirm without editing;
- a ``Discrepancy`` for every outside figure that disagrees by more than 1 % with a curated row's (the
  Epoch importer's "Epoch says ...; the catalog keeps ..."): shown beside the curated value, never applied.

``load_bundled_data`` loads this layer after the curated files and skips any row a curated file holds.
The licence of each dataset is on its ``Source`` row and is shown wherever the data is shown.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

from django.core import serializers
from django.core.management.base import CommandError
from django.db import transaction

from catalog.importers import litellm, service
from catalog.importers.engine import UPDATE
from catalog.importers.epoch.benchmarks import BENCHMARKS_SOURCE
from catalog.importers.epoch.common import HARDWARE_SOURCE, MODELS_SOURCE
from catalog.importers.lookups import natural_key_text
from catalog.importers.records import label_of
from catalog.models import (
    Discrepancy,
    EvaluationScore,
    FoundationModel,
    Hardware,
    Organization,
    PriceCheck,
    PricePoint,
    Source,
    TrainingRun,
)

# The tables the layer may add rows to, in the order they load (parents first), and the file of each.
LAYER_FILES = [
    (Organization, "01_organizations.json"),
    (Hardware, "02_hardware.json"),
    (FoundationModel, "10_models.json"),
    (TrainingRun, "11_training_runs.json"),
    (PricePoint, "12_prices.json"),
    (PriceCheck, "13_price_checks.json"),
    (EvaluationScore, "14_evaluation_scores.json"),  # after the models, so a score may name a layer model
    (Discrepancy, "90_discrepancies.json"),
]
# Each input format: its source, the dataset's title for the note every row from it carries, and whether the
# importer's own notes are ours to keep (LiteLLM's: our working, such as how a model was read from an id) or
# the outside table's free text, which is not copied (Epoch's).
DATASETS = {
    "epoch-hardware": (HARDWARE_SOURCE["url"], "Epoch AI's Machine Learning Hardware table", False),
    "epoch-models": (MODELS_SOURCE["url"], "Epoch AI's Notable AI Models table", False),
    "litellm": (litellm.SOURCE_URL, "LiteLLM's model price map", True),
    # The notes are ours (run id, snapshot month, log link): Epoch's export has no free text.
    "epoch-benchmarks": (BENCHMARKS_SOURCE["url"], "Epoch AI's Benchmarking Hub", True),
}
DISAGREEMENT = re.compile(r"^(?P<field>\w+): Epoch says (?P<outside>.+); the catalog keeps (?P<curated>.+)\.$")


@dataclass
class LayerSummary:
    rows: dict = field(default_factory=dict)  # file name -> rows written
    discrepancies: int = 0
    skipped_curated_offerings: int = 0
    curated_changes: list = field(default_factory=list)  # what the imports would change in curated rows


def outside_note(dataset_title):
    return f"From {dataset_title}, as published there (outside data: the curated catalog has no such row)."


def build_layer(inputs, out_dir):
    """Import ``inputs`` ([(format, path)]) into this database, write the layer to ``out_dir``, and roll
    the database back. The database must hold the curated fixtures and nothing else."""
    if FoundationModel.objects.exclude(origin="").exists() or Hardware.objects.exclude(origin="").exists():
        raise CommandError("This database holds outside rows already: build the layer on the curated data only.")
    summary = LayerSummary()
    with transaction.atomic():
        curated = {model: set(model.objects.values_list("pk", flat=True)) for model, _file in LAYER_FILES}
        curated_offerings = set(PricePoint.objects.values_list("provider_id", "api_model_id", "context_tier"))
        origins, discrepancies = {}, []
        for fmt, path in inputs:
            path = Path(path)
            report = service.import_file(fmt=fmt, data=path.read_bytes(), file_name=path.name, dry_run=False)
            if not report.ok:
                raise CommandError(f"{path.name} did not import: " + "\n".join(report.lines()[-10:]))
            source = Source.objects.get(url=DATASETS[fmt][0])
            for outcome in report.outcomes:
                if outcome.action == UPDATE and outcome.table == label_of(PricePoint):
                    # A curated period the price map ends (a retirement, a new price): the layer cannot edit a
                    # curated row, so a curator must. The command prints these.
                    summary.curated_changes.append(f"{outcome.key}: {outcome.changes} ({path.name}, {outcome.where})")
                origin = f"{path.name}, {outcome.where}"[:200]
                origins.setdefault((outcome.table, outcome.key), (origin, *DATASETS[fmt][1:]))
                discrepancies += disagreements(outcome, origin, source)
        layer, prices_in_bundle = {}, set()
        for model, file_name in LAYER_FILES[:-1]:
            rows = list(model.objects.exclude(pk__in=curated[model]).order_by("pk"))
            if model is PricePoint:
                kept = [row for row in rows if offering(row) not in curated_offerings]
                summary.skipped_curated_offerings = len(rows) - len(kept)
                rows = kept
                prices_in_bundle = curated[PricePoint] | {row.pk for row in kept}
            if model is PriceCheck:  # a check of a price left out above goes with it
                rows = [row for row in rows if row.price_id in prices_in_bundle]
            for row in rows:
                row.origin, title, own_notes = origins.get(
                    (label_of(model), natural_key_text(row)), ("", "outside data", False)
                )
                if model is not PriceCheck:  # a check is a date and a source: nothing to note
                    row.notes = outside_note(title) + (f" {row.notes}" if own_notes and row.notes else "")
                if model is TrainingRun:
                    drop_impossible_compute(row)
            layer[file_name] = rows
        layer[LAYER_FILES[-1][1]] = [d for d in discrepancies if d.subject.pk in curated[type(d.subject)]]
        summary.discrepancies = len(layer[LAYER_FILES[-1][1]])
        write_layer(layer, Path(out_dir), summary)
        transaction.set_rollback(True)  # the layer is in the files now; this database stays curated-only
    return summary


def drop_impossible_compute(run):
    """Epoch gives a fine-tune the compute of its whole lineage, with the fine-tune's chips and hours: more
    than those chips could do at their peak. The compute stays on the model; the run keeps chips and hours."""
    used = run.implied_utilization
    if used is not None and used > 1:
        run.training_compute_flop = None
        run.notes += (
            f" The model's training compute is left off this run: on these chips in this time it would mean "
            f"{used:.3g}× their peak, so it must count more than this run (a base model, for one)."
        )


def offering(price):
    return (price.provider_id, price.api_model_id, price.context_tier)


def disagreements(outcome, origin, source):
    """Discrepancy rows (unsaved) from an outcome's "Epoch says ...; the catalog keeps ..." messages."""
    subject_model = {label_of(Hardware): Hardware, label_of(FoundationModel): FoundationModel}.get(outcome.table)
    found = []
    for message in outcome.messages if subject_model else ():
        match = DISAGREEMENT.match(message)
        if not match:
            continue
        subject = subject_model.objects.get_by_natural_key(*outcome.key.split(" | "))
        found.append(
            Discrepancy(
                **{"hardware" if subject_model is Hardware else "model": subject},
                field=match["field"],
                curated_value=match["curated"][:200],
                outside_value=match["outside"][:200],
                source=source,
                origin=origin,
            )
        )
    return found


def write_layer(layer, out_dir, summary):
    out_dir.mkdir(parents=True, exist_ok=True)
    for stale in out_dir.glob("*.json"):
        stale.unlink()
    for file_name, rows in layer.items():
        if not rows:
            continue
        # Indented and with sorted keys, so a regenerated layer diffs by what changed.
        text = serializers.serialize(
            "json", rows, use_natural_foreign_keys=True, use_natural_primary_keys=True, indent=1, sort_keys=True
        )
        (out_dir / file_name).write_text(text + "\n")
        summary.rows[file_name] = len(rows)
