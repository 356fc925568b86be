"""Epoch AI's Benchmarking Hub runs (``epoch-benchmarks``) as independent scores: tasks to evaluations, model ids
to catalog models (a reasoning suffix to the setting), fractions to percentages, the rest counted, not guessed."""

import datetime
import json
from decimal import Decimal

import pytest

from catalog.importers.epoch.benchmarks import BENCHMARKS_SOURCE, split_suffix
from catalog.importers.outside import build_layer, outside_note
from catalog.importers.service import import_file
from catalog.management.commands.load_bundled_data import load_outside_layer
from catalog.models import Evaluation, EvaluationScore, FoundationModel, Source
from tests.factories import make_model, make_source

pytestmark = pytest.mark.django_db

HUB = BENCHMARKS_SOURCE["url"]
HEADER = "id,task,model,Best score (across scorers),Scores,log viewer,Log download"
LOG = "https://logs.epoch.ai/inspect_ai_logs/{}.eval"
RUNS = [
    ("run1", "GPQA diamond", "gpt-4o-2024-08-06", "0.5404040404040404", "choice:0.54±0.03"),
    ("run2", "GPQA diamond", "o3-2025-04-16_high", "0.8270202020202020", "choice:0.83±0.02"),
    ("run3", "GPQA diamond", "o3-2025-04-16_medium", "0.8", "choice:0.80±0.02"),
    ("run4", "MATH level 5", "Meta-Llama-3-70B-Instruct", "0.1172583081570997", "sympy_equiv:0.12±0.01"),
    ("run5", "MATH level 5", "claude-2.0", "0.1", "sympy_equiv:0.1±0.01"),
    ("run6", "OTIS Mock AIME 2024-2025", "gpt-4o-2024-08-06", "0.05", "choice:0.05±0.01"),
    ("run7", "FrontierMath-2025-02-28-Private", "o3-2025-04-16_high", "0.1", "verify:0.1±0.02"),
    ("run8", "FrontierMath-2025-02-28-Private", "gpt-4o-2024-08-06", "0.01", "verify:0.01±0.01"),
    ("run9", "GPQA diamond", "acme-unknown-7b-chat", "0.3", "choice:0.3±0.03"),
    ("run10", "MATH level 5", "claude-3-7-sonnet-20250219_16K", "0.9", "sympy_equiv:0.9±0.01"),
]
FILE_NAME = "epoch_benchmark_runs_2025-05.csv"


def runs_csv(*runs):
    lines = [HEADER]
    for run_id, task, model, best, scores in runs:
        lines.append(f'{run_id},{task},{model},{best},"{scores}",,{LOG.format(run_id)}')
    return ("\n".join(lines) + "\n").encode()


def run_import(data, *, file_name=FILE_NAME, dry_run=False):
    return import_file(fmt="epoch-benchmarks", data=data, file_name=file_name, dry_run=dry_run)


@pytest.fixture
def catalog():
    """The evaluations the Hub's tasks map to, the Hub's source (as 40_evaluations.yaml has it) and a few models."""
    Source.objects.create(url=HUB, title="AI Benchmarking Hub", publisher="Epoch AI", licence="CC BY 4.0")
    paper = make_source("https://example.org/paper")
    for slug, name in (("gpqa-diamond", "GPQA Diamond"), ("math-level-5", "MATH Level 5")):
        evaluation = Evaluation.objects.create(
            slug=slug, name=name, measures="...", scale="percent", scale_max=Decimal(100), url=paper.url
        )
        evaluation.sources.add(paper)
    for slug, name in (
        ("gpt-4o", "GPT-4o"),
        ("o3", "o3"),
        ("llama-3-70b", "Llama 3 70B"),
        ("claude-2", "Claude 2"),
        ("claude-3-7-sonnet", "Claude 3.7 Sonnet"),
    ):
        make_model(slug, name=name)


def scores():
    return {(row.model.slug, row.evaluation.slug, row.setting): row for row in EvaluationScore.objects.all()}


def test_the_reasoning_suffix_is_the_setting_not_part_of_the_model_id():
    assert split_suffix("o3-2025-04-16_high") == ("o3-2025-04-16", "reasoning effort high")
    assert split_suffix("grok-3-mini-beta_low") == ("grok-3-mini-beta", "reasoning effort low")
    assert split_suffix("claude-3-7-sonnet-20250219_16K") == (
        "claude-3-7-sonnet-20250219",
        "reasoning budget 16K tokens",
    )
    assert split_suffix("gpt-4-0613") == ("gpt-4-0613", "")
    assert split_suffix("some_model") == ("some_model", "")


def test_runs_of_the_catalogs_evaluations_become_independent_scores_of_catalog_models(catalog):
    report = run_import(runs_csv(*RUNS))
    assert report.ok, report.lines()
    assert report.run.created == 6  # runs 1-5 and 10; the Hub's source is there already
    found = scores()
    assert set(found) == {
        ("gpt-4o", "gpqa-diamond", "Epoch AI harness, gpt-4o-2024-08-06"),
        ("o3", "gpqa-diamond", "Epoch AI harness, o3-2025-04-16, reasoning effort high"),
        ("o3", "gpqa-diamond", "Epoch AI harness, o3-2025-04-16, reasoning effort medium"),
        ("llama-3-70b", "math-level-5", "Epoch AI harness, Meta-Llama-3-70B-Instruct"),
        ("claude-2", "math-level-5", "Epoch AI harness, claude-2.0"),  # the importer's table of certain ids
        (
            "claude-3-7-sonnet",
            "math-level-5",
            "Epoch AI harness, claude-3-7-sonnet-20250219, reasoning budget 16K tokens",
        ),
    }
    row = found["gpt-4o", "gpqa-diamond", "Epoch AI harness, gpt-4o-2024-08-06"]
    assert row.score == Decimal("54.04")  # 0.5404... x 100, two decimals
    assert (row.measured_by, row.evaluator, row.variant) == ("independent", "Epoch AI", "as-released")
    assert (row.measured_on, row.confidence, row.origin) == (datetime.date(2025, 5, 1), "reported", "")
    assert [source.url for source in row.sources.all()] == [HUB]  # the log link is a note, not a source
    assert "snapshot month (2025-05)" in row.notes and LOG.format("run1") in row.notes and "run1" in row.notes
    llama = found["llama-3-70b", "math-level-5", "Epoch AI harness, Meta-Llama-3-70B-Instruct"]
    assert (llama.score, llama.variant) == (Decimal("11.73"), "instruct")  # the chat tune of a row that has both
    assert found["o3", "gpqa-diamond", "Epoch AI harness, o3-2025-04-16, reasoning effort medium"].score == 80


def test_skipped_tasks_and_unmatched_model_ids_are_counted_in_the_report_not_made(catalog):
    report = run_import(runs_csv(*RUNS))
    lines = report.lines()
    assert "    1 run(s) skipped: task 'OTIS Mock AIME 2024-2025' is not one of the catalog's evaluations" in lines
    assert (
        "    2 run(s) skipped: task 'FrontierMath-2025-02-28-Private' is not one of the catalog's evaluations" in lines
    )
    assert "    unmatched model id 'acme-unknown-7b-chat': 1 run(s)" in lines
    assert not EvaluationScore.objects.filter(setting__contains="acme-unknown").exists()
    assert not Evaluation.objects.exclude(slug__in=["gpqa-diamond", "math-level-5"]).exists()


def test_importing_the_same_file_again_changes_nothing(catalog):
    run_import(runs_csv(*RUNS))
    again = run_import(runs_csv(*RUNS))
    assert again.ok and (again.run.created, again.run.updated, again.run.unchanged) == (0, 0, 7)


def test_a_curated_score_with_the_same_key_is_kept_and_the_difference_reported(catalog):
    run_import(runs_csv(RUNS[0]))
    row = EvaluationScore.objects.get()
    row.score = Decimal("55.00")
    row.save()
    row.sources.add(make_source("https://example.org/curators-copy"))  # cited by a curator: no longer the Hub's alone
    report = run_import(runs_csv(RUNS[0]))
    assert report.ok and report.run.updated == 0
    assert "    score: Epoch says 54.04; the catalog keeps 55.00." in report.lines()
    assert EvaluationScore.objects.get().score == Decimal("55.00")


def test_a_score_that_is_not_a_number_or_off_the_scale_refuses_the_file(catalog):
    report = run_import(runs_csv(RUNS[0], ("bad", "GPQA diamond", "o3-2025-04-16_low", "n/a", "")))
    assert not report.ok and "    Best score (across scorers): 'n/a' is not a number" in report.lines()
    report = run_import(runs_csv(RUNS[0], ("big", "GPQA diamond", "o3-2025-04-16_low", "1.5", "")))
    assert not report.ok and any("150.00 is above the highest possible score" in line for line in report.lines())
    assert not EvaluationScore.objects.exists()


def test_the_snapshot_date_comes_from_the_file_name_or_is_this_month(catalog):
    run_import(runs_csv(RUNS[0]), file_name="hub_export_2024-11-20.csv")
    assert EvaluationScore.objects.get().measured_on == datetime.date(2024, 11, 20)
    report = run_import(runs_csv(RUNS[1]), file_name="hub_export.csv")
    assert EvaluationScore.objects.get(setting__contains="o3").measured_on == datetime.date.today().replace(day=1)
    assert any("gives no snapshot month" in line for line in report.lines())


def test_a_file_without_the_hubs_columns_is_refused(catalog):
    report = run_import(b"name,score\ngpt-4o,0.5\n")
    assert not report.ok and "Missing required column(s): id, task, model" in report.run.file_error


# ---------------------------------------------------------------------------------- the outside-data layer


@pytest.fixture
def layer(catalog, tmp_path):
    sample = tmp_path / FILE_NAME
    sample.write_bytes(runs_csv(*RUNS))
    summary = build_layer([("epoch-benchmarks", sample)], tmp_path / "outside")
    return tmp_path / "outside", summary


def test_the_layer_holds_the_scores_traced_to_their_runs_with_our_notes(layer):
    folder, summary = layer
    rows = json.loads((folder / "14_evaluation_scores.json").read_text())
    assert summary.rows["14_evaluation_scores.json"] == len(rows) == 6
    fields = rows[0]["fields"]
    assert fields["origin"] == f"{FILE_NAME}, line 2"
    assert fields["notes"].startswith(
        outside_note("Epoch AI's Benchmarking Hub") + " Epoch AI run run1 of GPQA diamond"
    )
    assert fields["sources"] == [[HUB]] and fields["measured_by"] == "independent"
    assert not EvaluationScore.objects.exists()  # built in a transaction rolled back


def test_loading_the_layer_adds_the_scores_and_a_curated_score_with_the_same_key_wins(layer):
    folder, _summary = layer
    setting = "Epoch AI harness, gpt-4o-2024-08-06"
    curated = EvaluationScore.objects.create(
        model=FoundationModel.objects.get(slug="gpt-4o"),
        evaluation=Evaluation.objects.get(slug="gpqa-diamond"),
        score=Decimal("50.00"),
        setting=setting,
        measured_on=datetime.date(2025, 5, 1),
        measured_by="independent",
        evaluator="Epoch AI",
    )
    paths = sorted(folder.glob("*.json"))
    assert load_outside_layer(paths) == (5, 1)
    assert EvaluationScore.objects.get(setting=setting) == curated and curated.score == Decimal("50.00")
    assert EvaluationScore.objects.exclude(origin="").count() == 5
    assert load_outside_layer(paths) == (5, 1)  # again: the same rows, not new ones
