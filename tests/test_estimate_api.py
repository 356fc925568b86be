"""The estimate endpoints: the same arithmetic as the pages, validated input, and a 400 (never a 500) on nonsense."""

import pytest
from drf_spectacular.generators import SchemaGenerator

SERVING = "/api/v1/estimate/serving/"
TRAINING = "/api/v1/estimate/training/"
TOKENS = "/api/v1/estimate/tokens/"


pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("bundled")]


def codes(body):
    return {assumption["code"] for assumption in body["assumptions"]}


class TestServing:
    def test_70b_needs_two_h100s_at_bf16(self, api):
        one = api.get(SERVING, {"model": "llama-2-70b", "hardware": "nvidia-h100-sxm"}).json()
        two = api.get(SERVING, {"model": "llama-2-70b", "hardware": "nvidia-h100-sxm", "chips": 2}).json()
        assert one["weight_bytes"] == 140e9
        assert (one["fits"], one["chips_needed"], two["fits"]) == (False, 2, True)

    def test_decode_bound_is_bandwidth_over_bytes_per_token(self, api):
        body = api.get(
            SERVING, {"model": "llama-2-70b", "hardware": "nvidia-h100-sxm", "chips": 2, "utilization": 1}
        ).json()
        assert body["decode_tokens_per_s"] == pytest.approx(2 * 3.35e12 / (140e9 + 327_680 * 4096))

    def test_answers_with_the_working_the_cloud_price_and_the_api_prices(self, api):
        body = api.get(SERVING, {"model": "llama-2-70b", "hardware": "nvidia-h100-sxm", "chips": 2}).json()
        weights = next(step for step in body["steps"] if step["key"] == "weight_bytes")
        assert weights["formula"] == "W = P × b" and weights["substituted"] == "7e10 × 2"
        assert body["cloud_price"]["instance_type"] == "p5.48xlarge"
        assert body["usd_per_m_output"] > 0
        assert body["api_prices"][0]["api_model_id"] == "meta.llama2-70b-chat-v1"

    def test_a_hypothetical_model_on_a_hypothetical_chip(self, api):
        query = {"parameters": 7_000_000_000, "memory_bytes": 24e9, "memory_bandwidth": 1e12, "peak_flops": 1e14}
        body = api.get(SERVING, query).json()
        assert body["model"]["slug"] is None and body["hardware"]["slug"] is None
        assert body["fits"] is True
        assert body["decode_tokens_per_s"] == pytest.approx(1e12 * 0.5 / 14e9)
        assert "kv_shape_unknown" in codes(body)

    def test_numbers_given_override_the_catalogs(self, api):
        body = api.get(SERVING, {"model": "llama-2-70b", "hardware": "nvidia-h100-sxm", "memory_bytes": 200e9}).json()
        assert body["fits"] is True

    def test_a_model_of_unknown_shape_states_its_assumption(self, api):
        body = api.get(SERVING, {"model": "kimi-k2-thinking", "hardware": "nvidia-b200", "chips": 8}).json()
        assert {"kv_shape_unknown", "moe"} <= codes(body)
        assert "KV cache is not estimated" in " ".join(a["text"] for a in body["assumptions"])

    @pytest.mark.parametrize(
        ("query", "field"),
        [
            ({"chips": -1}, "chips"),
            ({"chips": 0}, "chips"),
            ({"batch": "many"}, "batch"),
            ({"batch": 1_000_000}, "batch"),
            ({"context": 10**12}, "context"),
            ({"utilization": 0}, "utilization"),
            ({"utilization": "nan"}, "utilization"),
            ({"utilization": 1.5}, "utilization"),
            ({"precision": "fp2"}, "precision"),
            ({"model": "no-such-model"}, "model"),
            ({"hardware": "no-such-chip"}, "hardware"),
            ({"price_per_chip_hour": -1}, "price_per_chip_hour"),
            ({"model": "gpt-4o"}, "model"),  # parameters unknown
            ({"active_parameters": 10**12}, "active_parameters"),
        ],
    )
    def test_nonsense_is_a_400_naming_the_field(self, api, query, field):
        response = api.get(SERVING, {"model": "llama-2-70b", "hardware": "nvidia-h100-sxm", **query})
        assert response.status_code == 400, response.content
        assert field in response.json()

    def test_nothing_to_estimate_is_a_400(self, api):
        response = api.get(SERVING)
        assert response.status_code == 400
        assert {"parameters", "memory_bandwidth"} <= set(response.json())


class TestTraining:
    def test_gpt3_is_6nd_and_sits_beside_its_recorded_run(self, api):
        query = {"model": "gpt-3", "hardware": "nvidia-v100-sxm2-32gb", "chips": 10000, "utilization": 0.197}
        body = api.get(TRAINING, query).json()
        assert body["flop"] == pytest.approx(3.15e23) and body["flop_source"] == "6ND"
        assert body["hours"] == pytest.approx(355.2, rel=0.01)
        run = body["recorded_runs"][0]
        assert run["slug"] == "gpt-3-training"
        assert run["flop_ratio"] == pytest.approx(3.15 / 3.14)
        assert run["hours_ratio"] == pytest.approx(1.0, rel=0.01)

    def test_cost_at_the_cheapest_cloud_price(self, api):
        body = api.get(TRAINING, {"model": "llama-3-8b", "hardware": "nvidia-h100-sxm", "chips": 1024}).json()
        assert body["price_per_chip_hour"] == pytest.approx(55.04 / 8)
        assert body["cost_usd"] == pytest.approx(body["chip_hours"] * 55.04 / 8)

    def test_hypothetical_numbers(self, api):
        body = api.get(TRAINING, {"parameters": 10**9, "tokens": 2 * 10**10, "peak_flops": 1e15, "chips": 1}).json()
        assert body["flop"] == pytest.approx(1.2e20)
        assert body["seconds"] == pytest.approx(1.2e20 / (1e15 * 0.4))
        assert body["recorded_runs"] == []

    @pytest.mark.parametrize(
        "query",
        [
            {"model": "gpt-3", "hardware": "nvidia-h100-sxm", "chips": 0},
            {"model": "gpt-3", "hardware": "nvidia-h100-sxm", "chips": 10**9},
            {"model": "gpt-3", "hardware": "nvidia-h100-sxm", "precision": "int4"},
            {"model": "gpt-3", "hardware": "nope"},
            {"model": "gpt-3"},
            {"parameters": "abc", "tokens": 1, "peak_flops": 1},
            {"parameters": -5, "tokens": 1, "peak_flops": 1},
        ],
    )
    def test_nonsense_is_a_400(self, api, query):
        assert api.get(TRAINING, query).status_code == 400


class TestTokens:
    def test_prices_every_current_offering_cheapest_first(self, api):
        body = api.get(TOKENS, {"input_tokens": 10000, "output_tokens": 1000}).json()
        totals = [float(price["total_usd"]) for price in body["prices"]]
        assert len(totals) > 20 and totals == sorted(totals)
        assert body["counted"] is None
        assert {rule["family"] for rule in body["rules"]} == {"o200k", "cl100k", "other"}

    def test_a_text_is_counted(self, api):
        body = api.get(TOKENS, {"text": "a" * 400}).json()
        assert body["input_tokens"] == 100
        assert body["counted"]["characters"] == {"latin": 400, "hangul": 0, "cjk": 0}

    def test_a_long_text_goes_in_a_post_body_without_an_account(self, api):
        text = "안녕하세요 " * 2000
        assert api.get(TOKENS, {"text": text}).status_code == 400
        response = api.post(TOKENS, {"text": text, "family": "o200k"}, format="json")
        assert response.status_code == 200
        assert response.json()["counted"]["characters"]["hangul"] == 12000

    @pytest.mark.parametrize(
        "query",
        [{"input_tokens": -1}, {"output_tokens": "x"}, {"cached_tokens": 10**13}, {"family": "klingon"}],
    )
    def test_nonsense_is_a_400(self, api, query):
        assert api.get(TOKENS, query).status_code == 400


def test_the_endpoints_are_documented_with_their_400():
    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    for path in (SERVING, TRAINING, TOKENS):
        assert "400" in paths[path]["get"]["responses"], path
    assert "400" in paths[TOKENS]["post"]["responses"]
