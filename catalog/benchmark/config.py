"""The benchmark's tiny GPT-style decoder: its shape, its presets and its cost per token, in plain arithmetic.

GPT-2 layout: learned token and position embeddings, pre-LayerNorm blocks (fused QKV attention, a 4x MLP
with tanh-GELU), a final LayerNorm and an LM head, fp32 throughout. The head is not tied to the token
embedding: with random weights a tied head mostly predicts the token it was given, and a benchmark that
generates one token over and over would check little when backends are compared token by token.

No NumPy here: the roofline bounds and the Django side (stored runs, estimates, web pages) read a model's
sizes and costs without loading it. ``model`` makes the weights.
"""

from dataclasses import asdict, dataclass

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
