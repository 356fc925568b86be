"""The benchmark's tiny GPT-style decoder: its shape, its deterministic weights, and its cost per token.

GPT-2 layout: learned token and position embeddings, pre-LayerNorm blocks (fused QKV attention, a 4x MLP
with tanh-GELU), a final LayerNorm and an LM head, fp32 throughout. The head is not tied to the token
embedding: with random weights a tied head mostly predicts the token it was given, and a benchmark that
generates one token over and over would check little when backends are compared token by token.

The weights are made here from a seed with PCG64's raw 64-bit stream, which NumPy guarantees stable
across versions and platforms (NEP 19), and mapped to floats by exact arithmetic, so every machine gets
the same bytes; ``EXPECTED_CHECKSUMS`` pins them.
"""

import hashlib
from dataclasses import asdict, dataclass

import numpy as np

LAYER_NORM_EPS = 1e-5
MLP_RATIO = 4
BYTES_PER_VALUE = 4  # fp32 weights, activations and KV cache


@dataclass(frozen=True)
class ModelConfig:
    name: str
    vocab_size: int
    d_model: int
    n_layers: int
    n_heads: int
    max_context: int
    seed: int = 20_240_501

    @property
    def head_dim(self):
        return self.d_model // self.n_heads

    @property
    def d_mlp(self):
        return MLP_RATIO * self.d_model

    def as_dict(self):
        return {**asdict(self), "parameters": self.parameter_count, "weight_bytes": self.weight_bytes}

    # ------------------------------------------------------------------------------- sizes

    @property
    def layer_parameter_count(self):
        d, m = self.d_model, self.d_mlp
        attention = d * 3 * d + 3 * d + d * d + d
        mlp = d * m + m + m * d + d
        layer_norms = 2 * 2 * d
        return attention + mlp + layer_norms

    @property
    def parameter_count(self):
        embeddings = (self.vocab_size + self.max_context) * self.d_model
        head = self.d_model * self.vocab_size
        return embeddings + self.n_layers * self.layer_parameter_count + 2 * self.d_model + head

    @property
    def weight_bytes(self):
        return self.parameter_count * BYTES_PER_VALUE

    # ------------------------------------------------------------------------------- cost per token
    # Matmul FLOPs only (2 per multiply-add): the elementwise work (LayerNorm, GELU, softmax) is under 1%
    # at these shapes and no roofline counts it.

    def flops_per_token(self, context):
        """Forward FLOPs for one token attending to ``context`` positions (itself included), no LM head."""
        d = self.d_model
        projections = 2 * (3 * d * d + d * d + 2 * d * self.d_mlp)
        attention = 2 * 2 * context * d  # q·k over the context, then probabilities·v
        return self.n_layers * (projections + attention)

    @property
    def lm_head_flops(self):
        return 2 * self.d_model * self.vocab_size

    def prefill_flops(self, prompt_tokens, batch_size=1):
        """A prompt's forward pass: every position, and the LM head for the last one only."""
        per_sequence = sum(self.flops_per_token(position + 1) for position in range(prompt_tokens))
        return batch_size * (per_sequence + self.lm_head_flops)

    def decode_flops(self, context, batch_size=1):
        """One decode step for ``batch_size`` sequences whose new token makes the context ``context`` long."""
        return batch_size * (self.flops_per_token(context) + self.lm_head_flops)

    @property
    def decode_weight_bytes(self):
        """Weights read by one decode step: every layer, the final norm and the LM head.

        The embedding lookups read one row per sequence of each table, so the tables are not counted.
        """
        return BYTES_PER_VALUE * (
            self.n_layers * self.layer_parameter_count + 2 * self.d_model + self.vocab_size * self.d_model
        )

    def kv_bytes(self, context, batch_size=1):
        """Keys and values for ``context`` positions of ``batch_size`` sequences, all layers."""
        return batch_size * self.n_layers * 2 * context * self.d_model * BYTES_PER_VALUE

    def decode_bytes(self, context, batch_size=1):
        """Memory traffic of one decode step: the weights once for the batch, and each sequence's KV cache."""
        return self.decode_weight_bytes + self.kv_bytes(context, batch_size)

    def generation_cost(self, prompt_tokens, generated_tokens, batch_size=1):
        """FLOPs and bytes of the decode steps after the first token (which comes out of the prefill)."""
        contexts = range(prompt_tokens + 1, prompt_tokens + generated_tokens)
        flops = sum(self.decode_flops(context, batch_size) for context in contexts)
        traffic = sum(self.decode_bytes(context, batch_size) for context in contexts)
        return flops, traffic


PRESETS = {
    "nano": ModelConfig("nano", vocab_size=2048, d_model=256, n_layers=4, n_heads=4, max_context=512),
    "micro": ModelConfig("micro", vocab_size=4096, d_model=512, n_layers=8, n_heads=8, max_context=1024),
}

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
