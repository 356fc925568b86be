"""Timing arithmetic: percentiles, spread, and a configuration's figures from its raw samples."""

import math
import statistics

SPREAD_WARNING = 0.10  # IQR / median above this flags a noisy measurement


def percentile(values, q):
    """The q-th percentile (0-100) with linear interpolation between ranks (NumPy's default method)."""
    ordered = sorted(values)
    if not ordered:
        raise ValueError("percentile of no values")
    rank = (len(ordered) - 1) * q / 100
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def spread(values):
    """Interquartile range over median: a scale-free measure of noise; 0 for a single value."""
    middle = statistics.median(values)
    if len(values) < 2 or middle <= 0:
        return 0.0
    return (percentile(values, 75) - percentile(values, 25)) / middle


def summarize(config, *, batch_size, prompt_tokens, generated_tokens, samples, matmul_peak, bandwidth):
    """A configuration's figures from its samples: ttft_s [rep], decode_s [rep], itl_s [rep][step].

    Medians over repetitions; ITL percentiles over every step of every repetition. Generation rates count
    the decode steps only (the first token comes out of the prefill and is in the TTFT).
    """
    ttft = statistics.median(samples["ttft_s"])
    decode = statistics.median(samples["decode_s"])
    steps = generated_tokens - 1
    itl = [step for repetition in samples["itl_s"] for step in repetition]
    prefill_flops = config.prefill_flops(prompt_tokens, batch_size)
    _, decode_bytes = config.generation_cost(prompt_tokens, generated_tokens, batch_size)
    figures = {
        "ttft_s": ttft,
        "prefill_tokens_per_s": batch_size * prompt_tokens / ttft,
        "tpot_s": decode / steps,
        "itl_p50_s": percentile(itl, 50),
        "itl_p90_s": percentile(itl, 90),
        "itl_p99_s": percentile(itl, 99),
        "generation_tokens_per_s": batch_size * steps / decode,
        "prefill_flops": float(prefill_flops),
        "prefill_flops_per_s": prefill_flops / ttft,
        "prefill_peak_fraction": prefill_flops / ttft / matmul_peak,
        "decode_bytes": float(decode_bytes),
        "decode_bytes_per_s": decode_bytes / decode,
        "decode_bandwidth_fraction": decode_bytes / decode / bandwidth,
        "ttft_spread": spread(samples["ttft_s"]),
        "itl_spread": spread(itl),
    }
    figures["warnings"] = [
        f"{label} varies: IQR is {value:.0%} of the median (over {SPREAD_WARNING:.0%})"
        for label, value in (
            ("time to first token", figures["ttft_spread"]),
            ("inter-token latency", figures["itl_spread"]),
        )
        if value > SPREAD_WARNING
    ]
    return figures
