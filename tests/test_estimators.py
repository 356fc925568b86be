"""The estimators' arithmetic against hand calculations and published figures. No database."""

import ast
import pathlib
from decimal import Decimal

import pytest

from catalog.estimators import ChipSpec, ModelShape, count_tokens, estimate_serving, estimate_training, token_costs
from catalog.estimators.tokens import PriceRow, characters_by_script, tier_applies, tier_bounds
from catalog.estimators.training import implied_utilization, training_flop
from catalog.estimators.working import num

GB = 1e9
H100 = ChipSpec("H100 SXM", 80e9, 3.35e12, {"bf16_flops": 989.5e12, "fp8_flops": 1979e12, "int8_ops": 1979e12})
V100 = ChipSpec("V100", 32e9, 900e9, {"bf16_flops": 125e12, "fp32_flops": 15.7e12})
LLAMA_2_70B = ModelShape("Llama 2 70B", 70_000_000_000, layers=80, hidden_size=8192, attention_heads=64, kv_heads=8)
DEEPSEEK_V3 = ModelShape("DeepSeek-V3", 671_000_000_000, active_parameters=37_000_000_000)


def step(estimate, key):
    return next(step for step in estimate.steps if step.key == key)


def codes(estimate):
    return {assumption.code for assumption in estimate.assumptions}


class TestMemoryFit:
    def test_70b_at_bf16_needs_140_gb_and_does_not_fit_one_80_gb_h100(self):
        one = estimate_serving(LLAMA_2_70B, H100, precision="bf16", chips=1, batch=1, context=4096)
        assert one.weight_bytes == 140 * GB
        assert one.fits is False
        assert one.chips_needed == 2

    def test_but_fits_two(self):
        two = estimate_serving(LLAMA_2_70B, H100, precision="bf16", chips=2, batch=1, context=4096)
        assert two.fits is True
        assert two.available_bytes == 160 * GB

    def test_kv_cache_is_2_layers_kv_heads_head_dim_bytes_context_batch(self):
        estimate = estimate_serving(LLAMA_2_70B, H100, precision="bf16", chips=2, batch=4, context=4096)
        per_token = 2 * 80 * 8 * (8192 / 64) * 2  # 327,680 B: Llama 2 70B's well-known 320 KiB per token
        assert step(estimate, "kv_bytes_per_token").value == per_token == 327_680
        assert estimate.kv_bytes == per_token * 4096 * 4
        assert estimate.required_bytes == 140 * GB + per_token * 4096 * 4

    def test_int4_halves_the_weight_bytes_of_int8(self):
        int8 = estimate_serving(LLAMA_2_70B, H100, precision="int8")
        int4 = estimate_serving(LLAMA_2_70B, H100, precision="int4")
        assert int4.weight_bytes == int8.weight_bytes / 2 == 35 * GB
        assert estimate_serving(LLAMA_2_70B, H100, precision="fp8").weight_bytes == 70 * GB

    def test_moe_holds_every_parameter_in_memory(self):
        estimate = estimate_serving(DEEPSEEK_V3, H100, precision="fp8", chips=8)
        assert estimate.weight_bytes == 671 * GB
        assert estimate.fits is False and estimate.chips_needed == 9
        assert "moe" in codes(estimate)

    def test_unknown_shape_says_the_kv_cache_is_not_estimated(self):
        estimate = estimate_serving(DEEPSEEK_V3, H100, precision="fp8", chips=16)
        assert estimate.kv_bytes is None
        assert estimate.required_bytes == estimate.weight_bytes
        assert {"kv_shape_unknown", "attention_flops_omitted"} <= codes(estimate)

    def test_unknown_kv_heads_assumes_full_multi_head_attention(self):
        model = ModelShape("OPT-175B", 175_000_000_000, layers=96, hidden_size=12288, attention_heads=96)
        estimate = estimate_serving(model, H100, chips=8)
        assert step(estimate, "kv_bytes_per_token").value == 2 * 96 * 12288 * 2
        assert "kv_heads_assumed_mha" in codes(estimate)

    def test_context_is_capped_at_the_models_maximum(self):
        model = ModelShape("small", 1_000_000_000, layers=2, hidden_size=64, kv_heads=1, context_length=2048)
        estimate = estimate_serving(model, H100, context=100_000)
        assert estimate.context == 2048
        assert "context_capped" in codes(estimate)


class TestSpeed:
    def test_decode_bound_is_bandwidth_over_bytes_per_token(self):
        """Batch 1: each token reads every weight and the KV cache once."""
        estimate = estimate_serving(LLAMA_2_70B, H100, chips=2, batch=1, context=4096, utilization=1.0)
        bytes_per_token = 140 * GB + 327_680 * 4096
        assert estimate.decode_tokens_per_s == pytest.approx(2 * 3.35e12 / bytes_per_token)
        assert estimate.decode_limited_by == "memory"

    def test_decode_without_a_kv_estimate_is_bandwidth_over_weight_bytes(self):
        model = ModelShape("7B", 7_000_000_000)
        estimate = estimate_serving(model, H100, utilization=0.5)
        assert estimate.decode_tokens_per_s == pytest.approx(3.35e12 * 0.5 / 14e9)  # ≈ 120 tokens/s

    def test_a_batch_shares_the_weight_read(self):
        model = ModelShape("7B", 7_000_000_000)
        one = estimate_serving(model, H100, batch=1)
        eight = estimate_serving(model, H100, batch=8)
        assert eight.decode_tokens_per_s == pytest.approx(8 * one.decode_tokens_per_s)
        assert eight.per_sequence_tokens_per_s == pytest.approx(one.decode_tokens_per_s)

    def test_large_batches_become_compute_bound(self):
        model = ModelShape("7B", 7_000_000_000)
        estimate = estimate_serving(model, H100, batch=4096, utilization=1.0)
        assert estimate.decode_limited_by == "compute"
        assert estimate.decode_tokens_per_s == pytest.approx(989.5e12 / (2 * 7e9))

    def test_prefill_bound_is_peak_over_two_flop_per_parameter(self):
        model = ModelShape("7B", 7_000_000_000)
        estimate = estimate_serving(model, H100, chips=2, utilization=0.4)
        assert estimate.prefill_tokens_per_s == pytest.approx(2 * 989.5e12 * 0.4 / 14e9)

    def test_prefill_adds_attention_over_half_the_context_when_the_shape_is_known(self):
        estimate = estimate_serving(LLAMA_2_70B, H100, context=4096, utilization=1.0)
        flop = 2 * 70e9 + 2 * 80 * 4096 * 8192
        assert estimate.prefill_tokens_per_s == pytest.approx(989.5e12 / flop)

    def test_moe_computes_with_active_parameters(self):
        estimate = estimate_serving(DEEPSEEK_V3, H100, precision="fp8", chips=16, utilization=1.0)
        assert estimate.prefill_tokens_per_s == pytest.approx(16 * 1979e12 / (2 * 37e9))
        assert step(estimate, "weights_read").value == 37 * GB

    def test_each_precision_uses_its_own_peak(self):
        model = ModelShape("7B", 7_000_000_000)
        bf16 = estimate_serving(model, H100, precision="bf16")
        fp8 = estimate_serving(model, H100, precision="fp8")
        assert (bf16.peak_field, fp8.peak_field) == ("bf16_flops", "fp8_flops")
        assert fp8.prefill_tokens_per_s == pytest.approx(2 * bf16.prefill_tokens_per_s)

    def test_int4_uses_the_int8_peak_and_says_so(self):
        estimate = estimate_serving(ModelShape("7B", 7_000_000_000), H100, precision="int4")
        assert estimate.peak_field == "int8_ops"
        assert "int4_at_int8_peak" in codes(estimate)

    def test_fp8_on_a_chip_without_fp8_falls_back_to_bf16_and_says_so(self):
        estimate = estimate_serving(ModelShape("7B", 7_000_000_000), V100, precision="fp8")
        assert estimate.peak_field == "bf16_flops"
        fallback = next(a for a in estimate.assumptions if a.code == "peak_fallback")
        assert fallback.params["wanted"] == "FP8" and fallback.params["used"] == "BF16/FP16"

    def test_a_chip_without_bandwidth_has_no_decode_bound_and_no_cost(self):
        chip = ChipSpec("mystery", 64e9, None, {"bf16_flops": 1e15})
        estimate = estimate_serving(ModelShape("7B", 7_000_000_000), chip, price_per_chip_hour=2)
        assert estimate.decode_tokens_per_s is None and estimate.usd_per_m_output is None
        assert estimate.prefill_tokens_per_s is not None
        assert "bandwidth_unknown" in codes(estimate)


class TestServingCost:
    def test_usd_per_million_output_tokens_is_hourly_price_over_tokens_per_hour(self):
        model = ModelShape("7B", 7_000_000_000)
        estimate = estimate_serving(model, H100, chips=2, price_per_chip_hour=Decimal("6.88"))
        expected = 2 * 6.88 / (estimate.decode_tokens_per_s * 3600) * 1e6
        assert estimate.usd_per_m_output == pytest.approx(expected)

    def test_no_price_no_cost_and_it_says_so(self):
        estimate = estimate_serving(ModelShape("7B", 7_000_000_000), H100)
        assert estimate.usd_per_m_output is None
        assert "price_unknown" in codes(estimate)


class TestWorking:
    def test_every_step_shows_its_formula_and_the_numbers_put_in(self):
        estimate = estimate_serving(LLAMA_2_70B, H100, chips=2, price_per_chip_hour=6.88)
        weights = step(estimate, "weight_bytes")
        assert (weights.formula, weights.substituted, weights.value, weights.unit) == (
            "W = P × b",
            "7e10 × 2",
            140e9,
            "B",
        )
        assert step(estimate, "kv_bytes_per_token").substituted == "2 × 80 × 8 × 128 × 2"
        assert {"decode_bound", "prefill_bound", "usd_per_m_output"} <= {s.key for s in estimate.steps}

    @pytest.mark.parametrize(
        ("value", "text"), [(140e9, "1.4e11"), (0.5, "0.5"), (8, "8"), (3.15e23, "3.15e23"), (None, "?")]
    )
    def test_numbers_inside_formulas(self, value, text):
        assert num(value) == text

    @pytest.mark.parametrize(
        "bad", [{"chips": 0}, {"batch": 0}, {"context": 0}, {"utilization": 0}, {"utilization": 2}]
    )
    def test_nonsense_is_refused(self, bad):
        with pytest.raises(ValueError):
            estimate_serving(ModelShape("7B", 7_000_000_000), H100, **bad)

    def test_the_package_imports_no_django(self):
        package = pathlib.Path(__file__).parent.parent / "catalog" / "estimators"
        for path in package.glob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Import | ast.ImportFrom):
                    names = [node.module or ""] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
                    assert not any(name.startswith(("django", "rest_framework")) for name in names), path


class TestTraining:
    def test_gpt3_175b_on_300b_tokens_is_about_3_15e23_flop(self):
        assert training_flop(175e9, 300e9) == pytest.approx(3.15e23)
        # Epoch AI and the GPT-3 paper report 3.14e23.
        assert training_flop(175e9, 300e9) == pytest.approx(3.14e23, rel=0.01)

    def test_time_is_compute_over_chips_peak_and_utilization(self):
        estimate = estimate_training(parameters=175e9, tokens=300e9, chip=V100, chips=10_000, utilization=0.197)
        assert estimate.seconds == pytest.approx(3.15e23 / (10_000 * 125e12 * 0.197))
        assert estimate.hours == pytest.approx(355.3, rel=0.01)  # the catalog records 355.2 h for GPT-3

    def test_cost_is_chips_times_hours_times_price(self):
        estimate = estimate_training(parameters=7e9, tokens=2e12, chip=H100, chips=1024, price_per_chip_hour=2.5)
        assert estimate.cost_usd == pytest.approx(1024 * estimate.hours * 2.5)

    def test_moe_uses_active_parameters(self):
        estimate = estimate_training(parameters=671e9, active_parameters=37e9, tokens=14.8e12)
        assert estimate.flop == pytest.approx(6 * 37e9 * 14.8e12)
        assert "training_moe" in codes(estimate)

    def test_reported_compute_stands_in_when_n_or_d_is_unknown(self):
        estimate = estimate_training(reported_flop=2.1e25, chip=H100, chips=25_000, model_name="GPT-4")
        assert estimate.flop == 2.1e25 and estimate.flop_source == "reported"
        assert "flop_from_reported" in codes(estimate)

    def test_implied_utilization(self):
        assert implied_utilization(flop=3.14e23, chips=10_000, peak=125e12, hours=355.2) == pytest.approx(
            0.196, rel=0.01
        )
        assert implied_utilization(flop=None, chips=1, peak=1, hours=1) is None


class TestTokens:
    def test_english_is_about_four_characters_per_token(self):
        assert count_tokens("a" * 400, "o200k").tokens == 100

    def test_korean_uses_its_own_measured_ratio(self):
        sentence = "토큰 사용량을 줄이려고 에이전트 루프를 다시 짰다."  # 20 tokens on o200k_base, as published
        counted = count_tokens(sentence, "o200k")
        assert counted.characters == {"latin": 0, "hangul": 28, "cjk": 0}
        assert abs(counted.tokens - 20) <= 2
        assert count_tokens(sentence, "cl100k").tokens > counted.tokens

    def test_spaces_and_punctuation_count_with_the_letters_before_them(self):
        assert characters_by_script("Hi, 안녕!") == {"latin": 4, "hangul": 3, "cjk": 0}
        assert characters_by_script("  12") == {"latin": 4, "hangul": 0, "cjk": 0}

    @pytest.mark.parametrize(
        ("tier", "bounds"),
        [("standard", None), ("0-32k", (0, 32_000)), ("32k-128k", (32_000, 128_000)), ("128-252k", (128_000, 252_000))],
    )
    def test_tier_names(self, tier, bounds):
        assert tier_bounds(tier) == bounds

    def test_standard_gives_way_to_a_long_prompt_tier(self):
        assert tier_applies("standard", 1000, ["standard", "over-200k"])
        assert not tier_applies("standard", 300_000, ["standard", "over-200k"])
        assert tier_applies("over-200k", 300_000, ["standard", "over-200k"])

    def test_costs_are_sorted_with_the_blended_price(self):
        prices = [
            PriceRow("dear", ("a", "dear"), "standard", Decimal("10"), Decimal("30"), Decimal("1")),
            PriceRow("cheap", ("a", "cheap"), "standard", Decimal("0.15"), Decimal("0.60")),
        ]
        costs = token_costs(input_tokens=1_000_000, cached_tokens=1_000_000, output_tokens=500_000, prices=prices)
        assert [cost.price.key for cost in costs] == ["cheap", "dear"]
        dear = costs[1]
        assert dear.total_usd == Decimal("10") + Decimal("1") + Decimal("15")
        assert dear.blended_per_mtok == Decimal("15.000000")  # (3 × 10 + 30) / 4
        assert costs[0].cached_at_input_price and costs[0].cached_usd == Decimal("0.15")

    def test_blended_weights_match_the_catalogs(self):
        from catalog.estimators import tokens
        from catalog.models import pricing

        assert (tokens.BLENDED_INPUT_WEIGHT, tokens.BLENDED_OUTPUT_WEIGHT) == (
            pricing.BLENDED_INPUT_WEIGHT,
            pricing.BLENDED_OUTPUT_WEIGHT,
        )
