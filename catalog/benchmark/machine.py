"""This machine: what it is (CPU, memory, GPU, software) and its physical limits at the benchmark's
thread count (peak fp32 matmul FLOP/s, STREAM-like memory bandwidth).

The limits are measured inside a benchmark worker, whose BLAS thread count was fixed before NumPy loaded.
"""

import importlib.metadata
import itertools
import os
import platform
import shutil
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from catalog.benchmark.os_name import public_os

# ---------------------------------------------------------------------------------------- identity


def _cpuinfo():
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            return handle.read()
    except OSError:
        return ""


def cpu_model():
    for line in _cpuinfo().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def physical_cores():
    """Distinct (package, core) pairs in /proc/cpuinfo, within this process's CPU affinity."""
    cores, package = set(), None
    for line in _cpuinfo().splitlines():
        key, _, value = line.partition(":")
        key = key.strip()
        if key == "physical id":
            package = value.strip()
        elif key == "core id":
            cores.add((package, value.strip()))
    return min(len(cores) or os.cpu_count() or 1, logical_cpus())


def logical_cpus():
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def memory_bytes():
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return 0


def gpu_name():
    """The first NVIDIA GPU's name via nvidia-smi (local, no network), or ""."""
    if not shutil.which("nvidia-smi"):
        return ""
    try:
        listing = subprocess.run(
            ["nvidia-smi", "--query-gpu=name", "--format=csv,noheader"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return ", ".join(line.strip() for line in listing.stdout.splitlines() if line.strip())


def package_version(name):
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def blas_name():
    try:
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
    except (TypeError, KeyError):  # NumPy before 1.26 has no mode="dicts"
        return "unknown"
    return " ".join(str(part) for part in (blas.get("name"), blas.get("version")) if part)


def describe():
    onnxruntime = package_version("onnxruntime") or package_version("onnxruntime-gpu")
    return {
        "cpu_model": cpu_model(),
        "physical_cores": physical_cores(),
        "logical_cpus": logical_cpus(),
        "memory_bytes": memory_bytes(),
        "gpu": gpu_name(),
        "os": public_os(f"{platform.system()} {platform.machine()}"),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "blas": blas_name(),
        "onnxruntime": onnxruntime,
        "torch": package_version("torch"),
    }


# ---------------------------------------------------------------------------------------- limits


def _best_time(operation, *, min_time, min_repeats=3):
    operation()  # warm-up: page faults, thread pool start
    samples, spent = [], 0.0
    while len(samples) < min_repeats or spent < min_time:
        start = time.perf_counter()
        operation()
        samples.append(time.perf_counter() - start)
        spent += samples[-1]
    return min(samples), samples


def _onnx_matmul(size, threads):
    """One ONNX Runtime MatMul session at the same thread count, or None without ONNX Runtime."""
    try:
        import onnxruntime
        from onnx import TensorProto, helper
    except ImportError:
        return None
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["a", "b"], ["c"])],
        "matmul",
        [helper.make_tensor_value_info(name, TensorProto.FLOAT, [size, size]) for name in "ab"],
        [helper.make_tensor_value_info("c", TensorProto.FLOAT, [size, size])],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 9
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")  # idle threads would skew STREAM
    session = onnxruntime.InferenceSession(model.SerializeToString(), options, providers=["CPUExecutionProvider"])
    return lambda a, b: session.run(None, {"a": a, "b": b})


def _torch_matmul(threads):
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(threads)
    return lambda a, b: torch.matmul(torch.from_numpy(a), torch.from_numpy(b))


def matmul_peak(*, threads, size=2048, min_time=1.0, libraries=("onnxruntime", "torch")):
    """Best fp32 matmul rate among NumPy's BLAS and the other libraries benchmarked (ONNX Runtime's MLAS,
    PyTorch's oneDNN/MKL): the machine's usable peak, which no backend should beat.
    """
    rng = np.random.default_rng(0)
    a = rng.standard_normal((size, size), dtype=np.float32)
    b = rng.standard_normal((size, size), dtype=np.float32)
    out = np.empty_like(a)
    flops = 2.0 * size**3
    operations = {"numpy " + blas_name(): lambda: np.matmul(a, b, out=out)}
    others = {"onnxruntime": lambda: _onnx_matmul(size, threads), "torch": lambda: _torch_matmul(threads)}
    for name in libraries:
        matmul = others[name]()
        if matmul:
            operations[name] = lambda matmul=matmul: matmul(a, b)
    measured = {name: _best_time(run, min_time=min_time / len(operations)) for name, run in operations.items()}
    library = min(measured, key=lambda name: measured[name][0])
    best, samples = measured[library]
    return {
        "matmul_peak_flops": flops / best,
        "matmul": {
            "size": size,
            "library": library,
            "samples_s": samples,
            "by_library": {name: flops / result[0] for name, result in measured.items()},
        },
    }


def stream_bandwidth(*, threads, array_bytes=128 * 2**20, min_time=1.0):
    """STREAM's copy, scale, add and triad over fp32 arrays far larger than any cache, split across threads.

    Bytes counted as STREAM counts them (2 arrays for copy and scale, 3 for add and triad), plus a
    read-only dot product (2 arrays), since decoding mostly reads. The best kernel is the machine's
    bandwidth. NumPy releases the GIL inside these loops, so the threads run in parallel. Triad goes
    through cache-sized chunks so its temporary never reaches memory.
    """
    n = array_bytes // 4
    a, b, c = (np.full(n, value, dtype=np.float32) for value in (1.0, 2.0, 0.5))
    scalar = np.float32(3.0)
    bounds = np.linspace(0, n, threads + 1, dtype=np.int64)
    slices = [slice(int(lo), int(hi)) for lo, hi in itertools.pairwise(bounds)]
    chunk = 32 * 1024

    def triad(part):
        scratch = np.empty(chunk, dtype=np.float32)
        for start in range(part.start, part.stop, chunk):
            piece = slice(start, min(start + chunk, part.stop))
            width = piece.stop - piece.start
            np.multiply(c[piece], scalar, out=scratch[:width])
            np.add(b[piece], scratch[:width], out=a[piece])

    kernels = {
        "copy": (2, lambda part: np.copyto(a[part], b[part])),
        "scale": (2, lambda part: np.multiply(b[part], scalar, out=a[part])),
        "add": (3, lambda part: np.add(b[part], c[part], out=a[part])),
        "triad": (3, triad),
        "read": (2, lambda part: np.dot(b[part], c[part])),
    }
    rates = {}
    with ThreadPoolExecutor(max_workers=threads) as pool:
        for name, (arrays, kernel) in kernels.items():
            best, _ = _best_time(lambda kernel=kernel: list(pool.map(kernel, slices)), min_time=min_time / len(kernels))
            rates[name] = arrays * n * 4 / best
    return {"memory_bandwidth": max(rates.values()), "stream": {**rates, "array_bytes": array_bytes}}


def measure_limits(*, threads, quick, libraries):
    scale = 0.3 if quick else 1.0
    return {
        **matmul_peak(threads=threads, size=1024 if quick else 2048, min_time=2.0 * scale, libraries=libraries),
        **stream_bandwidth(threads=threads, array_bytes=(64 if quick else 128) * 2**20, min_time=2.5 * scale),
    }
