"""The issue's performance targets, checked against a report, so every run says whether it meets them.

They are judged at batch 1 on the longest prompt run: the configuration where prefill is most
compute-bound and decode most bandwidth-bound.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class TargetCheck:
    target: str
    measured: float | None
    limit: float
    met: bool | None  # None: not measurable in this run (a backend missing)

    def as_dict(self):
        return {"target": self.target, "measured": self.measured, "limit": self.limit, "met": self.met}


def reference_result(report, backend):
    candidates = [
        result
        for result in report["results"]
        if result["backend"] == backend and result["device"] == "cpu" and result["batch_size"] == 1
    ]
    return max(candidates, key=lambda result: result["prompt_tokens"], default=None)


def _check(target, measured, limit, *, at_least):
    if measured is None:
        return TargetCheck(target, None, limit, None)
    return TargetCheck(target, measured, limit, measured >= limit if at_least else measured < limit)


def check_targets(report):
    onnx, numpy = reference_result(report, "onnxruntime"), reference_result(report, "numpy")
    overhead = report.get("harness_overhead")
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
        ),
        _check(
            "Harness overhead per token against a bare loop", overhead and overhead["fraction"], 0.02, at_least=False
        ),
    ]
