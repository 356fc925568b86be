"""The benchmark report's contract, checked: every problem named by where it is (``results[2].ttft_s: missing``).

The contract is ``catalog.benchmark``'s docstring (schema 1). ``record_run`` refuses a report with any
problem, so what is stored (and served by the API, whose schema documents the same shape) follows it.
"""

import datetime
import math
from collections import Counter

from catalog.benchmark import REPORT_SCHEMA
from catalog.models import BenchmarkResult, BenchmarkRun

MAX_LISTED_PROBLEMS = 20


class InvalidReport(ValueError):
    """The report does not follow the contract; ``problems`` says where, one message each."""

    def __init__(self, problems):
        self.problems = list(problems)
        shown = self.problems[:MAX_LISTED_PROBLEMS]
        more = len(self.problems) - len(shown)
        text = "; ".join(shown) + (f"; and {more} more" if more > 0 else "")
        super().__init__(f"Not a valid benchmark report (schema {REPORT_SCHEMA}): {text}. Nothing was stored.")


# ----------------------------------------------------------------------------------------- the contract

NUMBER, INTEGER, STRING, BOOLEAN, LIST, OBJECT = "number", "integer", "string", "boolean", "list", "object"
SIGNED_NUMBER = "signed number"  # may be below zero: a difference of two noisy timings
OPTIONAL_STRING = "string or null"

REPORT_KEYS = {
    "schema": INTEGER,
    "started_at": STRING,
    "duration_s": NUMBER,
    "quick": BOOLEAN,
    "threads": INTEGER,
    "model": OBJECT,
    "machine": OBJECT,
    "harness_overhead": OBJECT,  # or null
    "skipped": LIST,
    "warnings": LIST,
    "results": LIST,
}
MODEL_KEYS = {
    "name": STRING,
    "vocab_size": INTEGER,
    "d_model": INTEGER,
    "n_layers": INTEGER,
    "n_heads": INTEGER,
    "max_context": INTEGER,
    "seed": INTEGER,
    "parameters": INTEGER,
    "weight_bytes": INTEGER,
    "checksum": STRING,
}
MACHINE_KEYS = {
    "cpu_model": STRING,
    "physical_cores": INTEGER,
    "logical_cpus": INTEGER,
    "memory_bytes": INTEGER,
    "gpu": STRING,
    "os": STRING,
    "python": STRING,
    "numpy": STRING,
    "blas": STRING,
    "onnxruntime": OPTIONAL_STRING,
    "torch": OPTIONAL_STRING,
    "matmul_peak_flops": NUMBER,
    "matmul": OBJECT,
    "memory_bandwidth": NUMBER,
    "stream": OBJECT,
}
MATMUL_KEYS = {"size": INTEGER, "library": STRING, "samples_s": LIST}
STREAM_KEYS = {"copy": NUMBER, "scale": NUMBER, "add": NUMBER, "triad": NUMBER, "array_bytes": INTEGER}
HARNESS_KEYS = {
    "backend": STRING,
    "harness_s_per_token": NUMBER,
    "bare_s_per_token": NUMBER,
    "fraction": SIGNED_NUMBER,
    "bookkeeping_s_per_token": NUMBER,
    "bookkeeping_fraction": NUMBER,
}
SKIPPED_KEYS = {"backend": STRING, "device": STRING, "reason": STRING}
# Every stored column of a result, with its type; ``warnings`` and ``samples`` are checked apart.
RESULT_COLUMNS = {
    "backend": STRING,
    "device": STRING,
    "batch_size": INTEGER,
    "prompt_tokens": INTEGER,
    "generated_tokens": INTEGER,
    "repetitions": INTEGER,
    "load_s": NUMBER,
    "session_s": NUMBER,
    "peak_rss_bytes": INTEGER,
    "ttft_s": NUMBER,
    "prefill_tokens_per_s": NUMBER,
    "tpot_s": NUMBER,
    "itl_p50_s": NUMBER,
    "itl_p90_s": NUMBER,
    "itl_p99_s": NUMBER,
    "generation_tokens_per_s": NUMBER,
    "prefill_flops": NUMBER,
    "prefill_flops_per_s": NUMBER,
    "prefill_peak_fraction": NUMBER,
    "decode_bytes": NUMBER,
    "decode_bytes_per_s": NUMBER,
    "decode_bandwidth_fraction": NUMBER,
    "ttft_spread": NUMBER,
    "itl_spread": NUMBER,
}
RESULT_KEYS = {**RESULT_COLUMNS, "warnings": LIST, "samples": OBJECT}
CONFIGURATION = ("backend", "device", "batch_size", "prompt_tokens", "generated_tokens")
POSITIVE_INTEGERS = {"threads", "batch_size", "prompt_tokens", "generated_tokens", "repetitions"}


def is_number(value):
    return isinstance(value, int | float) and not isinstance(value, bool)


def type_problem(value, expected):
    """What is wrong with ``value`` for ``expected``, or None."""
    fits = {
        NUMBER: is_number(value),
        SIGNED_NUMBER: is_number(value),
        INTEGER: isinstance(value, int) and not isinstance(value, bool),
        STRING: isinstance(value, str),
        OPTIONAL_STRING: value is None or isinstance(value, str),
        BOOLEAN: isinstance(value, bool),
        LIST: isinstance(value, list),
        OBJECT: isinstance(value, dict),
    }[expected]
    if not fits:
        article = "an" if expected[0] in "aeiou" else "a"
        return f"expected {article} {expected}, got {type(value).__name__}"
    if expected in (NUMBER, INTEGER) and value < 0:
        return f"must not be negative (got {value})"
    return None


def check_keys(data, keys, where, problems):
    for key, expected in keys.items():
        if key not in data:
            problems.append(f"{where}{key}: missing")
            continue
        problem = type_problem(data[key], expected)
        if problem:
            problems.append(f"{where}{key}: {problem}")


def non_finite_numbers(value, where):
    """Paths of every NaN or infinity anywhere inside ``value`` (JSON cannot hold them)."""
    if isinstance(value, float) and not math.isfinite(value):
        yield f"{where}: not a finite number ({value})"
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from non_finite_numbers(item, f"{where}.{key}" if where else str(key))
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from non_finite_numbers(item, f"{where}[{index}]")


def parse_started_at(value, problems):
    try:
        started = datetime.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        problems.append(f"started_at: not an ISO 8601 date and time ({value!r})")
        return None
    if started.tzinfo is None:
        problems.append("started_at: needs a UTC offset, e.g. +00:00")
        return None
    return started


def check_samples(samples, where, problems):
    for key in ("ttft_s", "decode_s"):
        values = samples.get(key)
        if not isinstance(values, list) or not all(is_number(value) for value in values):
            problems.append(f"{where}samples.{key}: expected a list of numbers")
    itl = samples.get("itl_s")
    if not isinstance(itl, list) or not all(
        isinstance(repetition, list) and all(is_number(value) for value in repetition) for repetition in itl
    ):
        problems.append(f"{where}samples.itl_s: expected a list of lists of numbers (one list per repetition)")


def check_lengths(data, columns, where, problems):
    """Strings stored in a column must fit it (PostgreSQL refuses longer ones; SQLite would keep them)."""
    for key, (model, column) in columns.items():
        limit = model._meta.get_field(column).max_length
        if isinstance(data.get(key), str) and len(data[key]) > limit:
            problems.append(f"{where}{key}: longer than {limit} characters")


def check_result(result, index, problems):
    where = f"results[{index}]."
    if not isinstance(result, dict):
        problems.append(f"results[{index}]: expected an object, got {type(result).__name__}")
        return
    check_keys(result, RESULT_KEYS, where, problems)
    check_lengths(
        result, {"backend": (BenchmarkResult, "backend"), "device": (BenchmarkResult, "device")}, where, problems
    )
    for key in POSITIVE_INTEGERS & set(result):
        if type_problem(result[key], INTEGER) is None and result[key] < 1:
            problems.append(f"{where}{key}: must be at least 1 (got {result[key]})")
    if isinstance(result.get("samples"), dict):
        check_samples(result["samples"], where, problems)
    if isinstance(result.get("warnings"), list) and not all(isinstance(text, str) for text in result["warnings"]):
        problems.append(f"{where}warnings: expected a list of strings")


def validate_report(report):
    """Every problem with ``report``, as ``where: what`` messages; an empty list when it follows the contract."""
    if not isinstance(report, dict):
        return [f"the report must be an object, got {type(report).__name__}"]
    if report.get("schema") != REPORT_SCHEMA:
        return [f"schema: expected {REPORT_SCHEMA}, got {report.get('schema')!r}"]
    problems = list(non_finite_numbers(report, ""))
    keys = dict(REPORT_KEYS)
    if report.get("harness_overhead") is None:
        keys.pop("harness_overhead")
        if "harness_overhead" not in report:
            problems.append("harness_overhead: missing (null when it was not measured)")
    check_keys(report, keys, "", problems)
    if type_problem(report.get("threads"), INTEGER) is None and report["threads"] < 1:
        problems.append(f"threads: must be at least 1 (got {report['threads']})")
    machine = report["machine"] if isinstance(report.get("machine"), dict) else {}
    for name, nested, nested_keys in (
        ("model", report.get("model"), MODEL_KEYS),
        ("machine", report.get("machine"), MACHINE_KEYS),
        ("harness_overhead", report.get("harness_overhead"), HARNESS_KEYS),
        ("machine.matmul", machine.get("matmul"), MATMUL_KEYS),
        ("machine.stream", machine.get("stream"), STREAM_KEYS),
    ):
        if isinstance(nested, dict):
            check_keys(nested, nested_keys, f"{name}.", problems)
    if isinstance(report.get("model"), dict):
        model_columns = {"name": (BenchmarkRun, "preset"), "checksum": (BenchmarkRun, "weights_checksum")}
        check_lengths(report["model"], model_columns, "model.", problems)
    for index, skipped in enumerate(report.get("skipped") or []):
        if isinstance(skipped, dict):
            check_keys(skipped, SKIPPED_KEYS, f"skipped[{index}].", problems)
        else:
            problems.append(f"skipped[{index}]: expected an object")
    if isinstance(report.get("warnings"), list) and not all(isinstance(text, str) for text in report["warnings"]):
        problems.append("warnings: expected a list of strings")
    results = report.get("results") if isinstance(report.get("results"), list) else []
    for index, result in enumerate(results):
        check_result(result, index, problems)
    configurations = Counter(
        tuple(result.get(key) for key in CONFIGURATION) for result in results if isinstance(result, dict)
    )
    for configuration, times in configurations.items():
        if times > 1:
            problems.append(f"results: configuration {configuration} appears {times} times")
    if isinstance(report.get("started_at"), str):
        parse_started_at(report["started_at"], problems)
    return problems
