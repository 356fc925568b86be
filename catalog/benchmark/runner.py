"""Runs the whole benchmark: this machine's limits, then each backend on each device, each part in its own
worker process (see ``worker``), and returns the report described in the package docstring.
"""

import datetime
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from catalog.benchmark import REPORT_SCHEMA, machine
from catalog.benchmark.backends import BACKENDS, backend_class
from catalog.benchmark.config import PRESETS
from catalog.benchmark.metrics import summarize
from catalog.benchmark.model import load_weights

DEVICES = ("cpu", "cuda")
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "VECLIB_MAXIMUM_THREADS")
PACKAGE_ROOT = Path(__file__).resolve().parents[2]  # the directory holding ``catalog``


class BenchmarkError(RuntimeError):
    pass


@dataclass(frozen=True)
class Plan:
    batch_sizes: tuple
    prompt_lengths: tuple
    generated_tokens: int
    min_repetitions: int
    min_time_s: float  # per configuration, summed over repetitions
    max_repetitions: int
    overhead_pairs: int

    def configs(self):
        return [
            {"batch_size": batch, "prompt_tokens": prompt, "generated_tokens": self.generated_tokens}
            for batch in self.batch_sizes
            for prompt in self.prompt_lengths
        ]


QUICK = Plan((1,), (64,), 16, min_repetitions=5, min_time_s=0.3, max_repetitions=20, overhead_pairs=8)
FULL = Plan((1, 4), (32, 128, 384), 32, min_repetitions=5, min_time_s=2.0, max_repetitions=50, overhead_pairs=24)


def label(result):
    return f"{result['backend']} ({result['device']}) batch {result['batch_size']}, prompt {result['prompt_tokens']}"


def resolve_threads(threads):
    cores = machine.physical_cores()
    if threads is None:
        return cores
    if not 1 <= threads <= cores:
        raise ValueError(f"threads must be between 1 and this machine's {cores} physical cores, not {threads}")
    return threads


def _run_worker(task, threads, on_event):
    """Start a worker with the thread variables set before its NumPy loads; feed each event to on_event."""
    env = {**os.environ, **dict.fromkeys(THREAD_VARIABLES, str(threads))}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PACKAGE_ROOT), env.get("PYTHONPATH")]))
    with tempfile.TemporaryFile("w+") as stderr:
        worker = subprocess.Popen(
            [sys.executable, "-m", "catalog.benchmark.worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=stderr,
            env=env,
            text=True,
        )
        worker.stdin.write(json.dumps(task))
        worker.stdin.close()
        for line in worker.stdout:
            on_event(json.loads(line))
        if worker.wait():
            stderr.seek(0)
            lines = stderr.read().strip().splitlines()
            raise BenchmarkError(
                f"{task.get('backend', task['kind'])} worker failed: {lines[-1] if lines else worker.returncode}"
            )


def overhead_backend(backends):
    """The harness is held to the fastest decoder, where its cost weighs most: ONNX Runtime when present."""
    if "onnxruntime" in backends and importlib.util.find_spec("onnxruntime"):
        return "onnxruntime"
    return "numpy" if "numpy" in backends else backends[0]


def run_benchmark(*, preset="micro", backends=tuple(BACKENDS), quick=False, threads=None, progress=None):
    """Measure ``preset`` on each of ``backends`` (on CPU, and on CUDA where the backend supports it).

    ``progress(done, total, label)`` is called after each step. Returns the JSON-ready report.
    """
    if preset not in PRESETS:
        raise ValueError(f"unknown preset {preset!r}; choose from {', '.join(PRESETS)}")
    unknown = set(backends) - set(BACKENDS)
    if unknown:
        raise ValueError(f"unknown backend {', '.join(sorted(unknown))}; choose from {', '.join(BACKENDS)}")
    config = PRESETS[preset]
    threads = resolve_threads(threads)
    plan = QUICK if quick else FULL
    shapes = plan.configs()
    parts = [(name, device) for name in backends for device in DEVICES if device in backend_class(name).devices]
    total, done = 1 + len(parts) * len(shapes), 0
    started_at = datetime.datetime.now(datetime.UTC)
    clock = time.perf_counter()

    def step(label, count=1):
        nonlocal done
        done += count
        if progress:
            progress(done, total, label)

    _, checksum = load_weights(config)
    limits = {}
    libraries = [name for name in backends if name != "numpy"]
    machine_task = {"kind": "machine", "threads": threads, "quick": quick, "libraries": libraries}
    _run_worker(machine_task, threads, lambda event: limits.update(event))
    limits.pop("event")
    step("machine limits")

    results, skipped, greedy = [], [], {}
    overhead = None
    for name, device in parts:
        task = {"kind": "backend", "preset": preset, "backend": name, "device": device, "threads": threads}
        task |= {"plan": asdict(plan), "configs": shapes}
        task["measure_overhead"] = (name, device) == (overhead_backend(backends), "cpu")

        def on_event(event, name=name, device=device):
            nonlocal overhead
            kind = event.pop("event")
            if kind == "skipped":
                skipped.append({"backend": name, "device": device, "reason": event["reason"]})
                step(f"{name} ({device}) skipped", len(shapes))
            elif kind == "overhead":
                overhead = {"backend": f"{name} ({device})", **event}
            else:
                shape = {key: event[key] for key in ("batch_size", "prompt_tokens", "generated_tokens")}
                greedy[name, device, tuple(shape.values())] = event.pop("greedy_tokens")
                figures = summarize(
                    config,
                    **shape,
                    samples=event["samples"],
                    matmul_peak=limits["matmul_peak_flops"],
                    bandwidth=limits["memory_bandwidth"],
                )
                results.append({"backend": name, "device": device, **event, **figures})
                step(label(results[-1]))

        _run_worker(task, threads, on_event)

    warnings = [
        f"{name} ({device}) chose different greedy tokens from numpy at batch {shape[0]}, prompt {shape[1]}"
        for (name, device, shape), tokens in greedy.items()
        if ("numpy", "cpu", shape) in greedy and tokens != greedy["numpy", "cpu", shape]
    ]
    warnings += [f"{label(result)}: {text}" for result in results for text in result["warnings"]]
    return {
        "schema": REPORT_SCHEMA,
        "started_at": started_at.isoformat(timespec="seconds"),
        "duration_s": time.perf_counter() - clock,
        "quick": quick,
        "threads": threads,
        "model": {**config.as_dict(), "checksum": checksum},
        "machine": {**machine.describe(), **limits},
        "harness_overhead": overhead,
        "skipped": skipped,
        "warnings": warnings,
        "results": results,
    }
