"""Synthetic benchmark reports in the shape ``catalog.benchmark.runner.run_benchmark`` returns (schema 1).

Numbers are made up but consistent: the FLOP and byte counts come from the real preset, the rates from a
pretend machine running at fixed shares of its measured peaks, so charts and bounds have sane inputs.
"""

import copy

from catalog.benchmark import REPORT_SCHEMA
from catalog.benchmark.config import PRESETS

MATMUL_PEAK = 2.0e11  # FLOP/s
BANDWIDTH = 2.0e10  # byte/s
# Backend -> (share of the matmul peak its prefill reaches, share of the bandwidth its decode reaches).
EFFICIENCY = {"numpy": (0.25, 0.4), "onnxruntime": (0.5, 0.6), "torch": (0.45, 0.55)}


def benchmark_result(
    config, *, backend="numpy", device="cpu", batch_size=1, prompt_tokens=64, generated_tokens=8, repetitions=3
):
    prefill_share, bandwidth_share = EFFICIENCY.get(backend, (0.3, 0.3))
    prefill_flops = float(config.prefill_flops(prompt_tokens, batch_size))
    ttft = prefill_flops / (MATMUL_PEAK * prefill_share)
    _, decode_bytes = config.generation_cost(prompt_tokens, generated_tokens, batch_size)
    decode_s = decode_bytes / (BANDWIDTH * bandwidth_share)
    steps = generated_tokens - 1
    tpot = decode_s / steps
    itl = [[tpot * (1 + 0.01 * ((rep + step) % 5)) for step in range(steps)] for rep in range(repetitions)]
    return {
        "backend": backend,
        "device": device,
        "batch_size": batch_size,
        "prompt_tokens": prompt_tokens,
        "generated_tokens": generated_tokens,
        "repetitions": repetitions,
        "load_s": 0.05,
        "session_s": 0.01 if backend != "numpy" else 0.0,
        "peak_rss_bytes": 180_000_000,
        "ttft_s": ttft,
        "prefill_tokens_per_s": batch_size * prompt_tokens / ttft,
        "tpot_s": tpot,
        "itl_p50_s": tpot * 1.02,
        "itl_p90_s": tpot * 1.04,
        "itl_p99_s": tpot * 1.04,
        "generation_tokens_per_s": batch_size * steps / decode_s,
        "prefill_flops": prefill_flops,
        "prefill_flops_per_s": prefill_flops / ttft,
        "prefill_peak_fraction": prefill_share,
        "decode_bytes": float(decode_bytes),
        "decode_bytes_per_s": decode_bytes / decode_s,
        "decode_bandwidth_fraction": bandwidth_share,
        "ttft_spread": 0.03,
        "itl_spread": 0.02,
        "warnings": [],
        "samples": {
            "ttft_s": [ttft * (1 + 0.01 * rep) for rep in range(repetitions)],
            "decode_s": [sum(latencies) for latencies in itl],
            "itl_s": itl,
        },
    }


def benchmark_report(
    preset="nano",
    *,
    config=None,
    backends=("numpy", "onnxruntime"),
    prompts=(16, 64),
    generated_tokens=8,
    started_at="2026-11-29T05:30:00+00:00",
    cpu_model="Synthetic CPU @ 3.0GHz",
    quick=True,
    **overrides,
):
    """A complete, valid report for ``config`` (default: the preset's); ``overrides`` replace top-level keys."""
    config = config or PRESETS[preset]
    report = {
        "schema": REPORT_SCHEMA,
        "started_at": started_at,
        "duration_s": 12.5,
        "quick": quick,
        "threads": 2,
        "model": {**config.as_dict(), "checksum": "ab" * 32},
        "machine": {
            "cpu_model": cpu_model,
            "physical_cores": 4,
            "logical_cpus": 8,
            "memory_bytes": 16 * 2**30,
            "gpu": "",
            "os": "Linux-6.1-x86_64",
            "python": "3.11.9",
            "numpy": "2.1.0",
            "blas": "OpenBLAS 0.3.27",
            "onnxruntime": "1.19.0",
            "torch": None,
            "matmul_peak_flops": MATMUL_PEAK,
            "matmul": {
                "size": 1024,
                "library": "numpy scipy-openblas 0.3.27",
                "samples_s": [0.011, 0.0108, 0.0109],
                "by_library": {"numpy scipy-openblas 0.3.27": MATMUL_PEAK, "onnxruntime": 0.9 * MATMUL_PEAK},
            },
            "memory_bandwidth": BANDWIDTH,  # the best kernel
            "stream": {
                "copy": 1.9e10,
                "scale": 1.85e10,
                "add": 1.95e10,
                "triad": 1.96e10,
                "read": BANDWIDTH,
                "array_bytes": 80_000_000,
            },
        },
        "harness_overhead": {
            "backend": "numpy",
            "harness_s_per_token": 0.00102,
            "bare_s_per_token": 0.001,
            "fraction": 0.02,
            "bookkeeping_s_per_token": 2e-7,
            "bookkeeping_fraction": 0.0002,
        },
        "skipped": [{"backend": "torch", "device": "cpu", "reason": "PyTorch is not installed"}],
        "warnings": ["Frequency scaling is on: expect noise."],
        "results": [
            benchmark_result(config, backend=backend, prompt_tokens=prompt, generated_tokens=generated_tokens)
            for backend in backends
            for prompt in prompts
        ],
    }
    report.update(overrides)
    return copy.deepcopy(report)
