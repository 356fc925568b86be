"""The estimator pages over the bundled catalog: every model renders, the working shows, queries stay bounded."""

import re

import pytest

from catalog import estimating
from catalog.benchmarking.store import record_run
from catalog.models import FoundationModel
from catalog.views.estimators import TOKEN_COSTS_SHOWN
from tests.benchmark_reports import benchmark_report

CHIPS = ["nvidia-h100-sxm", "furiosa-rngd", "google-tpu-v5e", "cerebras-wse-3"]


pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("bundled")]


def text(response):
    return re.sub(r"\s+", " ", response.content.decode())


def test_every_bundled_model_renders_on_a_few_chips(client):
    slugs = list(FoundationModel.objects.values_list("slug", flat=True))
    assert len(slugs) > 100
    for slug in slugs:
        for chip in CHIPS:
            response = client.get(f"/estimate/{slug}/{chip}/")
            assert response.status_code == 200, (slug, chip)


class TestPairPage:
    def test_shows_every_formula_with_the_numbers(self, client):
        html = text(client.get("/estimate/llama-2-70b/nvidia-h100-sxm/?chips=2"))
        assert "W = P × b" in html and "7e10 × 2" in html and "140 GB" in html
        assert "2 × 80 × 8 × 128 × 2" in html
        assert "Fits" in html
        assert "per 1M output tokens" in html

    def test_one_h100_is_not_enough_for_70b_at_bf16(self, client):
        html = text(client.get("/estimate/llama-2-70b/nvidia-h100-sxm/?chips=1"))
        assert "Does not fit" in html and "needs at least 2 chips" in html

    def test_names_the_cloud_price_it_used_and_sets_the_api_prices_beside(self, client):
        html = text(client.get("/estimate/llama-2-70b/nvidia-h100-sxm/?chips=2"))
        assert "cheapest current on-demand price" in html and "p5.48xlarge" in html
        assert "meta.llama2-70b-chat-v1" in html

    def test_a_price_entered_replaces_the_cloud_price(self, client):
        html = text(client.get("/estimate/llama-2-70b/nvidia-h100-sxm/?chips=2&price=1.00"))
        assert "$1.00 per chip-hour, as entered" in html

    def test_a_model_of_unknown_shape_states_its_assumption(self, client):
        html = text(client.get("/estimate/kimi-k2-thinking/nvidia-h200-sxm/?chips=16&precision=int4"))
        assert "KV cache is not estimated" in html
        assert "Mixture of experts" in html
        assert "INT4 weights are taken to compute at the INT8 peak" in html

    def test_a_model_of_unknown_size_says_nothing_can_be_estimated(self, client):
        html = text(client.get("/estimate/gpt-4o/nvidia-h100-sxm/"))
        assert "nothing can be estimated" in html

    def test_a_chip_without_a_cloud_price_says_so(self, client):
        html = text(client.get("/estimate/llama-3-8b/furiosa-rngd/"))
        assert "no current on-demand cloud price" in html

    @pytest.mark.parametrize(
        "query", ["chips=0", "batch=-1", "precision=fp2", "utilization=abc", "context=99999999999"]
    )
    def test_nonsense_is_a_400_with_the_message(self, client, query):
        response = client.get(f"/estimate/llama-2-70b/nvidia-h100-sxm/?{query}")
        assert response.status_code == 400
        assert "Some inputs were refused" in text(response)

    def test_unknown_slugs_are_404(self, client):
        assert client.get("/estimate/nope/nvidia-h100-sxm/").status_code == 404
        assert client.get("/estimate/llama-2-70b/nope/").status_code == 404


class TestMatrix:
    def test_renders_models_by_chips_with_links_to_the_working(self, client):
        html = text(client.get("/estimate/"))
        assert "Serving fit: models × chips" in html
        newest = estimating.matrix_models(access="open-weights").first()  # the default: open weights, newest first
        first_chip = estimating.matrix_chips().first()  # by vendor, then age
        # Chips left empty: each cell on the fewest that hold the model, named in its link to the pair page.
        assert f'href="/estimate/{newest.slug}/{first_chip.slug}/?' in html
        assert "est-heat-" in html
        assert "✗ 2" in text(client.get("/estimate/?chips=1"))

    @pytest.mark.parametrize(
        "query",
        [
            "",
            "access=&chips=8&precision=fp8",
            "metric=cost&priced=on",
            "family=Llama&vendor=nvidia&kind=gpu&batch=64&context=8192&utilization=0.3",
        ],
    )
    def test_query_count_is_bounded(self, client, django_assert_max_num_queries, query):
        with django_assert_max_num_queries(10):
            assert client.get(f"/estimate/?{query}").status_code == 200

    def test_cost_colouring_shows_dollars(self, client):
        html = text(client.get("/estimate/?metric=cost&priced=on&chips=2"))
        assert "USD per 1M output tokens" in html and "$" in html

    def test_filters_narrow_the_rows(self, client):
        html = text(client.get("/estimate/?family=EXAONE&access="))
        assert "EXAONE 3.5 32B" in html and "Llama 3 70B" not in html

    def test_a_bad_filter_is_a_400(self, client):
        response = client.get("/estimate/?chips=100000&kind=cpu")
        assert response.status_code == 400
        assert "Some inputs were refused" in text(response)

    def test_says_when_no_benchmark_run_is_stored(self, client):
        assert "No benchmark run is stored yet" in text(client.get("/estimate/"))

    def test_sets_the_measured_micro_model_beside_its_estimate(self, client):
        run = record_run(report=benchmark_report())
        html = text(client.get("/estimate/"))
        assert "Check of the method" in html and f'href="/benchmarks/{run.pk}/"' in html
        assert "numpy/cpu" in html


class TestTokenPage:
    def test_prices_every_current_offering_cheapest_first(self, client):
        response = client.get("/estimate/tokens/?input_tokens=10000&output_tokens=1000")
        assert response.status_code == 200
        totals = [
            float(value.replace(",", "")) for value in re.findall(r"<strong>\$([\d.,]+)</strong>", text(response))
        ]
        assert len(totals) > 20 and totals == sorted(totals)

    def test_shows_the_cheapest_and_links_every_price_in_the_api_for_the_same_request(self, client):
        html = text(client.get("/estimate/tokens/?input_tokens=10000&cached_tokens=0&output_tokens=1000"))
        shown = re.findall(r"<strong>\$([\d.,]+)</strong>", html)
        api_url = re.search(r'href="(/api/v1/estimate/tokens/\?[^"]+)"', html)[1].replace("&amp;", "&")
        assert "input_tokens=10000" in api_url and "output_tokens=1000" in api_url
        body = client.get(api_url, HTTP_ACCEPT="application/json").json()  # the cheapest few, and how many apply
        assert len(shown) == TOKEN_COSTS_SHOWN < body["price_count"]
        assert f"The {TOKEN_COSTS_SHOWN} cheapest of {body['price_count']} prices" in html

    def test_a_pasted_korean_text_is_counted_by_the_stated_rule(self, client):
        response = client.post(
            "/estimate/tokens/", {"text": "토큰 사용량을 줄이려고 에이전트 루프를 다시 짰다.", "family": "o200k"}
        )
        html = text(response)
        assert response.status_code == 200
        assert "28 Hangul" in html and "about 19 tokens" in html
        assert "1.5 characters per token for Korean" in html and "jangwook.net" in html

    def test_the_rules_are_stated_with_their_sources(self, client):
        html = text(client.get("/estimate/tokens/"))
        assert "4 characters per token for English" in html
        assert "help.openai.com" in html

    def test_nonsense_is_a_400(self, client):
        assert client.get("/estimate/tokens/?input_tokens=-5").status_code == 400


class TestTrainingPage:
    def test_estimate_with_the_6nd_working(self, client):
        html = text(client.get("/estimate/training/?model=gpt-3&hardware=nvidia-v100-sxm2-32gb&chips=10000"))
        assert "C = 6 × N × D" in html and "6 × 1.75e11 × 3e11" in html

    def test_sets_the_recorded_runs_beside_with_ratios(self, client, django_assert_max_num_queries):
        with django_assert_max_num_queries(12):
            html = text(client.get("/estimate/training/?utilization=0.4"))
        assert "Beside the catalog's recorded training runs" in html
        assert "GPT-3" in html and "DeepSeek-V3" in html
        assert "1.00×" in html  # GPT-3: 6 · 175e9 · 300e9 = 3.15e23 against the 3.14e23 reported

    def test_reads_only_the_runs_it_shows_the_chosen_models_first(self, client):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from catalog.models import TrainingRun
        from catalog.views.estimators import TRAINING_RUNS_SHOWN

        ranked = list(estimating.runs_worth_comparing(None, TrainingRun.objects.count()))
        assert TrainingRun.objects.count() > TRAINING_RUNS_SHOWN and len(ranked) == TrainingRun.objects.count()
        assert [run.figures for run in ranked] == sorted((run.figures for run in ranked), reverse=True)
        last = ranked[-1].model  # the least comparable run: shown only when its model is chosen
        with CaptureQueriesContext(connection) as queries:
            html = client.get(f"/estimate/training/?model={last.slug}").content.decode()
        table = html[html.index('class="est-runs"') :]
        rows = re.findall(r'<tr><th scope="row" class="nowrap"><a href="/models/([^/]+)/"', table)
        assert rows[0] == last.slug and len(rows) == TRAINING_RUNS_SHOWN, rows
        run_reads = [q["sql"] for q in queries.captured_queries if q["sql"].startswith('SELECT "catalog_trainingrun"')]
        assert run_reads and all(f"LIMIT {TRAINING_RUNS_SHOWN}" in sql for sql in run_reads), run_reads

    def test_nonsense_is_a_400(self, client):
        assert client.get("/estimate/training/?chips=0").status_code == 400
        assert client.get("/estimate/training/?model=nope").status_code == 400
