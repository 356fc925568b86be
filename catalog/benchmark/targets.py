"""The issue's performance targets, checked against a report, so every run says whether it meets them.

They are judged at batch 1 on the longest prompt run: the configuration where prefill is most
compute-bound and decode most bandwidth-bound.
"""

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class TargetCheck:
    target: str
    measured: float | None
    limit: float
    at_least: bool
    met: bool | None  # None: not measurable in this run (a backend missing)
    unit: str  # "fraction" (shown as a percentage) or "ratio"

    def as_dict(self):
        return asdict(self)

    def format(self, value):
        if value is None:
            return "not measured"
        return f"{100 * value:.1f}%" if self.unit == "fraction" else f"{value:.2f}x"

    @property
    def verdict(self):
        return {True: "met", False: "MISSED", None: "n/a"}[self.met]

    @property
    def measured_text(self):
        return self.format(self.measured)

    @property
    def limit_text(self):
        return f"{'at least' if self.at_least else 'under'} {self.format(self.limit)}"

    def describe(self):
        return f"{self.verdict:<6} {self.target}: {self.measured_text} ({self.limit_text})"


# What the checks read from each result: a stored result can be passed as a dict of these.
RESULT_FIELDS = ("backend", "device", "batch_size", "prompt_tokens", "prefill_peak_fraction")
RESULT_FIELDS += ("decode_bandwidth_fraction", "tpot_s")


def reference_result(results, backend):
    candidates = [
        result
        for result in results
        if result["backend"] == backend and result["device"] == "cpu" and result["batch_size"] == 1
    ]
    return max(candidates, key=lambda result: result["prompt_tokens"], default=None)


def _check(target, measured, limit, *, at_least, unit="fraction"):
    met = None if measured is None else (measured >= limit if at_least else measured < limit)
    return TargetCheck(target, measured, limit, at_least, met, unit)


def check_targets(results, harness_overhead):
    """``results``: dicts with ``RESULT_FIELDS``; ``harness_overhead``: the report's dict or None."""
    onnx, numpy = reference_result(results, "onnxruntime"), reference_result(results, "numpy")
    overhead = harness_overhead
    return [
        _check(
            "ONNX Runtime prefill, fraction of measured matmul peak",
            onnx and onnx["prefill_peak_fraction"],
            0.5,
            at_least=True,
        ),
        _check(
            "ONNX Runtime decode, fraction of measured memory bandwidth",
            onnx and onnx["decode_bandwidth_fraction"],
            0.4,
            at_least=True,
        ),
        _check(
            "NumPy time per output token over ONNX Runtime's",
            numpy and onnx and numpy["tpot_s"] / onnx["tpot_s"],
            3.0,
            at_least=False,
            unit="ratio",
        ),
        _check(
            "Harness overhead per token against a bare loop", overhead and overhead["fraction"], 0.02, at_least=False
        ),
    ]
