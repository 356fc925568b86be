"""Epoch AI's Benchmarking Hub runs (``epoch-benchmarks``): independent scores, one harness for every model.

The export has one line per run: ``id``, ``task``, ``model`` (the API model id Epoch called, with a suffix for
the reasoning setting), ``Best score (across scorers)`` (a fraction), ``Scores`` (each scorer's, rounded, with
a ±) and links to the run's log. Published under CC BY 4.0 (credit "Epoch AI"). The decisions:

Tasks
    ``TASKS`` maps Epoch's task names to the catalog's evaluations (GPQA diamond, MATH level 5, SWE-Bench
    verified). Other tasks (OTIS Mock AIME, FrontierMath) have no evaluation in the catalog: their runs are
    skipped and counted by task in the report.

Models
    The suffix after the last ``_`` is the reasoning setting Epoch ran the model with: ``_high``, ``_medium``,
    ``_low`` an effort, ``_16K`` a budget of reasoning tokens. It goes into ``setting``, so two runs of one model
    are two rows. The rest is matched with the LiteLLM importer's lookup (``litellm.Catalog.model_named``: the
    id normalised, its canonical name, an undated model it is the only snapshot of), after ``MODEL_IDS``, a
    short table of Epoch's ids whose catalog model is certain but which the lookup cannot find or finds in a
    duplicate made from a price map (Mistral's "open-" API names). An id nothing matches is reported, never
    made a model.

Rows
    One ``EvaluationScore`` per run: score = best score × 100, rounded to 2 decimals; measured by
    "independent", evaluator "Epoch AI"; ``setting`` "Epoch AI harness, <Epoch's model id>[, reasoning ...]",
    so runs of several snapshots of one catalog model (gpt-4o-2024-05-13, -08-06, -11-20) stay apart and say
    which snapshot was measured; variant "instruct" where the id names a chat tune ("-Instruct", "-chat",
    "-it") of a row that may also cover the base model, else "as released". The export is not dated per run:
    ``measured_on`` is its snapshot month, read from the file name ("..._2025-05.csv" -> 2025-05-01), and each
    row's notes say so. Source: the Hub's ``Source`` row only (the log link goes in the notes, it is not a
    source of its own); confidence "reported".

A score the catalog already holds under the same key is left alone unless the Hub is its only source (a
row an earlier import of this file made): curated rows win, and a differing figure is reported.
"""

import datetime
import re
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from catalog.choices import MeasuredBy, ScoreVariant
from catalog.importers.epoch.common import read_csv, source_record, text_of
from catalog.importers.litellm import Catalog
from catalog.importers.records import ParsedFile, Record
from catalog.models import EvaluationScore, FoundationModel

BENCHMARKS_SOURCE = {
    "url": "https://epoch.ai/data/ai-benchmarking-dashboard",
    "title": "AI Benchmarking Hub",
    "publisher": "Epoch AI",
    "kind": "database",
    "licence": "CC BY 4.0",
}
EVALUATOR = "Epoch AI"
HARNESS = "Epoch AI harness"
REQUIRED = ["id", "task", "model", "Best score (across scorers)"]

# Epoch's task name -> the catalog evaluation's slug. Other tasks are skipped.
TASKS = {
    "GPQA diamond": "gpqa-diamond",
    "MATH level 5": "math-level-5",
    "SWE-Bench verified": "swe-bench-verified",
}

# Epoch's model id (without its reasoning suffix) -> catalog model slug, where the lookup cannot tell. Each is
# the same model under its API or release name: a snapshot, a preview the catalog row is dated by, or Mistral's
# "open-" API names (the lookup finds those in models made from LiteLLM's price map, not the curated rows).
MODEL_IDS = {
    "claude-2.0": "claude-2",
    "gpt-4-0613": "gpt-4",
    "gpt-4-1106-preview": "gpt-4-turbo",  # GPT-4 Turbo, first released as this preview (the row's date)
    "gpt-4-0125-preview": "gpt-4-turbo",
    "gpt-3.5-turbo-1106": "gpt-3-5-turbo",
    "gpt-3.5-turbo-0125": "gpt-3-5-turbo",
    "gpt-4.5-preview-2025-02-27": "gpt-4-5",  # GPT-4.5 was only released as this preview
    "gemini-1.0-pro-001": "gemini-1-0-pro",
    "gemini-1.5-pro-001": "gemini-1-5-pro",
    "gemini-1.5-pro-002": "gemini-1-5-pro",
    "gemini-1.5-flash-001": "gemini-1-5-flash",
    "gemini-1.5-flash-002": "gemini-1-5-flash",
    "gemini-2.0-flash-001": "gemini-2-0-flash",
    "gemini-2.5-pro-exp-03-25": "gemini-2-5-pro",  # the release the row is dated by (2025-03-25)
    "gemini-2.5-flash-preview-04-17": "gemini-2-5-flash",  # likewise (2025-04-17)
    "grok-2-1212": "grok-2",
    "grok-3-beta": "grok-3",
    "mistral-large-2402": "mistral-large",  # Mistral Large (24.02)
    "mistral-large-2407": "mistral-large-2",  # Mistral Large 2 (24.07)
    "mistral-large-2411": "mistral-large-24-11",
    "mistral-small-2501": "mistral-small-3",  # Mistral Small 3 (25.01)
    "mistral-small-2503": "mistral-small-3-1-24b",  # Mistral Small 3.1 (25.03)
    "open-mistral-7b": "mistral-7b",
    "Mistral-7B-Instruct-v0.3": "mistral-7b",
    "open-mixtral-8x7b": "mixtral-8x7b",
    "Mixtral-8x7B-Instruct-v0.1": "mixtral-8x7b",
    "open-mixtral-8x22b": "mixtral-8x22b",
    "open-mistral-nemo-2407": "mistral-nemo",
    "Llama-4-Scout-17B-16E-Instruct": "llama-4-scout",
    "Llama-4-Maverick-17B-128E-Instruct-FP8": "llama-4-maverick",
    "DeepSeek-V3-0324": "deepseek-v3",
}

EFFORT = re.compile(r"^(high|medium|low|minimal)$", re.IGNORECASE)
BUDGET = re.compile(r"^(\d+)k$", re.IGNORECASE)
CHAT_TUNE = re.compile(r"-(instruct|chat|it)(-|$)", re.IGNORECASE)
SNAPSHOT_MONTH = re.compile(r"(?<!\d)(20\d\d)-(\d\d)(?:-(\d\d))?(?!\d)")
HUNDRED = Decimal(100)
CENT = Decimal("0.01")
SHOWN = 12  # unmatched ids named in the report (the change log keeps 20 messages a row)


def split_suffix(model_id):
    """('o3-2025-04-16', 'reasoning effort high') for 'o3-2025-04-16_high'; (id, '') without a known suffix."""
    base, _, suffix = model_id.rpartition("_")
    if base and EFFORT.match(suffix):
        return base, f"reasoning effort {suffix.lower()}"
    if base and (budget := BUDGET.match(suffix)):
        return base, f"reasoning budget {budget.group(1)}K tokens"
    return model_id, ""


def snapshot_date(file_name):
    """(date, how it was found): the month (or day) in the file's name, else the first of this month."""
    if match := SNAPSHOT_MONTH.search(file_name or ""):
        year, month, day = match.groups()
        try:
            found = datetime.date(int(year), int(month), int(day or 1))
        except ValueError:
            found = None
        if found:
            return found, f"Runs dated {found}, the snapshot {'day' if day else 'month'} in the file name."
    today = datetime.date.today().replace(day=1)
    return today, f"The file name gives no snapshot month: runs dated {today}, the first of this month."


def score_of(raw):
    """The best score (a fraction) as a percentage with two decimals; ValueError when it is not a number."""
    try:
        value = Decimal(raw.strip())
    except InvalidOperation:
        raise ValueError(f"Best score (across scorers): {raw!r} is not a number") from None
    if not value.is_finite():
        raise ValueError(f"Best score (across scorers): {raw!r} is not a number")
    return (value * HUNDRED).quantize(CENT, rounding=ROUND_HALF_UP)


class ModelMatcher:
    """Epoch's model ids to catalog slugs: ``MODEL_IDS`` first, then the LiteLLM importer's lookup."""

    def __init__(self, date):
        self.catalog = Catalog(date).load_models()
        self.slugs = set(FoundationModel.objects.values_list("slug", flat=True))

    def find(self, model_id):
        explicit = MODEL_IDS.get(model_id)
        if explicit in self.slugs:
            return explicit
        slug, _why = self.catalog.model_named(model_id)
        return slug


def row_notes(row, date, precision):
    log = text_of(row, "Log download")
    parts = [
        f"Epoch AI run {text_of(row, 'id')} of {text_of(row, 'task')}: the best of its scorers "
        f"({text_of(row, 'Scores') or 'not listed'}), as a percentage.",
        f"Measured on is the Hub export's snapshot {precision} ({date:%Y-%m}), not the day of the run.",
    ]
    if log:
        parts.append(f"Log: {log}")
    return " ".join(parts)


def parse_benchmark_runs(data, *, file_name="", table=""):
    lines = read_csv(data, REQUIRED)
    date, date_note = snapshot_date(file_name)
    precision = "day" if "snapshot day" in date_note else "month"
    url = BENCHMARKS_SOURCE["url"]
    matcher = ModelMatcher(date)
    existing = {
        (slug, evaluation, variant, setting, measured_on): (score, [])
        for slug, evaluation, variant, setting, measured_on, score in EvaluationScore.objects.filter(
            evaluator=EVALUATOR, measured_on=date
        ).values_list("model__slug", "evaluation__slug", "variant", "setting", "measured_on", "score")
    }
    for link in EvaluationScore.sources.through.objects.filter(
        evaluationscore__evaluator=EVALUATOR, evaluationscore__measured_on=date
    ).values_list(
        "evaluationscore__model__slug",
        "evaluationscore__evaluation__slug",
        "evaluationscore__variant",
        "evaluationscore__setting",
        "evaluationscore__measured_on",
        "source__url",
    ):
        existing[link[:5]][1].append(link[5])

    skipped, unmatched, records = Counter(), Counter(), []
    for line, row in lines:
        task = text_of(row, "task")
        evaluation = TASKS.get(task)
        if evaluation is None:
            skipped[f"task {task!r} is not one of the catalog's evaluations" if task else "no task"] += 1
            continue
        model_id = text_of(row, "model")
        base_id, reasoning = split_suffix(model_id)
        slug = matcher.find(base_id) if base_id else None
        if not slug:
            unmatched[model_id or "(no model id)"] += 1
            continue
        setting = ", ".join(part for part in (HARNESS, base_id, reasoning) if part)[:100]
        variant = (ScoreVariant.INSTRUCT if CHAT_TUNE.search(base_id) else ScoreVariant.AS_RELEASED).value
        fields = {
            "model": slug,
            "evaluation": evaluation,
            "variant": variant,
            "setting": setting,
            "evaluator": EVALUATOR,
            "measured_on": date.isoformat(),
        }
        record = Record(model=EvaluationScore, fields=fields, where=f"line {line}")
        record.notes.append(f"{model_id!r} is the catalog's {slug!r}")
        try:
            score = score_of(text_of(row, "Best score (across scorers)"))
        except ValueError as error:
            record.errors.append(str(error))
            records.append(record)
            continue
        current = existing.get((slug, evaluation, variant, setting, date))
        if current is not None and current[1] != [url]:
            # A curated score with this key: it wins; a different figure is reported, not written.
            if current[0] != score:
                record.notes.append(f"score: Epoch says {score}; the catalog keeps {current[0]}.")
            records.append(record)
            continue
        fields.update(
            score=str(score),
            measured_by=MeasuredBy.INDEPENDENT.value,
            confidence="reported",
            notes=row_notes(row, date, precision),
            sources=[url],
        )
        records.append(record)

    summary = [date_note, f"{len(records)} run(s) of the catalog's evaluations matched a catalog model."]
    summary += [f"{count} run(s) skipped: {reason}" for reason, count in sorted(skipped.items())]
    if unmatched:
        ids = sorted(unmatched, key=str.lower)
        summary.append(
            f"{sum(unmatched.values())} run(s) of {len(ids)} model id(s) no catalog model matches, not imported:"
        )
        summary += [f"unmatched model id {model_id!r}: {unmatched[model_id]} run(s)" for model_id in ids[:SHOWN]]
        if len(ids) > SHOWN:
            summary.append(f"... and {len(ids) - SHOWN} more model id(s)")
    return ParsedFile(records=[source_record(BENCHMARKS_SOURCE, summary), *records])
