"""The framework-free benchmark: weights, cost counts, metrics arithmetic and the runner's rules.

No database: these run without Django touching anything.
"""

import numpy as np
import pytest

from catalog.benchmark import metrics, roofline, runner, targets, worker
from catalog.benchmark.config import PRESETS
from catalog.benchmark.model import (
    EXPECTED_CHECKSUMS,
    ChecksumMismatch,
    checksum,
    generate_weights,
    load_weights,
    prompt_tokens,
)

NANO = PRESETS["nano"]

# ---------------------------------------------------------------------------------------- weights


@pytest.mark.parametrize("preset", PRESETS)
def test_weights_are_the_pinned_bytes(preset):
    config = PRESETS[preset]
    weights, digest = load_weights(config)
    assert digest == EXPECTED_CHECKSUMS[preset]
    assert all(value.dtype == np.float32 and value.flags.c_contiguous for value in weights.values())
    assert sum(value.size for value in weights.values()) == config.parameter_count


def test_weights_regenerate_identically_and_a_changed_value_changes_the_checksum():
    first, second = generate_weights(NANO), generate_weights(NANO)
    assert all(np.array_equal(first[name], second[name]) for name in first)
    second["h0.attn.w_qkv"][0, 0] += np.float32(1e-3)
    assert checksum(second) != checksum(first)


def test_load_refuses_weights_that_do_not_match_the_pin(monkeypatch):
    monkeypatch.setitem(EXPECTED_CHECKSUMS, "nano", "0" * 64)
    with pytest.raises(ChecksumMismatch, match="expected 0000"):
        load_weights(NANO)


def test_weights_follow_their_initialisation_scales():
    weights = generate_weights(NANO)
    gains, matrix = weights["h0.ln1.g"], weights["h0.mlp.w_in"]
    assert gains.min() >= 0.9 and gains.max() < 1.1
    assert abs(float(matrix.std()) - 0.02) < 0.001  # uniform(-a, a) with a = 0.02·√3
    assert abs(float(weights["h0.mlp.w_out"].std()) - 0.02 / np.sqrt(2 * NANO.n_layers)) < 0.001


def test_presets_are_about_4m_and_30m_parameters():
    assert 3.5e6 < PRESETS["nano"].parameter_count < 5e6
    assert 25e6 < PRESETS["micro"].parameter_count < 35e6
    assert PRESETS["micro"].weight_bytes == 4 * PRESETS["micro"].parameter_count


def test_prompts_are_deterministic_and_in_vocabulary():
    prompt = prompt_tokens(NANO, 2, 50)
    assert prompt.shape == (2, 50) and prompt.dtype == np.int64
    assert np.array_equal(prompt, prompt_tokens(NANO, 2, 50))
    assert prompt.min() >= 0 and prompt.max() < NANO.vocab_size


# ---------------------------------------------------------------------------------------- cost counts
# nano: d = 256, 4 layers, vocabulary 2048, MLP 1024.


def test_flops_per_token_by_hand():
    projections = 2 * (3 * 256 * 256 + 256 * 256 + 2 * 256 * 1024)  # 1,572,864
    attention = 2 * 2 * 10 * 256  # q·k and p·v over 10 positions: 10,240
    assert NANO.flops_per_token(10) == 4 * (projections + attention) == 6_332_416
    assert NANO.lm_head_flops == 2 * 256 * 2048 == 1_048_576
    assert NANO.decode_flops(10, batch_size=3) == 3 * (6_332_416 + 1_048_576)


def test_prefill_flops_sum_every_position_and_one_lm_head_per_sequence():
    by_position = sum(4 * (1_572_864 + 4 * position * 256) for position in range(1, 4))
    assert NANO.prefill_flops(3, batch_size=2) == 2 * (by_position + 1_048_576)


def test_bytes_per_decode_step_by_hand():
    layer = 12 * 256 * 256 + 13 * 256  # weights and biases of attention, MLP and two norms: 789,760
    weights = 4 * (4 * layer + 2 * 256 + 256 * 2048)  # layers, final norm, LM head, 4 bytes each
    assert NANO.decode_weight_bytes == weights == 14_735_360
    assert NANO.kv_bytes(10, batch_size=2) == 2 * 4 * 2 * 10 * 256 * 4 == 163_840
    assert NANO.decode_bytes(10, batch_size=2) == weights + 163_840


def test_generation_cost_covers_the_steps_after_the_first_token():
    flops, traffic = NANO.generation_cost(prompt_tokens=5, generated_tokens=3, batch_size=1)
    assert flops == NANO.decode_flops(6) + NANO.decode_flops(7)
    assert traffic == NANO.decode_bytes(6) + NANO.decode_bytes(7)


def test_roofline_takes_the_slower_of_compute_and_memory():
    memory_bound = roofline.phase_bound(flops=1e9, traffic=1e9, tokens=10, peak_flops=1e12, bandwidth=1e10)
    assert memory_bound.seconds == pytest.approx(0.1) and memory_bound.limited_by == "memory"
    assert memory_bound.tokens_per_s == pytest.approx(100)
    compute_bound = roofline.phase_bound(flops=1e12, traffic=1e6, tokens=10, peak_flops=1e12, bandwidth=1e10)
    assert compute_bound.seconds == pytest.approx(1.0) and compute_bound.limited_by == "compute"


def test_decode_bound_on_an_h100_like_chip_is_bandwidth_over_bytes():
    bound = roofline.decode_bound(
        NANO, prompt_tokens=100, generated_tokens=2, batch_size=1, peak_flops=989e12, bandwidth=3.35e12
    )
    assert bound.limited_by == "memory"
    assert bound.tokens_per_s == pytest.approx(3.35e12 / NANO.decode_bytes(101))


# ---------------------------------------------------------------------------------------- metrics


def test_percentile_matches_numpy_linear_interpolation():
    values = list(np.random.default_rng(3).exponential(size=37))
    for q in (0, 10, 50, 90, 99, 100):
        assert metrics.percentile(values, q) == pytest.approx(np.percentile(values, q))
    with pytest.raises(ValueError):
        metrics.percentile([], 50)


def test_spread_is_iqr_over_median():
    assert metrics.spread([1.0, 2.0, 3.0, 4.0, 5.0]) == pytest.approx((4 - 2) / 3)
    assert metrics.spread([2.0]) == 0.0


def test_summarize_synthetic_timings():
    samples = {
        "ttft_s": [0.20, 0.10, 0.30, 0.15, 0.25],
        "decode_s": [0.30, 0.30, 0.30, 0.30, 0.30],
        "itl_s": [[0.10, 0.10, 0.10]] * 4 + [[0.10, 0.10, 0.50]],
    }
    figures = metrics.summarize(
        NANO, batch_size=2, prompt_tokens=8, generated_tokens=4, samples=samples, matmul_peak=1e10, bandwidth=1e9
    )
    assert figures["ttft_s"] == pytest.approx(0.2)
    assert figures["prefill_tokens_per_s"] == pytest.approx(2 * 8 / 0.2)
    assert figures["tpot_s"] == pytest.approx(0.1)
    assert figures["generation_tokens_per_s"] == pytest.approx(2 * 3 / 0.3)
    assert figures["itl_p50_s"] == pytest.approx(0.1)
    assert figures["itl_p99_s"] == pytest.approx(np.percentile([0.1] * 14 + [0.5], 99))
    assert figures["prefill_flops_per_s"] == pytest.approx(NANO.prefill_flops(8, 2) / 0.2)
    assert figures["prefill_peak_fraction"] == pytest.approx(NANO.prefill_flops(8, 2) / 0.2 / 1e10)
    _, traffic = NANO.generation_cost(8, 4, 2)
    assert figures["decode_bandwidth_fraction"] == pytest.approx(traffic / 0.3 / 1e9)
    assert figures["itl_spread"] == 0.0
    assert figures["ttft_spread"] == pytest.approx((0.25 - 0.15) / 0.2)
    assert [text.split(" varies")[0] for text in figures["warnings"]] == ["time to first token"]


# ---------------------------------------------------------------------------------------- harness


class ScriptedBackend:
    """Logits that make token ``step`` win at each step, so generation is checkable without a model."""

    def __init__(self):
        self.calls = []

    def _logits(self, batch, winner):
        logits = np.zeros((batch, 16), np.float32)
        logits[:, winner] = 1
        return logits

    def prefill(self, tokens, capacity):
        self.calls.append(("prefill", tokens.shape, capacity))
        return self._logits(tokens.shape[0], 1), 1

    def decode(self, tokens, cache):
        self.calls.append(("decode", tokens.tolist()))
        return self._logits(tokens.shape[0], cache + 1), cache + 1


def test_generate_feeds_each_greedy_token_back():
    backend = ScriptedBackend()
    ttft, steps, decode, tokens = worker.generate(backend, np.zeros((2, 5), np.int64), 4)
    assert tokens.tolist() == [[1, 2, 3, 4]] * 2
    assert backend.calls == [("prefill", (2, 5), 9), ("decode", [1, 1]), ("decode", [2, 2]), ("decode", [3, 3])]
    assert len(steps) == 3 and decode == pytest.approx(sum(steps)) and ttft > 0


def test_measure_warms_up_then_repeats_until_count_and_time_are_met():
    backend = ScriptedBackend()
    plan = {"min_repetitions": 5, "min_time_s": 0.0, "max_repetitions": 50}
    samples, greedy = worker.measure(backend, np.zeros((1, 3), np.int64), 3, plan)
    assert len(samples["ttft_s"]) == 5 and len(samples["itl_s"][0]) == 2
    assert greedy.tolist() == [[1, 2, 3]]
    assert sum(call[0] == "prefill" for call in backend.calls) == 6  # one untimed warm-up
    samples, _ = worker.measure(backend, np.zeros((1, 3), np.int64), 3, plan | {"min_time_s": 60.0})
    assert len(samples["ttft_s"]) == 50  # the cap ends a run that could not reach its minimum time


def test_runner_rejects_unknown_presets_backends_and_too_many_threads():
    with pytest.raises(ValueError, match="unknown preset 'giga'"):
        runner.run_benchmark(preset="giga")
    with pytest.raises(ValueError, match="unknown backend jax"):
        runner.run_benchmark(preset="nano", backends=("numpy", "jax"))
    with pytest.raises(ValueError, match="physical cores"):
        runner.resolve_threads(10_000)
    with pytest.raises(ValueError, match="between 1"):
        runner.resolve_threads(0)
    assert runner.resolve_threads(None) >= 1


def test_quick_plan_is_small_and_full_plan_covers_batches_and_prompt_lengths():
    assert runner.QUICK.configs() == [{"batch_size": 1, "prompt_tokens": 64, "generated_tokens": 16}]
    full = runner.FULL.configs()
    assert {config["batch_size"] for config in full} == {1, 4}
    assert max(c["prompt_tokens"] + c["generated_tokens"] for c in full) <= NANO.max_context


def synthetic_result(backend, prompt, **figures):
    return {"backend": backend, "device": "cpu", "batch_size": 1, "prompt_tokens": prompt, **figures}


def test_targets_are_judged_at_batch_1_on_the_longest_prompt():
    report = {
        "harness_overhead": {"fraction": 0.005},
        "results": [
            synthetic_result("onnxruntime", 32, prefill_peak_fraction=0.9, decode_bandwidth_fraction=0.9, tpot_s=1.0),
            synthetic_result("onnxruntime", 384, prefill_peak_fraction=0.6, decode_bandwidth_fraction=0.3, tpot_s=0.01),
            synthetic_result("numpy", 384, prefill_peak_fraction=0.2, decode_bandwidth_fraction=0.1, tpot_s=0.04),
        ],
    }
    checks = {check.target: check for check in targets.check_targets(report["results"], report["harness_overhead"])}
    assert [(check.measured, check.met) for check in checks.values()] == [
        (0.6, True),
        (0.3, False),
        (4.0, False),
        (0.005, True),
    ]
    assert [check.describe().split()[0] for check in checks.values()] == ["met", "MISSED", "MISSED", "met"]
    assert checks["NumPy time per output token over ONNX Runtime's"].describe().endswith("4.00x (under 3.00x)")
    missing = targets.check_targets([], None)
    assert [check.met for check in missing] == [None] * 4
    assert missing[0].describe().startswith("n/a")
