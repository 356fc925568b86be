"""The benchmark model's weights: deterministic, made from the seed in its ``config.ModelConfig``.

The weights are made here from a seed with PCG64's raw 64-bit stream, which NumPy guarantees stable
across versions and platforms (NEP 19), and mapped to floats by exact arithmetic, so every machine gets
the same bytes; ``EXPECTED_CHECKSUMS`` pins them. The model's shape and cost per token are in ``config``.
"""

import hashlib

import numpy as np

# sha256 over every tensor's little-endian fp32 bytes, in ``weight_names`` order.
EXPECTED_CHECKSUMS = {
    "nano": "d861ccce60d2ec052cf27acfc31d1a1770cd54051bee251730a9f19b41190e16",
    "micro": "8666e028158ad094d50bfc942ac79d695042b6c8b91f654897947fe34d736fdc",
}


# ----------------------------------------------------------------------------------- weights


def weight_shapes(config):
    """Every tensor's name and shape, in the fixed order they are generated and hashed."""
    d, m = config.d_model, config.d_mlp
    shapes = {"wte": (config.vocab_size, d), "wpe": (config.max_context, d)}
    for layer in range(config.n_layers):
        shapes |= {
            f"h{layer}.ln1.g": (d,),
            f"h{layer}.ln1.b": (d,),
            f"h{layer}.attn.w_qkv": (d, 3 * d),
            f"h{layer}.attn.b_qkv": (3 * d,),
            f"h{layer}.attn.w_out": (d, d),
            f"h{layer}.attn.b_out": (d,),
            f"h{layer}.ln2.g": (d,),
            f"h{layer}.ln2.b": (d,),
            f"h{layer}.mlp.w_in": (d, m),
            f"h{layer}.mlp.b_in": (m,),
            f"h{layer}.mlp.w_out": (m, d),
            f"h{layer}.mlp.b_out": (d,),
        }
    return shapes | {"ln_f.g": (d,), "ln_f.b": (d,), "lm_head": (d, config.vocab_size)}


def _init(name, config):
    """(centre, half-width) of the uniform distribution a tensor is drawn from (GPT-2's scales)."""
    if name.endswith(".g"):
        return 1.0, 0.1
    if name.split(".")[-1].startswith("b"):
        return 0.0, 0.02
    std = 0.02
    if name.endswith(("attn.w_out", "mlp.w_out")):
        std /= (2 * config.n_layers) ** 0.5  # residual projections, as GPT-2 scales them
    return 0.0, std * 3**0.5  # uniform(-a, a) has std a/√3


def generate_weights(config):
    """The preset's weights, the same bytes on every machine: a dict of C-contiguous fp32 arrays."""
    bits = np.random.PCG64(config.seed)
    weights = {}
    for name, shape in weight_shapes(config).items():
        raw = bits.random_raw(int(np.prod(shape)))
        # Top 24 bits -> an exact float32 in [0, 1); the affine map below rounds the same way everywhere.
        unit = (raw >> np.uint64(40)).astype(np.float32) * np.float32(2.0**-24)
        centre, half_width = _init(name, config)
        values = (unit * np.float32(2.0) - np.float32(1.0)) * np.float32(half_width) + np.float32(centre)
        weights[name] = np.ascontiguousarray(values.reshape(shape), dtype=np.float32)
    return weights


def checksum(weights):
    digest = hashlib.sha256()
    for name in weights:  # generation order; dicts keep it
        digest.update(name.encode())
        digest.update(np.ascontiguousarray(weights[name], dtype="<f4").tobytes())
    return digest.hexdigest()


class ChecksumMismatch(RuntimeError):
    pass


def load_weights(config):
    """Generate the weights and verify them against the pinned checksum; returns (weights, checksum)."""
    weights = generate_weights(config)
    digest = checksum(weights)
    expected = EXPECTED_CHECKSUMS.get(config.name)
    if expected and digest != expected:
        raise ChecksumMismatch(f"{config.name} weights hash to {digest}, expected {expected}")
    return weights, digest


def prompt_tokens(config, batch_size, length, seed=7):
    """A deterministic batch of prompts, int64 [batch_size, length]."""
    raw = np.random.PCG64(config.seed + seed).random_raw(batch_size * length)
    return (raw % np.uint64(config.vocab_size)).astype(np.int64).reshape(batch_size, length)
