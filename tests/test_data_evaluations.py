"""The bundled evaluation scores: enough of them, each sourced and on its benchmark's scale, base and chat kept
apart, and the three milestones the price-of-capability page reports computable from them."""

import datetime

import pytest
from django.db.models import Count

from catalog.capability import capability_class
from catalog.capability_prices import capability_prices
from catalog.choices import MeasuredBy, ScoreVariant
from catalog.models import Evaluation, EvaluationScore, FoundationModel

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("bundled")]

REQUIRED = ["mmlu", "gpqa-diamond", "humaneval", "math", "swe-bench-verified", "lmarena-text", "kmmlu"]
KOREAN_DEVELOPERS = ["naver", "lg-ai-research", "upstage", "kakao", "kt", "skt", "ncsoft", "samsung"]


def test_at_least_80_models_have_sourced_scores_on_at_least_6_evaluations():
    scored_models = EvaluationScore.objects.filter(sources__isnull=False).values("model").distinct().count()
    assert scored_models >= 80
    evaluations = Evaluation.objects.annotate(models=Count("scores__model", distinct=True)).filter(models__gte=10)
    assert evaluations.count() >= 6


@pytest.mark.parametrize("slug", REQUIRED)
def test_each_required_evaluation_has_scores(slug):
    minimum = 5 if slug == "kmmlu" else 20
    assert EvaluationScore.objects.filter(evaluation__slug=slug).values("model").distinct().count() >= minimum


def test_no_score_lacks_a_source_or_falls_outside_its_scale():
    assert not EvaluationScore.objects.filter(sources__isnull=True).exists()
    outside = [
        f"{row}: {row.evaluation.out_of_scale(row.score)}"
        for row in EvaluationScore.objects.select_related("model", "evaluation")
        if row.evaluation.out_of_scale(row.score)
    ]
    assert outside == []


def test_arena_ratings_are_plausible_elo_and_percentages_are_not_fractions():
    ratings = EvaluationScore.objects.filter(evaluation__scale="rating").values_list("score", flat=True)
    assert ratings and all(700 <= rating <= 1800 for rating in ratings)
    # A fraction written where a percentage belongs (0.86 for 86 %) is the likeliest unit mistake.
    tiny = EvaluationScore.objects.filter(evaluation__scale="percent", score__lt=1).exclude(
        evaluation__slug__in=["swe-bench-verified", "math-level-5", "gpqa-diamond"]
    )
    assert list(tiny) == []


def test_scores_span_gpt_3_to_the_newest_models_korean_ones_included():
    years = FoundationModel.objects.filter(evaluation_scores__isnull=False).exclude(release_date=None)
    assert years.order_by("release_date").first().release_date.year <= 2020
    assert years.order_by("-release_date").first().release_date.year >= 2025
    korean = EvaluationScore.objects.filter(evaluation__slug="kmmlu", model__organizations__slug__in=KOREAN_DEVELOPERS)
    assert korean.values("model").distinct().count() >= 3


def test_no_score_predates_its_source_or_lies_in_the_future():
    assert not EvaluationScore.objects.filter(measured_on__gt=datetime.date.today()).exists()


def test_developer_and_independent_figures_are_separate_rows():
    both = (
        EvaluationScore.objects.values("model", "evaluation")
        .annotate(kinds=Count("measured_by", distinct=True))
        .filter(kinds=2)
    )
    assert both.count() >= 10
    assert set(EvaluationScore.objects.values_list("measured_by", flat=True)) == set(MeasuredBy.values)


def test_a_chat_model_never_carries_a_copy_of_its_base_models_score():
    """The same evaluation, setting, value and sources on a model and on its base is a copy, not a measurement."""

    def signature(row):
        return (row.evaluation_id, row.setting, row.score, frozenset(source.url for source in row.sources.all()))

    copies = []
    derived = FoundationModel.objects.exclude(base_model=None).select_related("base_model")
    for model in derived.prefetch_related("evaluation_scores__sources", "base_model__evaluation_scores__sources"):
        base = {signature(row) for row in model.base_model.evaluation_scores.all()}
        copies += [f"{model.slug}: {row}" for row in model.evaluation_scores.all() if signature(row) in base]
    assert copies == []


def test_a_row_with_base_and_instruct_scores_keeps_both_and_classes_count_the_served_one():
    pairs = (
        EvaluationScore.objects.filter(variant__in=[ScoreVariant.BASE, ScoreVariant.INSTRUCT])
        .values("model", "evaluation")
        .annotate(variants=Count("variant", distinct=True))
        .filter(variants=2)
        .order_by("model", "evaluation")
    )
    assert pairs.count() >= 3  # e.g. Llama 3 70B: Meta's card gives the pre-trained and the instruct model
    for pair in pairs:
        key = {"model": pair["model"], "evaluation": pair["evaluation"]}
        served = {row.variant for row in EvaluationScore.objects.served().filter(**key)}
        assert ScoreVariant.INSTRUCT in served and ScoreVariant.BASE not in served


@pytest.mark.parametrize("key", ["mmlu-42", "mmlu-83", "gpt-4-gpqa", "gpt-4-gpqa@independent"])
def test_the_reported_milestones_have_a_fitted_fall(key):
    result = capability_prices(capability_class(key))
    assert result.fit is not None and result.fit.points >= 3
    assert result.fit.factor_per_year > 1
