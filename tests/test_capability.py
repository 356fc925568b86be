"""Capability classes and the price of a capability: the fit, the threshold at its boundary, the working."""

import datetime
import random
from decimal import Decimal

import pytest

from catalog.capability import CapabilityError, capability_class
from catalog.capability_prices import back_dated, capability_prices, mark_frontier, price_against_score
from catalog.estimators.trend import log_linear_fit, student_t_quantile
from catalog.models import FoundationModel, PricePoint
from tests.factories import make_evaluation, make_model, make_org, make_price, make_score

# ---------------------------------------------------------------------------------------------- the fit


def test_t_quantiles_match_the_tables():
    for degrees, expected in [(1, 12.706), (2, 4.303), (5, 2.571), (10, 2.228), (30, 2.042)]:
        assert student_t_quantile(0.975, degrees) == pytest.approx(expected, abs=1e-3)


def test_fit_recovers_a_known_factor_exactly():
    points = [(2020 + 0.25 * i, 100 / 10 ** (0.25 * i)) for i in range(9)]  # 10x cheaper per year
    fit = log_linear_fit(points)
    assert fit.factor_per_year == pytest.approx(10)
    assert fit.interval == pytest.approx((10, 10))
    assert fit.r_squared == pytest.approx(1)
    assert fit.at(2022) == pytest.approx(1)


def test_interval_covers_the_true_factor_on_noisy_data_and_narrows_with_more_points():
    rng = random.Random(19)

    def noisy(n):
        return [(2020 + i / 4, 50 / 4 ** (i / 4) * 10 ** rng.gauss(0, 0.15)) for i in range(n)]

    small, large = log_linear_fit(noisy(6)), log_linear_fit(noisy(60))
    for fit in (small, large):
        low, high = fit.interval
        assert low < 4 < high
    assert large.interval[1] - large.interval[0] < small.interval[1] - small.interval[0]


def test_fit_needs_two_points_and_a_time_span_and_gives_no_interval_with_two():
    assert log_linear_fit([(2021, 10)]) is None
    assert log_linear_fit([(2021, 10), (2021, 5)]) is None
    two = log_linear_fit([(2021, 10), (2022, 5)])
    assert two.factor_per_year == pytest.approx(2) and two.interval is None
    assert log_linear_fit([(2021, 10), (2022, 0), (2023, -1)]) is None  # zero and negative values are not logged


# ----------------------------------------------------------------------------------- classes, boundary

pytestmark = pytest.mark.django_db


@pytest.fixture
def scored():
    """Three models on a 0-100 evaluation: one exactly at 70, one just below, one whose base is above."""
    mmlu = make_evaluation("mmlu")
    lab = make_org("lab", is_model_developer=True, is_cloud_provider=True)
    at = make_model("at-threshold", org=lab, name="At", release_date=datetime.date(2023, 1, 1))
    below = make_model("below", org=lab, name="Below")
    tuned = make_model("tuned", org=lab, name="Tuned")
    make_score(at, mmlu, "70.00")
    make_score(below, mmlu, "69.99")
    make_score(tuned, mmlu, "90", variant="base")  # the pre-trained checkpoint's score
    make_score(tuned, mmlu, "65", variant="instruct")
    return {"mmlu": mmlu, "lab": lab, "at": at, "below": below, "tuned": tuned}


def test_a_score_equal_to_the_threshold_qualifies_and_one_hundredth_less_does_not(scored):
    assert set(capability_class("mmlu:70").models()) == {scored["at"]}
    assert set(capability_class("mmlu>=69.99").models()) == {scored["at"], scored["below"]}
    assert set(capability_class("mmlu:70.01").models()) == set()


def test_a_base_checkpoints_score_does_not_qualify_the_served_model(scored):
    assert scored["tuned"] not in capability_class("mmlu:80").models()
    assert scored["tuned"] in capability_class("mmlu:65").models()


def test_lower_is_better_evaluations_qualify_at_or_below_the_threshold(scored):
    errors = make_evaluation("error-rate", higher_is_better=False)
    make_score(scored["at"], errors, "5")
    make_score(scored["below"], errors, "5.01")
    assert set(capability_class("error-rate:5").models()) == {scored["at"]}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("mmlu:101", "above the highest possible score"),
        ("nothing:5", "No evaluation"),
        ("mmlu", "Not a capability class"),
        ("mmlu:1e3", "Not a capability class"),
        ("mmlu:-5", "Not a capability class"),
        ("gpt-4-mmlu", "has no score of gpt-4"),
    ],
)
def test_unreadable_classes_say_why(scored, text, message):
    with pytest.raises(CapabilityError, match=message):
        capability_class(text)


def test_a_reference_preset_takes_the_reference_models_best_served_score(scored):
    gpt4 = make_model("gpt-4", org=scored["lab"], name="GPT-4")
    make_score(gpt4, scored["mmlu"], "86.4")
    make_score(gpt4, scored["mmlu"], "83.1", evaluator="Independent", measured_by="independent")
    make_score(gpt4, scored["mmlu"], "95", variant="base", setting="base")  # not served: ignored
    capability = capability_class("gpt-4-mmlu")
    assert capability.threshold == Decimal("86.4")
    assert capability.reference.evaluator == "Acme"
    assert "GPT-4 level on MMLU" in str(capability) and "86.4" in str(capability)


def test_a_class_can_count_only_independent_or_only_developer_scores(scored):
    make_score(scored["below"], scored["mmlu"], "75", evaluator="Lab next door", measured_by="independent")
    independent = capability_class("mmlu:70@independent")
    assert set(independent.models()) == {scored["below"]}
    assert set(capability_class("mmlu:70@developer").models()) == {scored["at"]}
    assert independent.key == "mmlu:70@independent" and "independent" in str(independent)
    assert capability_class(independent.key).measured_by == "independent"  # the key reads back as the same class
    with pytest.raises(CapabilityError, match="independent or developer"):
        capability_class("mmlu:70@someone")


def test_a_reference_preset_counting_independent_scores_takes_the_reference_models_independent_best(scored):
    gpt4 = make_model("gpt-4", org=scored["lab"], name="GPT-4")
    make_score(gpt4, scored["mmlu"], "86.4")
    make_score(gpt4, scored["mmlu"], "83.1", evaluator="Independent", measured_by="independent")
    assert capability_class("gpt-4-mmlu@independent").threshold == Decimal("83.1")


# ---------------------------------------------------------------------------------- price of capability


def test_the_cheapest_qualifying_price_falls_at_the_factor_put_in(scored):
    """A synthetic history: the cheapest qualifying price quarters every year; a dearer and a non-qualifying
    cheaper model never set a step."""
    lab, at = scored["lab"], scored["at"]
    for year in range(4):
        start = f"{2021 + year}-01-01"
        end = f"{2022 + year}-01-01" if year < 3 else None
        make_price(at, lab, start, end, api_model_id="at-1", input_price=str(Decimal(64) / 4**year))
    make_price(scored["below"], lab, "2021-01-01", api_model_id="below-1", input_price="0.01")
    make_price(at, make_org("dear-host"), "2021-06-01", api_model_id="at-dear", input_price="500")
    result = capability_prices(capability_class("mmlu:70"), kind="input")
    assert [(date.isoformat(), price.input_per_mtok) for date, price in result.lows] == [
        ("2021-01-01", 64),
        ("2022-01-01", 16),
        ("2023-01-01", 4),
        ("2024-01-01", 1),
    ]
    assert result.fit.factor_per_year == pytest.approx(4, rel=1e-3)  # 365 vs 365.25-day years
    assert result.models_in_class == 1 and result.priced_models == 1
    assert result.scores[at.pk].score == Decimal("70.00")


def test_a_rise_is_a_step_but_not_a_record_low(scored):
    lab, at = scored["lab"], scored["at"]
    make_price(at, lab, "2022-01-01", "2023-01-01", api_model_id="at-1", input_price="2")
    make_price(at, lab, "2023-01-01", "2024-01-01", api_model_id="at-1", input_price="3")
    make_price(at, lab, "2024-01-01", api_model_id="at-1", input_price="2")  # back to the low: not a new one
    result = capability_prices(capability_class("mmlu:70"), kind="input")
    assert [price.input_per_mtok for _date, price in result.steps] == [2, 3, 2]
    assert [price.input_per_mtok for _date, price in result.lows] == [2]
    assert result.fit is None


def test_free_prices_are_not_the_price_of_a_capability(scored):
    lab, at = scored["lab"], scored["at"]
    make_price(at, lab, "2022-01-01", api_model_id="at-1", input_price="2")
    free = make_price(at, lab, "2022-06-01", api_model_id="at-free", input_price="0")
    free.output_per_mtok = 0
    free.save()
    result = capability_prices(capability_class("mmlu:70"), kind="input")
    assert [price.api_model_id for _date, price in result.steps] == ["at-1"]


def test_back_dating_moves_only_snapshot_prices_of_models_without_a_curated_history(scored):
    lab, at, below = scored["lab"], scored["at"], scored["below"]
    below.release_date = datetime.date(2022, 3, 1)
    below.save()
    curated = make_price(at, lab, "2024-01-01", api_model_id="at-1")
    snapshot_of_curated = make_price(at, make_org("host"), "2026-07-24", api_model_id="at-2")
    snapshot_of_curated.origin = "litellm.json: at-2"
    snapshot_of_curated.save()
    snapshot = make_price(below, lab, "2026-07-24", api_model_id="below-1")
    snapshot.origin = "litellm.json: below-1"
    snapshot.save()
    prices = list(PricePoint.objects.select_related("model"))
    moved = {price.api_model_id: price.effective_from for price in back_dated(prices)}
    assert moved == {
        "at-1": curated.effective_from,
        "at-2": datetime.date(2026, 7, 24),  # its model has a curated history: kept
        "below-1": datetime.date(2022, 3, 1),  # only a snapshot: credited from its release
    }
    assert PricePoint.objects.get(pk=snapshot.pk).effective_from == datetime.date(2026, 7, 24)  # never saved


def test_the_frontier_keeps_only_models_no_other_beats_on_both(scored):
    rows = price_against_score(scored["mmlu"], kind="input", today=datetime.date(2030, 1, 1))
    assert rows == []  # no prices yet
    lab = scored["lab"]
    make_price(scored["at"], lab, "2024-01-01", api_model_id="at-1", input_price="1")
    make_price(scored["below"], lab, "2024-01-01", api_model_id="below-1", input_price="0.5")
    make_price(scored["tuned"], lab, "2024-01-01", api_model_id="tuned-1", input_price="2")
    rows = price_against_score(scored["mmlu"], kind="input", today=datetime.date(2030, 1, 1))
    assert [(row.model.slug, row.score, row.on_frontier) for row in rows] == [
        ("below", Decimal("69.99"), True),
        ("at-threshold", Decimal("70.00"), True),
        ("tuned", Decimal("65.00"), False),  # dearer and worse than both; its base's 90 does not count
    ]


def test_mark_frontier_orders_ties_by_price_then_score():
    class Row:
        def __init__(self, name, value, score):
            self.model, self.value, self.score, self.price = FoundationModel(name=name), value, score, None

    rows = mark_frontier([Row("a", 1, 50), Row("b", 1, 60), Row("c", 2, 55), Row("d", 3, 70)])
    assert [(row.model.name, row.on_frontier) for row in rows] == [
        ("b", True),
        ("a", False),
        ("c", False),
        ("d", True),
    ]
    # Where lower scores are better, the frontier keeps the lower score at each price.
    rows = mark_frontier([Row("a", 1, 50), Row("b", 1, 60), Row("c", 2, 40), Row("d", 3, 45)], higher_is_better=False)
    assert [(row.model.name, row.on_frontier) for row in rows] == [
        ("a", True),
        ("b", False),
        ("c", True),
        ("d", False),
    ]
