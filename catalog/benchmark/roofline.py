"""Roofline bounds: the fastest a chip with a given peak FLOP/s and memory bandwidth could run the model.

A phase can take no less than its FLOPs over the peak, nor its bytes over the bandwidth; the larger of
the two is the bound and names what limits it. Used for the local machine (with its measured peaks) and
for the catalog's chips (with their datasheet peaks), so the two are compared by the same arithmetic.
"""

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class PhaseBound:
    seconds: float
    tokens_per_s: float
    limited_by: str  # "compute" or "memory"
    flops: float
    bytes: float

    def as_dict(self):
        return asdict(self)


def phase_bound(*, flops, traffic, tokens, peak_flops, bandwidth):
    compute_s = flops / peak_flops if peak_flops else float("inf")
    memory_s = traffic / bandwidth if bandwidth else float("inf")
    seconds = max(compute_s, memory_s)
    return PhaseBound(
        seconds=seconds,
        tokens_per_s=tokens / seconds if seconds and seconds != float("inf") else 0.0,
        limited_by="compute" if compute_s >= memory_s else "memory",
        flops=flops,
        bytes=traffic,
    )


def prefill_bound(config, *, prompt_tokens, batch_size, peak_flops, bandwidth):
    """The prompt's forward pass, which reads every weight at least once."""
    return phase_bound(
        flops=config.prefill_flops(prompt_tokens, batch_size),
        traffic=config.decode_weight_bytes + config.kv_bytes(prompt_tokens, batch_size),
        tokens=batch_size * prompt_tokens,
        peak_flops=peak_flops,
        bandwidth=bandwidth,
    )


def decode_bound(config, *, prompt_tokens, generated_tokens, batch_size, peak_flops, bandwidth):
    """The decode steps after the first token, each reading the weights and the KV cache."""
    flops, traffic = config.generation_cost(prompt_tokens, generated_tokens, batch_size)
    return phase_bound(
        flops=flops,
        traffic=traffic,
        tokens=batch_size * (generated_tokens - 1),
        peak_flops=peak_flops,
        bandwidth=bandwidth,
    )


def arithmetic_intensity(bound):
    return bound.flops / bound.bytes if bound.bytes else None
