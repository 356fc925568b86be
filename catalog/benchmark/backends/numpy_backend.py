"""The reference backend: the decoder written out in NumPy, float32 end to end.

Every constant is an ``np.float32`` so no operation promotes to float64 (NumPy 2 promotes a float32 array
times a float64 *scalar* object to float64). The KV cache is preallocated to prompt + generated tokens
and written in place, as serving engines do.
"""

import numpy as np

from catalog.benchmark.backends.base import Backend, KVCache
from catalog.benchmark.config import LAYER_NORM_EPS

F32 = np.float32
GELU_C = F32(np.sqrt(2.0 / np.pi))
GELU_K = F32(0.044715)
HALF = F32(0.5)
ONE = F32(1.0)
EPS = F32(LAYER_NORM_EPS)


def layer_norm(x, gain, bias):
    mean = x.mean(axis=-1, keepdims=True)
    centred = x - mean
    variance = (centred * centred).mean(axis=-1, keepdims=True)
    return centred / np.sqrt(variance + EPS) * gain + bias


def gelu(x):
    return HALF * x * (ONE + np.tanh(GELU_C * (x + GELU_K * x * x * x)))


def softmax(scores):
    scores = scores - scores.max(axis=-1, keepdims=True)
    np.exp(scores, out=scores)
    scores /= scores.sum(axis=-1, keepdims=True)
    return scores


class NumpyBackend(Backend):
    name = "numpy"

    @classmethod
    def version(cls):
        return np.__version__

    def prepare(self):
        self.w = self.weights
        self.scale = F32(1.0 / np.sqrt(self.config.head_dim))

    def new_cache(self, batch_size, capacity):
        shape = (self.config.n_layers, batch_size, self.config.n_heads, capacity, self.config.head_dim)
        return KVCache(keys=np.zeros(shape, F32), values=np.zeros(shape, F32), length=0)

    def _forward(self, tokens, cache):
        """tokens [B, T] appended at cache.length; returns the last position's logits [B, V]."""
        cfg, w = self.config, self.w
        batch, steps = tokens.shape
        start = cache.length
        end = start + steps
        x = w["wte"][tokens] + w["wpe"][start:end]
        causal = None
        if steps > 1:  # a query at position start+i sees keys 0..start+i
            causal = np.triu(np.full((steps, end), -np.inf, F32), k=start + 1)
        for layer in range(cfg.n_layers):
            p = f"h{layer}."
            h = layer_norm(x, w[p + "ln1.g"], w[p + "ln1.b"])
            qkv = h @ w[p + "attn.w_qkv"] + w[p + "attn.b_qkv"]
            qkv = qkv.reshape(batch, steps, 3, cfg.n_heads, cfg.head_dim).transpose(2, 0, 3, 1, 4)
            q, k, v = qkv[0], qkv[1], qkv[2]  # [B, H, T, hd]
            cache.keys[layer, :, :, start:end] = k
            cache.values[layer, :, :, start:end] = v
            keys = cache.keys[layer, :, :, :end]
            values = cache.values[layer, :, :, :end]
            scores = (q * self.scale) @ keys.transpose(0, 1, 3, 2)  # [B, H, T, end]
            if causal is not None:
                scores += causal
            attended = softmax(scores) @ values  # [B, H, T, hd]
            attended = attended.transpose(0, 2, 1, 3).reshape(batch, steps, cfg.d_model)
            x = x + (attended @ w[p + "attn.w_out"] + w[p + "attn.b_out"])
            h = layer_norm(x, w[p + "ln2.g"], w[p + "ln2.b"])
            x = x + (gelu(h @ w[p + "mlp.w_in"] + w[p + "mlp.b_in"]) @ w[p + "mlp.w_out"] + w[p + "mlp.b_out"])
        cache.length = end
        last = layer_norm(x[:, -1], w["ln_f.g"], w["ln_f.b"])
        return last @ w["lm_head"]

    def prefill(self, tokens, capacity):
        cache = self.new_cache(tokens.shape[0], capacity)
        return self._forward(tokens, cache), cache

    def decode(self, tokens, cache):
        return self._forward(tokens[:, None], cache), cache
