"""Backends on identical weights. Each module imports its framework lazily: a missing one is a skip."""

import importlib

from catalog.benchmark.backends.base import Backend, BackendUnavailable, KVCache

BACKENDS = {
    "numpy": "catalog.benchmark.backends.numpy_backend.NumpyBackend",
    "onnxruntime": "catalog.benchmark.backends.onnx_backend.OnnxRuntimeBackend",
    "torch": "catalog.benchmark.backends.torch_backend.TorchBackend",
}


def backend_class(name):
    module, _, cls = BACKENDS[name].rpartition(".")
    return getattr(importlib.import_module(module), cls)


__all__ = ["BACKENDS", "Backend", "BackendUnavailable", "KVCache", "backend_class"]
