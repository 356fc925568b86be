"""One part of a benchmark in its own process: ``python -m catalog.benchmark.worker``.

Reads a task as JSON on stdin, writes events as JSON lines on stdout. A process per part gives each backend
a clean slate: its cold start, peak memory and thread count are its own, and the runner sets the BLAS
thread variables before NumPy loads here. Anything a library prints goes to stderr, not the event stream.
"""

import gc
import json
import os
import statistics
import sys
import time

import numpy as np

from catalog.benchmark import machine
from catalog.benchmark.backends import BackendUnavailable, backend_class
from catalog.benchmark.config import PRESETS
from catalog.benchmark.model import load_weights, prompt_tokens

try:
    import resource
except ImportError:  # Windows
    resource = None


def peak_rss_bytes():
    if resource is None:
        return 0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024  # macOS reports bytes, Linux KiB


def generate(backend, prompt, generated_tokens):
    """One timed greedy generation: (ttft, [decode step times], decode total, tokens [B, generated])."""
    clock = time.perf_counter
    start = clock()
    logits, cache = backend.prefill(prompt, prompt.shape[1] + generated_tokens)
    token = logits.argmax(-1)
    first = clock()
    tokens, steps, last = [token], [], first
    for _ in range(generated_tokens - 1):
        logits, cache = backend.decode(token, cache)
        token = logits.argmax(-1)
        now = clock()
        steps.append(now - last)
        tokens.append(token)
        last = now
    return first - start, steps, last - first, np.stack(tokens, axis=1)


def bare_decode(backend, prompt, generated_tokens):
    """The same decode calls with one clock read around the loop: the floor the harness is held to."""
    logits, cache = backend.prefill(prompt, prompt.shape[1] + generated_tokens)
    token = logits.argmax(-1)
    start = time.perf_counter()
    for _ in range(generated_tokens - 1):
        logits, cache = backend.decode(token, cache)
        token = logits.argmax(-1)
    return time.perf_counter() - start


def measure(backend, prompt, generated_tokens, plan):
    """One untimed warm-up, then repetitions until both the minimum count and the minimum time are met."""
    generate(backend, prompt, generated_tokens)
    samples = {"ttft_s": [], "decode_s": [], "itl_s": []}
    spent, greedy = 0.0, None
    while len(samples["ttft_s"]) < plan["min_repetitions"] or (
        spent < plan["min_time_s"] and len(samples["ttft_s"]) < plan["max_repetitions"]
    ):
        ttft, steps, decode, tokens = generate(backend, prompt, generated_tokens)
        samples["ttft_s"].append(ttft)
        samples["decode_s"].append(decode)
        samples["itl_s"].append(steps)
        spent += ttft + decode
        greedy = tokens if greedy is None else greedy
    return samples, greedy


def harness_overhead(backend, prompt, generated_tokens, pairs):
    """Per-token time of the timed loop against the bare loop over the same calls.

    Pairs run back to back in ABBA order, so drift and other processes' load fall on both sides alike;
    the overhead is the median of the paired differences over the median bare time.
    """
    steps = generated_tokens - 1
    harness, bare = [], []
    for pair in range(pairs):
        order = (True, False) if pair % 2 == 0 else (False, True)
        for timed in order:
            if timed:
                harness.append(generate(backend, prompt, generated_tokens)[2] / steps)
            else:
                bare.append(bare_decode(backend, prompt, generated_tokens) / steps)
    bare_s = statistics.median(bare)
    difference = statistics.median(h - b for h, b in zip(harness, bare, strict=True))
    bookkeeping = bookkeeping_per_step(prompt.shape[0], backend.config.vocab_size)
    return {
        "harness_s_per_token": statistics.median(harness),
        "bare_s_per_token": bare_s,
        "fraction": difference / bare_s,
        # The same two loops over instant calls: the harness's own cost with no model noise around it.
        "bookkeeping_s_per_token": bookkeeping,
        "bookkeeping_fraction": bookkeeping / bare_s,
    }


class InstantBackend:
    """Returns ready logits at once, so the loops around it are all that is timed."""

    def __init__(self, batch_size, vocab_size):
        self.logits = np.zeros((batch_size, vocab_size), np.float32)

    def prefill(self, tokens, capacity):
        return self.logits, None

    def decode(self, tokens, cache):
        return self.logits, None


def bookkeeping_per_step(batch_size, vocab_size, steps=20_000, rounds=5):
    backend, prompt = InstantBackend(batch_size, vocab_size), np.zeros((batch_size, 1), np.int64)
    harness = min(generate(backend, prompt, steps + 1)[2] for _ in range(rounds))
    bare = min(bare_decode(backend, prompt, steps + 1) for _ in range(rounds))
    return max(harness - bare, 0.0) / steps


def run_backend(task, emit):
    # As timeit does: no garbage collection pauses inside timed loops (nothing here makes cycles).
    gc.disable()
    config = PRESETS[task["preset"]]
    cls = backend_class(task["backend"])
    try:
        cls.check_available(task["device"])
    except BackendUnavailable as reason:
        emit(event="skipped", reason=str(reason))
        return
    start = time.perf_counter()
    weights, _ = load_weights(config)
    load_s = time.perf_counter() - start
    backend = cls(config, weights, threads=task["threads"], device=task["device"])
    start = time.perf_counter()
    backend.prepare()
    session_s = time.perf_counter() - start
    plan = task["plan"]
    for shape in task["configs"]:
        prompt = prompt_tokens(config, shape["batch_size"], shape["prompt_tokens"])
        samples, greedy = measure(backend, prompt, shape["generated_tokens"], plan)
        emit(
            event="result",
            **shape,
            repetitions=len(samples["ttft_s"]),
            load_s=load_s,
            session_s=session_s,
            peak_rss_bytes=peak_rss_bytes(),
            samples=samples,
            greedy_tokens=greedy.tolist(),
        )
    if task.get("measure_overhead"):
        first = task["configs"][0]
        prompt = prompt_tokens(config, first["batch_size"], first["prompt_tokens"])
        emit(event="overhead", **harness_overhead(backend, prompt, first["generated_tokens"], plan["overhead_pairs"]))


def main():
    task = json.load(sys.stdin)
    channel = os.fdopen(os.dup(sys.stdout.fileno()), "w", buffering=1)
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    sys.stdout = sys.stderr

    def emit(**event):
        channel.write(json.dumps(event) + "\n")

    if task["kind"] == "machine":
        emit(
            event="limits",
            **machine.measure_limits(threads=task["threads"], quick=task["quick"], libraries=task["libraries"]),
        )
    else:
        run_backend(task, emit)
    channel.close()


if __name__ == "__main__":
    main()
