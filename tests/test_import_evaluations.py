"""Evaluations and their scores import and export like every other table: by natural key, validated with the
model's own checks (a score off the evaluation's scale is a row error), all or nothing."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from catalog.importers.records import IMPORTABLE
from catalog.importers.service import import_file
from catalog.models import Evaluation, EvaluationScore, ImportRun
from tests.factories import make_model

pytestmark = pytest.mark.django_db

PAPER = "https://example.org/gpqa-paper"
CARD = "https://example.org/model-card"
SOURCES = [
    {"model": "catalog.source", "fields": {"url": PAPER, "title": "GPQA"}},
    {"model": "catalog.source", "fields": {"url": CARD, "title": "Acme LM model card"}},
]
EVALUATION = {
    "model": "catalog.evaluation",
    "fields": {
        "slug": "gpqa-diamond",
        "name": "GPQA Diamond",
        "measures": "Graduate-level science questions.",
        "scale": "percent",
        "scale_min": "0",
        "scale_max": "100",
        "url": PAPER,
        "sources": [[PAPER]],
        "confidence": "reported",
    },
}


def score(**fields):
    return {
        "model": "catalog.evaluationscore",
        "fields": {
            "model": ["acme-lm"],
            "evaluation": ["gpqa-diamond"],
            "score": "53.60",
            "setting": "0-shot, chain of thought",
            "measured_on": "2024-06-20",
            "measured_by": "developer",
            "evaluator": "Acme",
            "sources": [[CARD]],
            "confidence": "reported",
            **fields,
        },
    }


def run_import(*entries, fmt="fixture", table="", file_name="scores.json", data=None):
    data = data if data is not None else json.dumps([*SOURCES, EVALUATION, *entries]).encode()
    return import_file(fmt=fmt, data=data, file_name=file_name, dry_run=False, table=table)


@pytest.fixture
def model():
    return make_model("acme-lm", name="Acme LM")


def test_both_tables_are_importable_parents_first():
    labels = list(IMPORTABLE)
    assert labels.index("catalog.foundationmodel") < labels.index("catalog.evaluation")
    assert labels.index("catalog.evaluation") < labels.index("catalog.evaluationscore")


def test_a_valid_file_creates_the_evaluation_and_its_scores(model):
    report = run_import(score(), score(setting="5-shot", score="49.10"))
    assert report.ok, report.lines()
    assert (report.run.created, report.run.errors) == (5, 0)
    row = EvaluationScore.objects.get(setting="0-shot, chain of thought")
    assert (row.model, row.evaluation.slug, str(row.score)) == (model, "gpqa-diamond", "53.60")
    assert row.variant == "as-released"
    assert [source.url for source in row.sources.all()] == [CARD]


def test_importing_the_same_file_again_changes_nothing(model):
    run_import(score(), score(setting="5-shot", score="49.10"))
    again = run_import(score(), score(setting="5-shot", score="49.10"))
    assert again.ok and (again.run.created, again.run.updated, again.run.unchanged) == (0, 0, 5)


def test_a_changed_score_is_an_update_of_the_row_its_natural_key_names(model):
    run_import(score())
    report = run_import(score(score="54.00"))
    assert report.ok and report.run.updated == 1
    assert str(EvaluationScore.objects.get().score) == "54.00"


def test_a_score_off_the_evaluations_scale_is_a_row_error_and_nothing_is_written(model):
    report = run_import(score(), score(setting="5-shot", score="101.50"))
    assert not report.ok and report.run.status == "refused" and report.run.errors == 1
    lines = report.lines()
    assert "entry 5: error catalog.evaluationscore acme-lm | gpqa-diamond" in "\n".join(lines)
    assert "    score: 101.50 is above the highest possible score (100) of GPQA Diamond." in lines
    assert not Evaluation.objects.exists() and not EvaluationScore.objects.exists()


def test_a_score_of_a_model_the_catalog_lacks_is_a_row_error_and_nothing_is_written(model):
    report = run_import(score(), score(model=["no-such-model"]))
    assert not report.ok and report.run.errors == 1
    assert "    model: no foundation model 'no-such-model' (a dangling reference)" in report.lines()
    assert not EvaluationScore.objects.exists()


def test_the_same_measurement_twice_in_one_file_is_refused(model):
    report = run_import(score(), score(score="50.00"))
    assert not report.ok and any("duplicate of entry 4" in line for line in report.lines())


def test_scores_export_as_csv_and_import_back_unchanged(model, tmp_path):
    run_import(score(), score(setting="5-shot", score="49.10"))
    out = tmp_path / "scores.csv"
    call_command("export_data", str(out), "--format", "csv", "--table", "catalog.evaluationscore")
    assert {"model", "evaluation", "score", "setting", "measured_on"} <= set(out.read_text().splitlines()[0].split(","))
    report = run_import(fmt="csv", table="catalog.evaluationscore", file_name="scores.csv", data=out.read_bytes())
    assert report.ok and (report.run.created, report.run.updated, report.run.unchanged) == (0, 0, 2)


def test_a_csv_row_with_an_out_of_scale_score_names_its_line(model):
    run_import()
    data = (
        "model,evaluation,variant,score,setting,measured_on,measured_by,evaluator,sources,confidence\n"
        f"acme-lm,gpqa-diamond,as-released,-3,0-shot,2024-06-20,developer,Acme,{CARD},reported\n"
    ).encode()
    report = run_import(fmt="csv", table="catalog.evaluationscore", file_name="scores.csv", data=data)
    assert not report.ok
    key = "acme-lm | gpqa-diamond | as-released | 0-shot | Acme | 2024-06-20"
    assert f"line 2: error catalog.evaluationscore {key}" in report.lines()
    assert "    score: -3 is below the lowest possible score (0.00) of GPQA Diamond." in report.lines()


def test_evaluations_and_scores_export_as_fixtures_that_import_back_unchanged(model, tmp_path):
    run_import(score())
    out = tmp_path / "all.json"
    call_command("export_data", str(out), "--format", "json")
    exported = [entry for entry in json.loads(out.read_text()) if entry["model"].startswith("catalog.evaluation")]
    assert [entry["model"] for entry in exported] == ["catalog.evaluation", "catalog.evaluationscore"]
    report = run_import(data=json.dumps(exported).encode())
    assert report.ok and (report.run.created, report.run.updated, report.run.unchanged) == (0, 0, 2)


def test_the_admin_page_previews_a_csv_of_scores_and_applies_it_on_confirmation(admin_client, model):
    run_import()
    data = (
        "model,evaluation,variant,score,setting,measured_on,measured_by,evaluator,sources,confidence\n"
        f"acme-lm,gpqa-diamond,as-released,53.6,0-shot,2024-06-20,developer,Acme,{CARD},reported\n"
    ).encode()
    upload = SimpleUploadedFile("scores.csv", data, content_type="text/csv")
    form = {"file": upload, "format": "csv", "table": "catalog.evaluationscore"}
    response = admin_client.post("/admin/catalog/importrun/import/", form)
    assert response.status_code == 200 and "1 to create" in response.content.decode()
    assert not EvaluationScore.objects.exists()
    preview = ImportRun.objects.get(status="preview")
    assert admin_client.post(f"/admin/catalog/importrun/{preview.pk}/confirm/").status_code == 302
    assert str(EvaluationScore.objects.get().score) == "53.60"
