"""PyTorch backend (CPU, and CUDA when available): eager ops in inference mode, on the same weights.

Used only when torch imports; never a requirement. The KV cache is preallocated and written in place
like the NumPy backend's. On CUDA, logits are copied back to the host each step, which synchronises,
so a step's time includes its kernels.
"""

import math

from catalog.benchmark.backends.base import Backend, BackendUnavailable, KVCache
from catalog.benchmark.config import LAYER_NORM_EPS


def _torch():
    try:
        import torch
    except ImportError as error:
        raise BackendUnavailable("PyTorch is not installed") from error
    return torch


class TorchBackend(Backend):
    name = "torch"
    devices = ("cpu", "cuda")

    @classmethod
    def check_available(cls, device):
        super().check_available(device)
        torch = _torch()
        if device == "cuda" and not torch.cuda.is_available():
            raise BackendUnavailable("PyTorch sees no CUDA device")

    @classmethod
    def version(cls):
        try:
            return _torch().__version__
        except BackendUnavailable:
            return None

    def prepare(self):
        torch = self.torch = _torch()
        torch.set_num_threads(self.threads)
        self.w = {name: torch.from_numpy(value).to(self.device) for name, value in self.weights.items()}
        self.scale = 1.0 / math.sqrt(self.config.head_dim)

    def new_cache(self, batch_size, capacity):
        cfg = self.config
        shape = (cfg.n_layers, batch_size, cfg.n_heads, capacity, cfg.head_dim)
        zeros = self.torch.zeros
        return KVCache(keys=zeros(shape, device=self.device), values=zeros(shape, device=self.device), length=0)

    def _forward(self, tokens, cache):
        torch, cfg, w = self.torch, self.config, self.w
        functional = torch.nn.functional
        with torch.inference_mode():
            ids = torch.from_numpy(tokens).to(self.device)
            batch, steps = ids.shape
            start, end = cache.length, cache.length + steps
            x = w["wte"][ids] + w["wpe"][start:end]
            causal = None
            if steps > 1:
                causal = torch.full((steps, end), float("-inf"), device=self.device).triu(start + 1)
            for layer in range(cfg.n_layers):
                p = f"h{layer}."
                h = functional.layer_norm(x, (cfg.d_model,), w[p + "ln1.g"], w[p + "ln1.b"], LAYER_NORM_EPS)
                qkv = torch.addmm(w[p + "attn.b_qkv"], h.reshape(-1, cfg.d_model), w[p + "attn.w_qkv"])
                qkv = qkv.view(batch, steps, 3, cfg.n_heads, cfg.head_dim).permute(2, 0, 3, 1, 4)
                cache.keys[layer, :, :, start:end] = qkv[1]
                cache.values[layer, :, :, start:end] = qkv[2]
                scores = (qkv[0] * self.scale) @ cache.keys[layer, :, :, :end].transpose(-1, -2)
                if causal is not None:
                    scores += causal
                attended = torch.softmax(scores, dim=-1) @ cache.values[layer, :, :, :end]
                attended = attended.transpose(1, 2).reshape(batch * steps, cfg.d_model)
                x = x + torch.addmm(w[p + "attn.b_out"], attended, w[p + "attn.w_out"]).view(batch, steps, -1)
                h = functional.layer_norm(x, (cfg.d_model,), w[p + "ln2.g"], w[p + "ln2.b"], LAYER_NORM_EPS)
                hidden = functional.gelu(
                    torch.addmm(w[p + "mlp.b_in"], h.reshape(-1, cfg.d_model), w[p + "mlp.w_in"]), approximate="tanh"
                )
                x = x + torch.addmm(w[p + "mlp.b_out"], hidden, w[p + "mlp.w_out"]).view(batch, steps, -1)
            cache.length = end
            last = functional.layer_norm(x[:, -1], (cfg.d_model,), w["ln_f.g"], w["ln_f.b"], LAYER_NORM_EPS)
            return (last @ w["lm_head"]).cpu().numpy()

    def prefill(self, tokens, capacity):
        cache = self.new_cache(tokens.shape[0], capacity)
        return self._forward(tokens, cache), cache

    def decode(self, tokens, cache):
        return self._forward(tokens[:, None], cache), cache
