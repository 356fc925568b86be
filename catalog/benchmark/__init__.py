"""Framework-free micro-model benchmark: no Django imports anywhere in this package.

``runner.run_benchmark(...)`` returns a JSON-ready report; ``catalog.benchmarking.store.record_run`` stores it.
Report shape (schema 1), all times in seconds, rates per second, sizes in bytes, FLOP counts in FLOP:

    {
      "schema": 1,
      "started_at": "2026-11-29T05:30:00+00:00",      # ISO 8601, UTC
      "duration_s": 41.2,
      "quick": true,
      "threads": 2,
      "model": {"name": "micro", "vocab_size": 4096, "d_model": 512, "n_layers": 8, "n_heads": 8,
                "max_context": 1024, "seed": 20240501, "parameters": 29938688, "weight_bytes": 119754752,
                "checksum": "<sha256 hex>"},
      "machine": {"cpu_model": str, "physical_cores": int, "logical_cpus": int, "memory_bytes": int,
                  "gpu": str ("" if none), "os": str, "python": str, "numpy": str, "blas": str,
                  "onnxruntime": str | None, "torch": str | None,
                  # the best of NumPy's BLAS and the other benchmarked libraries
                  "matmul_peak_flops": float, "matmul": {"size": int, "library": str, "samples_s": [float],
                                                        "by_library": {str: float}},
                  # the best kernel: STREAM's four and a read-only one
                  "memory_bandwidth": float, "stream": {"copy": float, "scale": float, "add": float,
                                                        "triad": float, "read": float, "array_bytes": int}},
      # measured on one backend, e.g. "onnxruntime (cpu)"; fraction is a difference of two noisy
      # timings, so it can fall below zero; bookkeeping_* times the same loops around instant calls
      "harness_overhead": {"backend": str, "harness_s_per_token": float, "bare_s_per_token": float,
                           "fraction": float, "bookkeeping_s_per_token": float,
                           "bookkeeping_fraction": float} | None,
      "skipped": [{"backend": "torch", "device": "cpu", "reason": "PyTorch is not installed"}],
      "warnings": [str],                                # the run's, then each result's with its label
      "results": [{
          "backend": "onnxruntime", "device": "cpu", "batch_size": 1, "prompt_tokens": 128,
          "generated_tokens": 32, "repetitions": 5,
          "load_s": float, "session_s": float,             # cold start, timed apart
          "peak_rss_bytes": int,
          "ttft_s": float,                                 # medians over repetitions
          # generation counts the batch_size * (generated_tokens - 1) tokens after the first; the
          # first token comes out of the prefill. decode_bytes is the total over those steps.
          "prefill_tokens_per_s": float, "tpot_s": float,
          "itl_p50_s": float, "itl_p90_s": float, "itl_p99_s": float,
          "generation_tokens_per_s": float,
          "prefill_flops": float, "prefill_flops_per_s": float, "prefill_peak_fraction": float,
          "decode_bytes": float, "decode_bytes_per_s": float, "decode_bandwidth_fraction": float,
          "ttft_spread": float, "itl_spread": float,       # IQR / median
          "warnings": [str],
          "samples": {"ttft_s": [float], "decode_s": [float], "itl_s": [[float]]},
      }],
    }
"""

REPORT_SCHEMA = 1
