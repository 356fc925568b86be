"""Capability classes wherever models are filtered (website and API), the evaluation pages and endpoints, and the
price-of-capability page and endpoint."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.models import EvaluationScore, TrainingRun
from tests.api_helpers import csv_rows, results, slugs
from tests.factories import make_evaluation, make_model, make_org, make_price, make_score
from tests.test_api_writes import token_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def classed(client):
    """Two priced chat models, one at MMLU 86.4 and one at 60, and an unscored one."""
    client.defaults["HTTP_HOST"] = "127.0.0.1"
    mmlu = make_evaluation("mmlu", name="MMLU")
    lab = make_org("lab", name="Lab", is_model_developer=True, is_cloud_provider=True)
    strong = make_model("strong", org=lab, name="Strong", release_date=datetime.date(2023, 3, 14))
    weak = make_model("weak", org=lab, name="Weak")
    unscored = make_model("unscored", org=lab, name="Unscored")
    make_score(strong, mmlu, "86.4")
    make_score(weak, mmlu, "60")
    make_price(strong, lab, "2023-03-14", "2024-03-14", api_model_id="strong-1", input_price="30")
    make_price(strong, lab, "2024-03-14", "2025-03-14", api_model_id="strong-1", input_price="10")
    make_price(strong, lab, "2025-03-14", api_model_id="strong-1", input_price="2")
    make_price(weak, lab, "2023-01-01", api_model_id="weak-1", input_price="0.10")
    make_price(unscored, lab, "2023-01-01", api_model_id="unscored-1", input_price="0.01")
    return {"mmlu": mmlu, "lab": lab, "strong": strong, "weak": weak}


# --------------------------------------------------------------------------------------- the API filters


def test_api_models_and_prices_filter_by_class(api, classed):
    assert slugs(api.get("/api/v1/models/?capability=mmlu:80")) == ["strong"]
    assert sorted(slugs(api.get("/api/v1/models/?capability=mmlu:60"))) == ["strong", "weak"]
    prices = results(api.get("/api/v1/prices/?capability=mmlu:80&current=true"))
    assert [row["api_model_id"] for row in prices] == ["strong-1"]
    scores = results(api.get("/api/v1/evaluation-scores/?capability=mmlu:80"))
    assert [row["model"]["slug"] for row in scores] == ["strong"]


@pytest.mark.parametrize("value", ["mmlu:abc", "nope:50", "mmlu:1000", "x" * 200, "mmlu:\x00"])
def test_api_refuses_a_bad_class_with_a_400_that_says_why(api, classed, value):
    for url in ("/api/v1/models/", "/api/v1/prices/", "/api/v1/estimate/tokens/"):
        response = api.get(url, {"capability": value})
        assert response.status_code == 400, (url, value)
        assert "capability" in response.json()


def test_token_api_prices_only_the_class(api, classed):
    body = api.get("/api/v1/estimate/tokens/?capability=mmlu:80").json()
    assert {row["model"]["slug"] for row in body["prices"]} == {"strong"}
    every = api.get("/api/v1/estimate/tokens/").json()
    assert {row["model"]["slug"] for row in every["prices"]} == {"strong", "weak", "unscored"}
    posted = api.post("/api/v1/estimate/tokens/", {"text": "hello", "capability": "mmlu:60"}, format="json").json()
    assert {row["model"]["slug"] for row in posted["prices"]} == {"strong", "weak"}


# ------------------------------------------------------------------------------------ evaluations API


def test_scores_read_with_their_evaluation_and_sources_and_export_as_csv(api, classed):
    rows = results(api.get("/api/v1/evaluation-scores/?evaluation=mmlu&ordering=-score"))
    assert [(row["model"]["slug"], row["score"]) for row in rows] == [("strong", "86.40"), ("weak", "60.00")]
    assert rows[0]["sources"][0]["url"] == "https://example.org/datasheet"
    assert rows[0]["evaluation"]["slug"] == "mmlu"
    exported = csv_rows(api.get("/api/v1/evaluation-scores/?format=csv"))
    assert len(exported) == 2
    evaluation = api.get("/api/v1/evaluations/mmlu/").json()
    assert evaluation["definition"] == "https://example.org/eval" and evaluation["url"].endswith("/evaluations/mmlu/")


def test_staff_write_of_an_out_of_scale_score_is_a_400_that_writes_nothing(api, classed):
    permissions = ["add_evaluationscore", "change_evaluationscore"]
    api.credentials(HTTP_AUTHORIZATION=token_for("curator", staff=True, permissions=permissions))
    payload = {
        "model": "weak",
        "evaluation": "mmlu",
        "score": "101",
        "measured_on": "2024-05-01",
        "measured_by": "independent",
        "evaluator": "Someone",
        "sources": ["https://example.org/datasheet"],
    }
    before = EvaluationScore.objects.count()
    response = api.post("/api/v1/evaluation-scores/", payload, format="json")
    assert response.status_code == 400 and "score" in response.json()
    assert EvaluationScore.objects.count() == before
    created = api.post("/api/v1/evaluation-scores/", {**payload, "score": "71.5"}, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["model"]["slug"] == "weak"
    anonymous = type(api)().post("/api/v1/evaluation-scores/", payload, format="json")
    assert anonymous.status_code == 401


# ---------------------------------------------------------------------------- price-of-capability API


def test_capability_prices_endpoint_returns_steps_lows_fit_and_frontier(api, classed):
    body = api.get("/api/v1/capability-prices/?capability=mmlu:80&kind=input").json()
    assert body["capability"]["evaluation"] == "mmlu" and body["capability"]["threshold"] == "80.00"
    assert [(row["date"], row["price"], row["model"]) for row in body["record_lows"]] == [
        ("2023-03-14", "30.000000", "strong"),
        ("2024-03-14", "10.000000", "strong"),
        ("2025-03-14", "2.000000", "strong"),
    ]
    assert body["record_lows"][0]["score"]["score"] == "86.40"
    assert body["fit"]["points"] == 3 and body["fit"]["factor_per_year"] == pytest.approx(3.87, rel=0.01)
    low, high = body["fit"]["interval_95"]
    assert low < body["fit"]["factor_per_year"] < high
    assert body["models_in_class"] == 1 and body["priced_models"] == 1
    assert [row["model"] for row in body["frontier_today"]] == ["weak", "strong"]


@pytest.mark.parametrize(
    "query", ["", "capability=", "capability=mmlu:80&kind=median", "capability=mmlu:80&dating=never", "capability=zz"]
)
def test_capability_prices_endpoint_refuses_bad_queries(api, classed, query):
    response = api.get(f"/api/v1/capability-prices/?{query}")
    assert response.status_code == 400


# ------------------------------------------------------------------------------------------- website


def test_model_list_filters_by_a_class_and_explains_a_bad_one(client, classed):
    page = client.get("/models/?capability=mmlu:80")
    assert page.status_code == 200
    assert [model.slug for model in page.context["object_list"]] == ["strong"]
    bad = client.get("/models/?capability=mmlu:500")
    assert bad.status_code == 400
    assert "above the highest possible score" in bad.content.decode()


def test_price_chart_cheapest_line_is_drawn_from_the_class_only(client, classed):
    page = client.get("/charts/prices/?capability=mmlu:80&kind=input")
    cheapest = next(figure for figure in page.context["figures"] if figure["id"] == "cheapest")
    assert min(y for y in cheapest["json"]["data"][0]["y"] if y is not None) == 2  # not the unscored 0.01


def test_token_calculator_and_serving_matrix_take_a_class(client, classed):
    tokens = client.get("/estimate/tokens/?capability=mmlu:80")
    assert tokens.status_code == 200
    assert {cost.price.key.model.slug for cost in tokens.context["costs"]} == {"strong"}
    classed["strong"].parameters = classed["weak"].parameters = 7_000_000_000
    classed["strong"].save()
    classed["weak"].save()
    matrix = client.get("/estimate/?access=&capability=mmlu:80")
    assert [row["model"].slug for row in matrix.context["matrix"]["rows"]] == ["strong"]
    assert client.get("/estimate/?capability=mmlu:abc").status_code == 400


def test_capability_page_shows_the_fit_the_working_and_the_frontier(client, classed):
    page = client.get("/charts/capability-prices/?capability=mmlu:80&kind=input")
    assert page.status_code == 200
    html = page.content.decode()
    assert "3.9× per year" in html  # 30 -> 10 -> 2 over two years
    assert [price.api_model_id for _date, price, _score in page.context["result"].working] == ["strong-1"] * 3
    assert {figure["id"] for figure in page.context["figures"]} == {"capability-prices", "price-score"}
    own = client.get("/charts/capability-prices/?evaluation=mmlu&threshold=50&kind=input")
    assert own.context["capability"].threshold == Decimal(50)
    independent = client.get("/charts/capability-prices/?capability=mmlu:50&independent=on")
    assert independent.context["capability"].key == "mmlu:50@independent"
    assert independent.context["result"].models_in_class == 0  # the fixture's scores are all the developers'
    half = client.get("/charts/capability-prices/?evaluation=mmlu")
    assert half.status_code == 400 and "both an evaluation and a score" in half.content.decode()


def test_capability_page_queries_do_not_grow_with_the_price_history(client, classed):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/charts/capability-prices/?capability=mmlu:80").status_code == 200
        return len(captured)

    before = queries()
    host = make_org("host", name="Host")
    for year in range(2, 40):
        make_price(classed["strong"], host, f"{1990 + year}-01-01", f"{1991 + year}-01-01", api_model_id="old")
    assert queries() == before


def test_evaluation_pages_and_the_model_page_show_scores_with_sources(client, classed):
    listing = client.get("/evaluations/")
    assert listing.status_code == 200 and "MMLU" in listing.content.decode()
    detail = client.get("/evaluations/mmlu/")
    assert [score.model.slug for score in detail.context["scores"]] == ["strong", "weak"]
    model = client.get("/models/strong/").content.decode()
    assert "Evaluation scores" in model and "86.4" in model and "https://example.org/datasheet" in model
    assert client.get("/evaluations/nothing/").status_code == 404


def test_capability_prices_endpoint_is_read_only_for_everyone(api, classed):
    assert api.post("/api/v1/capability-prices/?capability=mmlu:80", {}).status_code == 405
    assert api.get("/api/v1/capability-prices/?capability=mmlu:80").status_code == 200


def test_training_runs_filter_by_their_models_class(api, classed):
    TrainingRun.objects.create(slug="strong-run", model=classed["strong"], chip_count=8)
    TrainingRun.objects.create(slug="weak-run", model=classed["weak"], chip_count=8)
    assert slugs(api.get("/api/v1/training-runs/?capability=mmlu:80")) == ["strong-run"]


def test_a_gap_with_nothing_in_force_is_a_null_step(api, classed):
    lab = classed["lab"]
    gap = make_model("gap", org=lab, name="Gap")
    make_score(gap, classed["mmlu"], "95")
    make_price(gap, lab, "2020-01-01", "2020-06-01", api_model_id="gap-1", input_price="50")
    steps = api.get("/api/v1/capability-prices/?capability=mmlu:90&kind=input").json()["steps"]
    assert steps == [
        {
            "date": "2020-01-01",
            "price": "50.000000",
            "model": "gap",
            "provider": "lab",
            "api_model_id": "gap-1",
            "context_tier": "standard",
            "price_id": steps[0]["price_id"],
            "effective_from": "2020-01-01",
            "score": None,
        },
        {
            "date": "2020-06-01",
            "price": None,
            "model": None,
            "provider": None,
            "api_model_id": None,
            "context_tier": None,
            "price_id": None,
            "effective_from": None,
            "score": None,
        },
    ]


def test_staff_without_the_tables_permission_cannot_write_scores(api, classed):
    api.credentials(HTTP_AUTHORIZATION=token_for("intern", staff=True))
    payload = {"model": "weak", "evaluation": "mmlu", "score": "50", "measured_on": "2024-01-01"}
    before = EvaluationScore.objects.count()
    assert api.post("/api/v1/evaluation-scores/", payload, format="json").status_code == 403
    assert api.delete(f"/api/v1/evaluation-scores/{EvaluationScore.objects.first().pk}/").status_code == 403
    assert EvaluationScore.objects.count() == before
