"""Every backend runs the same model: same greedy tokens as NumPy, logits within 1e-4, float32 throughout.

ONNX Runtime and PyTorch cases skip, saying so, where the package is not installed.
"""

import sys

import numpy as np
import pytest

from catalog.benchmark import worker
from catalog.benchmark.backends import BackendUnavailable, backend_class, numpy_backend
from catalog.benchmark.config import PRESETS
from catalog.benchmark.model import load_weights, prompt_tokens

NANO = PRESETS["nano"]
TOLERANCE = 1e-4
OPTIONAL = {"onnxruntime": "onnxruntime", "torch": "torch"}


@pytest.fixture(scope="module")
def nano_weights():
    return load_weights(NANO)[0]


def make_backend(name, config, weights):
    if name in OPTIONAL:
        pytest.importorskip(OPTIONAL[name], reason=f"{name} is not installed: its backend is skipped")
    backend = backend_class(name)(config, weights, threads=1)
    backend.prepare()
    return backend


def run_greedy(backend, prompt, generated):
    """Greedy tokens [B, generated] and every step's logits [generated, B, V]."""
    logits, cache = backend.prefill(prompt, prompt.shape[1] + generated)
    steps = [logits]
    for _ in range(generated - 1):
        logits, cache = backend.decode(steps[-1].argmax(-1), cache)
        steps.append(logits)
    return np.stack([step.argmax(-1) for step in steps], axis=1), np.stack(steps), cache


@pytest.fixture(scope="module")
def reference(nano_weights):
    prompt = prompt_tokens(NANO, 2, 24)
    tokens, logits, _ = run_greedy(make_backend("numpy", NANO, nano_weights), prompt, 10)
    return prompt, tokens, logits


def test_reference_generation_is_not_degenerate(reference):
    _, tokens, logits = reference
    assert len(set(tokens[0].tolist())) > 5  # a model that repeats one token would prove little below
    assert logits.dtype == np.float32


def test_kv_cache_decode_matches_a_full_prefill(nano_weights, reference):
    """The last decode step's logits equal a prefill over the prompt plus every token fed back."""
    prompt, tokens, logits = reference
    backend = make_backend("numpy", NANO, nano_weights)
    full, _ = backend.prefill(np.concatenate([prompt, tokens[:, :-1]], axis=1), 64)
    assert np.abs(full - logits[-1]).max() < TOLERANCE


@pytest.mark.parametrize("name", ["onnxruntime", "torch"])
def test_backend_agrees_with_numpy(name, nano_weights, reference):
    prompt, tokens, logits = reference
    backend_tokens, backend_logits, cache = run_greedy(make_backend(name, NANO, nano_weights), prompt, 10)
    assert np.array_equal(backend_tokens, tokens)
    assert np.abs(backend_logits - logits).max() < TOLERANCE
    assert backend_logits.dtype == np.float32
    keys = cache.keys if name == "torch" else cache.keys[0]
    assert str(keys.dtype).endswith("float32")


def test_onnxruntime_agrees_with_numpy_on_micro():
    micro = PRESETS["micro"]
    weights = load_weights(micro)[0]
    prompt = prompt_tokens(micro, 1, 40)
    expected_tokens, expected_logits, _ = run_greedy(make_backend("numpy", micro, weights), prompt, 6)
    tokens, logits, _ = run_greedy(make_backend("onnxruntime", micro, weights), prompt, 6)
    assert np.array_equal(tokens, expected_tokens)
    assert np.abs(logits - expected_logits).max() < TOLERANCE


def test_numpy_activations_stay_float32(nano_weights, monkeypatch):
    """Every norm, activation and softmax input is float32: nothing promotes to float64 on the way."""
    seen = []
    for helper in ("layer_norm", "gelu", "softmax"):
        original = getattr(numpy_backend, helper)

        def checked(x, *args, original=original, helper=helper):
            seen.append((helper, x.dtype))
            return original(x, *args)

        monkeypatch.setattr(numpy_backend, helper, checked)
    backend = make_backend("numpy", NANO, nano_weights)
    logits, cache = backend.prefill(prompt_tokens(NANO, 1, 5), 8)
    backend.decode(logits.argmax(-1), cache)
    assert {helper for helper, _ in seen} == {"layer_norm", "gelu", "softmax"}
    assert {dtype for _, dtype in seen} == {np.dtype(np.float32)}
    assert cache.keys.dtype == np.float32


@pytest.mark.parametrize(
    ("name", "module", "reason"),
    [("torch", "torch", "PyTorch is not installed"), ("onnxruntime", "onnxruntime", "ONNX Runtime is not installed")],
)
def test_missing_package_is_a_skip_with_its_reason(name, module, reason, monkeypatch):
    monkeypatch.setitem(sys.modules, module, None)  # makes ``import module`` raise ImportError
    with pytest.raises(BackendUnavailable, match=reason):
        backend_class(name).check_available("cpu")
    events = []
    task = {"preset": "nano", "backend": name, "device": "cpu", "threads": 1, "configs": [], "plan": {}}
    worker.run_backend(task, lambda **event: events.append(event))
    assert [event["event"] for event in events] == ["skipped"]
    assert events[0]["reason"].startswith(reason)


def test_numpy_has_no_cuda_device_in_this_benchmark():
    with pytest.raises(BackendUnavailable, match="no cuda support"):
        backend_class("numpy").check_available("cuda")
