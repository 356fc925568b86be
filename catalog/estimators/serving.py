"""Serving fit: does a model fit on N chips at a precision, and how fast and how cheaply could it serve?

The model, per request and per chip, of an autoregressive transformer server:

- Memory: the weights (total parameters × bytes per parameter) plus the KV cache
  (2 × layers × KV heads × head dimension × bytes × context × batch) must fit in the chips' memory
  together. Nothing is set aside for activations, the runtime or fragmentation: real servers need
  10–20% headroom on top.
- Decode (one new token per sequence per step) is bound by memory bandwidth: each step reads the weights
  once for the whole batch and every sequence's KV cache, so tokens/s ≤ batch × n × bandwidth × u ÷ bytes
  per step. It is also bound by compute (2 FLOP per active parameter per token, plus attention over the
  context); the lower of the two is the bound, and at small batches it is bandwidth.
- Prefill (the prompt) is bound by compute: tokens/s ≤ n × peak × u ÷ FLOP per token.
- Cost: n chips at a price per chip-hour, divided by the tokens they produce in an hour.

Mixture-of-experts models keep every expert in memory (total parameters) but compute with, and in a
decode step read, only the experts a token is routed to (active parameters). These are upper bounds on
throughput at a stated utilization ``u`` (the fraction of peak bandwidth and FLOP/s reached), hence lower
bounds on cost.
"""

import math
from dataclasses import dataclass, field

from catalog.estimators.working import Working, num


@dataclass(frozen=True)
class Precision:
    key: str
    label: str
    bytes_per_parameter: float
    kv_bytes_per_value: float
    # Peak fields tried in order; the first the chip reports is used (a fallback is stated).
    peak_fields: tuple[str, ...]


PRECISIONS = {
    "bf16": Precision("bf16", "BF16", 2, 2, ("bf16_flops", "fp32_flops")),
    "fp8": Precision("fp8", "FP8", 1, 1, ("fp8_flops", "bf16_flops", "fp32_flops")),
    "int8": Precision("int8", "INT8", 1, 1, ("int8_ops", "bf16_flops", "fp32_flops")),
    # No INT4 peak in the catalog: INT4 weights run at the INT8 rate at best (stated as an assumption).
    "int4": Precision("int4", "INT4", 0.5, 1, ("int8_ops", "bf16_flops", "fp32_flops")),
    # Only for the bundled fp32 micro-model (the method check), not offered to users.
    "fp32": Precision("fp32", "FP32", 4, 4, ("fp32_flops", "bf16_flops")),
}
USER_PRECISIONS = ("bf16", "fp8", "int8", "int4")
PEAK_LABELS = {
    "fp32_flops": "FP32",
    "bf16_flops": "BF16/FP16",
    "fp8_flops": "FP8",
    "int8_ops": "INT8",
    "fp4_flops": "FP4",
}
ASSUMED_HEAD_DIM = 128  # the usual head size when a model states its KV heads but not its attention heads
SECONDS_PER_HOUR = 3600
PER_MILLION = 1_000_000

DEFAULT_UTILIZATION = 0.5
DEFAULT_CONTEXT = 4096
DEFAULT_BATCH = 1


@dataclass(frozen=True)
class ModelShape:
    name: str
    parameters: int
    active_parameters: int | None = None
    layers: int | None = None
    hidden_size: int | None = None
    attention_heads: int | None = None
    kv_heads: int | None = None
    context_length: int | None = None

    @property
    def active(self):
        return self.active_parameters or self.parameters

    @property
    def is_moe(self):
        return bool(self.active_parameters) and self.active_parameters < self.parameters


@dataclass(frozen=True)
class ChipSpec:
    name: str
    memory_bytes: float | None
    memory_bandwidth: float | None
    peaks: dict = field(default_factory=dict)  # field name (bf16_flops, int8_ops...) -> FLOP/s or OP/s


@dataclass(frozen=True)
class ServingEstimate:
    precision: str
    chips: int
    batch: int
    context: int
    utilization: float
    weight_bytes: float
    kv_bytes: float | None
    required_bytes: float
    available_bytes: float | None
    fits: bool | None
    chips_needed: int | None
    peak_field: str | None
    peak_flops: float | None
    decode_tokens_per_s: float | None
    decode_limited_by: str | None
    prefill_tokens_per_s: float | None
    price_per_chip_hour: float | None
    usd_per_m_output: float | None
    usd_per_m_input: float | None
    steps: tuple = ()
    assumptions: tuple = ()

    @property
    def per_sequence_tokens_per_s(self):
        return self.decode_tokens_per_s / self.batch if self.decode_tokens_per_s else None


def pick_peak(chip, precision):
    """(field, FLOP/s) of the first peak the chip reports for this precision, else (None, None)."""
    for name in PRECISIONS[precision].peak_fields:
        value = chip.peaks.get(name)
        if value:
            return name, float(value)
    return None, None


def kv_width(model, work):
    """(symbols, numbers, value) of KV heads × head dimension, stating what was assumed; None if unknowable."""
    if not model.layers or not model.hidden_size:
        work.assume("kv_shape_unknown", model=model.name)
        return None
    if model.kv_heads and model.attention_heads:
        head_dim = model.hidden_size / model.attention_heads
        work.step("head_dim", "d_h = d ÷ H", f"{num(model.hidden_size)} ÷ {num(model.attention_heads)}", head_dim, "")
        return "H_kv × d_h", f"{num(model.kv_heads)} × {num(head_dim)}", model.kv_heads * head_dim
    if model.kv_heads:
        work.assume("head_dim_assumed", head_dim=ASSUMED_HEAD_DIM)
        return "H_kv × d_h", f"{num(model.kv_heads)} × {ASSUMED_HEAD_DIM}", model.kv_heads * ASSUMED_HEAD_DIM
    work.assume("kv_heads_assumed_mha")
    # Every head keeps its own keys and values: KV heads × d_h = H × d ÷ H = d.
    return "d", num(model.hidden_size), float(model.hidden_size)


def memory_steps(model, chip, spec, *, chips, batch, context, work):
    bytes_per = spec.bytes_per_parameter
    work.step("bytes_per_parameter", f"b ({spec.label})", num(bytes_per), bytes_per, "B")
    weight_bytes = work.step(
        "weight_bytes", "W = P × b", f"{num(model.parameters)} × {num(bytes_per)}", model.parameters * bytes_per, "B"
    )
    kv_bytes = None
    width = kv_width(model, work)
    if width is not None:
        width_symbols, width_numbers, width = width
        kv_per = spec.kv_bytes_per_value
        if kv_per != bytes_per:
            work.assume("kv_precision", kv_bytes=kv_per)
        per_token = work.step(
            "kv_bytes_per_token",
            f"2 × L × {width_symbols} × b_kv",
            f"2 × {num(model.layers)} × {width_numbers} × {num(kv_per)}",
            2 * model.layers * width * kv_per,
            "B",
        )
        kv_bytes = work.step(
            "kv_bytes",
            "KV = kv_token × C × B",
            f"{num(per_token)} × {num(context)} × {num(batch)}",
            per_token * context * batch,
            "B",
        )
    required = work.step(
        "required_bytes",
        "M = W + KV",
        f"{num(weight_bytes)} + {num(kv_bytes or 0)}",
        weight_bytes + (kv_bytes or 0),
        "B",
    )
    available = fits = needed = None
    if chip.memory_bytes:
        available = work.step(
            "available_bytes", "n × mem", f"{num(chips)} × {num(chip.memory_bytes)}", chips * chip.memory_bytes, "B"
        )
        work.step("memory_share", "M ÷ (n × mem)", f"{num(required)} ÷ {num(available)}", required / available, "share")
        fits = required <= available
        needed = work.step(
            "chips_needed",
            "⌈M ÷ mem⌉",
            f"⌈{num(required)} ÷ {num(chip.memory_bytes)}⌉",
            max(1, math.ceil(required / chip.memory_bytes)),
            "chips",
        )
    else:
        work.assume("memory_unknown", chip=chip.name)
    return weight_bytes, kv_bytes, required, available, fits, needed


def flops_per_token(model, context, work, *, key, attention_factor):
    """2 FLOP per active parameter, plus attention: ``attention_factor`` × L × C × d (4 for a decode step
    attending to C positions, 2 for a prompt token, which attends to C/2 on average)."""
    active = model.active
    if model.layers and model.hidden_size:
        return work.step(
            key,
            f"2 × A + {attention_factor} × L × C × d",
            f"2 × {num(active)} + {attention_factor} × {num(model.layers)} × {num(context)} × {num(model.hidden_size)}",
            2 * active + attention_factor * model.layers * context * model.hidden_size,
            "FLOP",
        )
    return work.step(key, "2 × A", f"2 × {num(active)}", 2 * active, "FLOP")


def speed_steps(model, chip, spec, *, chips, batch, context, utilization, weight_bytes, kv_bytes, work):
    peak_name, peak = pick_peak(chip, spec.key)
    if peak_name and peak_name != spec.peak_fields[0]:
        work.assume(
            "peak_fallback",
            precision=spec.label,
            wanted=PEAK_LABELS[spec.peak_fields[0]],
            used=PEAK_LABELS[peak_name],
            chip=chip.name,
        )
    if spec.key == "int4" and peak_name == "int8_ops":
        work.assume("int4_at_int8_peak", chip=chip.name)
    if peak_name is None:
        work.assume("peak_unknown", chip=chip.name, precision=spec.label)
    if not (model.layers and model.hidden_size):
        work.assume("attention_flops_omitted")
    decode = limited_by = prefill = memory_bound = compute_bound = None
    compute = peak and work.step(
        "compute",
        "n × peak × u",
        f"{num(chips)} × {num(peak)} × {num(utilization)}",
        chips * peak * utilization,
        "FLOP/s",
    )
    if chip.memory_bandwidth:
        if model.is_moe:
            weights_read = work.step(
                "weights_read",
                "A × b",
                f"{num(model.active)} × {num(spec.bytes_per_parameter)}",
                model.active * spec.bytes_per_parameter,
                "B",
            )
        else:
            weights_read = weight_bytes
        step_bytes = work.step(
            "decode_step_bytes",
            "W_read + KV",
            f"{num(weights_read)} + {num(kv_bytes or 0)}",
            weights_read + (kv_bytes or 0),
            "B",
        )
        bandwidth = work.step(
            "bandwidth",
            "n × BW × u",
            f"{num(chips)} × {num(chip.memory_bandwidth)} × {num(utilization)}",
            chips * chip.memory_bandwidth * utilization,
            "B/s",
        )
        decode = memory_bound = work.step(
            "decode_memory_bound",
            "B × (n × BW × u) ÷ bytes_step",
            f"{num(batch)} × {num(bandwidth)} ÷ {num(step_bytes)}",
            batch * bandwidth / step_bytes,
            "tokens/s",
        )
        limited_by = "memory"
    else:
        work.assume("bandwidth_unknown", chip=chip.name)
    if compute:
        decode_flops = flops_per_token(model, context, work, key="decode_flops_per_token", attention_factor=4)
        decode_compute = compute_bound = work.step(
            "decode_compute_bound",
            "n × peak × u ÷ F_decode",
            f"{num(compute)} ÷ {num(decode_flops)}",
            compute / decode_flops,
            "tokens/s",
        )
        if decode is not None and decode_compute < decode:
            decode, limited_by = decode_compute, "compute"
        prefill_flops = flops_per_token(model, context, work, key="prefill_flops_per_token", attention_factor=2)
        prefill = work.step(
            "prefill_bound",
            "n × peak × u ÷ F_prefill",
            f"{num(compute)} ÷ {num(prefill_flops)}",
            compute / prefill_flops,
            "tokens/s",
        )
    if memory_bound is not None and compute_bound is not None:
        work.step(
            "decode_bound",
            "min(memory bound, compute bound)",
            f"min({num(memory_bound)}, {num(compute_bound)})",
            decode,
            "tokens/s",
        )
    return peak_name, peak, decode, limited_by, prefill


def cost_steps(*, chips, price, decode, prefill, work):
    if price is None:
        work.assume("price_unknown")
        return None, None
    hourly = work.step("hourly_cost", "n × price", f"{num(chips)} × {num(price)}", chips * price, "USD/h")
    output = input_ = None
    if decode:
        output = work.step(
            "usd_per_m_output",
            "n × price ÷ (decode × 3600) × 10⁶",
            f"{num(hourly)} ÷ ({num(decode)} × 3600) × 10⁶",
            hourly / (decode * SECONDS_PER_HOUR) * PER_MILLION,
            "USD",
        )
    if prefill:
        input_ = work.step(
            "usd_per_m_input",
            "n × price ÷ (prefill × 3600) × 10⁶",
            f"{num(hourly)} ÷ ({num(prefill)} × 3600) × 10⁶",
            hourly / (prefill * SECONDS_PER_HOUR) * PER_MILLION,
            "USD",
        )
    return output, input_


def estimate_serving(
    model,
    chip,
    *,
    precision="bf16",
    chips=1,
    batch=DEFAULT_BATCH,
    context=DEFAULT_CONTEXT,
    utilization=DEFAULT_UTILIZATION,
    price_per_chip_hour=None,
):
    """Fit, decode and prefill bounds and cost for ``model`` on ``chips`` × ``chip``, with the working.

    ``context`` is the tokens each sequence holds (prompt and output); it is capped at the model's
    context length, saying so. ``price_per_chip_hour`` in USD, or None for no cost.
    """
    if precision not in PRECISIONS:
        raise ValueError(f"unknown precision {precision!r}")
    if model.parameters <= 0 or chips < 1 or batch < 1 or context < 1 or not 0 < utilization <= 1:
        raise ValueError("parameters, chips, batch and context must be positive and utilization in (0, 1]")
    spec = PRECISIONS[precision]
    work = Working()
    if model.context_length and context > model.context_length:
        work.assume("context_capped", requested=context, maximum=model.context_length)
        context = model.context_length
    if model.is_moe:
        work.assume("moe", total=model.parameters, active=model.active)
    weight_bytes, kv_bytes, required, available, fits, needed = memory_steps(
        model, chip, spec, chips=chips, batch=batch, context=context, work=work
    )
    peak_name, peak, decode, limited_by, prefill = speed_steps(
        model,
        chip,
        spec,
        chips=chips,
        batch=batch,
        context=context,
        utilization=utilization,
        weight_bytes=weight_bytes,
        kv_bytes=kv_bytes,
        work=work,
    )
    price = float(price_per_chip_hour) if price_per_chip_hour is not None else None
    usd_output, usd_input = cost_steps(chips=chips, price=price, decode=decode, prefill=prefill, work=work)
    return ServingEstimate(
        precision=precision,
        chips=chips,
        batch=batch,
        context=context,
        utilization=utilization,
        weight_bytes=weight_bytes,
        kv_bytes=kv_bytes,
        required_bytes=required,
        available_bytes=available,
        fits=fits,
        chips_needed=needed,
        peak_field=peak_name,
        peak_flops=peak,
        decode_tokens_per_s=decode,
        decode_limited_by=limited_by,
        prefill_tokens_per_s=prefill,
        price_per_chip_hour=price,
        usd_per_m_output=usd_output,
        usd_per_m_input=usd_input,
        steps=tuple(work.steps),
        assumptions=tuple(work.assumptions),
    )
