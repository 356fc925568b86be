"""Training compute, time and cost: C = 6 · N · D, spread over K chips at a utilization and a price.

6 FLOP per parameter per training token: 2 for the forward pass and 4 for the backward pass (Kaplan et al.
2020, "Scaling Laws for Neural Language Models"; the same rule Epoch AI uses). For a mixture-of-experts
model N is the active parameters, those a token is computed with. Attention over the context and
recomputed activations are left out, so the rule undercounts slightly for long contexts.
"""

from dataclasses import dataclass

from catalog.estimators.serving import PEAK_LABELS, PRECISIONS, pick_peak
from catalog.estimators.working import Working, num

SECONDS_PER_HOUR = 3600
FLOP_PER_PARAMETER_TOKEN = 6
DEFAULT_TRAINING_UTILIZATION = 0.4  # model FLOP utilization of large runs is typically 30–50%
TRAINING_PRECISIONS = ("bf16", "fp8")


@dataclass(frozen=True)
class TrainingEstimate:
    flop: float | None
    flop_source: str  # "6ND", "reported" or "" when neither is known
    chips: int
    peak_field: str | None
    peak_flops: float | None
    utilization: float
    seconds: float | None
    chip_hours: float | None
    price_per_chip_hour: float | None
    cost_usd: float | None
    steps: tuple = ()
    assumptions: tuple = ()

    @property
    def hours(self):
        return self.seconds / SECONDS_PER_HOUR if self.seconds is not None else None


def training_flop(parameters, tokens):
    """6 · N · D."""
    return FLOP_PER_PARAMETER_TOKEN * parameters * tokens


def estimate_training(
    *,
    parameters=None,
    active_parameters=None,
    tokens=None,
    chip=None,
    chips=1,
    precision="bf16",
    utilization=DEFAULT_TRAINING_UTILIZATION,
    price_per_chip_hour=None,
    reported_flop=None,
    model_name="",
):
    """Compute from 6ND (or, when N or D is unknown, the reported compute, saying so), then time and cost.

    ``chip`` is a ``ChipSpec`` (its peak for ``precision`` is used) or None for compute only.
    """
    if chips < 1 or not 0 < utilization <= 1:
        raise ValueError("chips must be at least 1 and utilization in (0, 1]")
    work = Working()
    flop, source = None, ""
    n = active_parameters or parameters
    if active_parameters and parameters and active_parameters < parameters:
        work.assume("training_moe", total=parameters, active=active_parameters)
    if n and tokens:
        flop = work.step(
            "training_flop", "C = 6 × N × D", f"6 × {num(n)} × {num(tokens)}", training_flop(n, tokens), "FLOP"
        )
        source = "6ND"
    elif reported_flop:
        work.assume("flop_from_reported", model=model_name)
        flop = work.step("training_flop", "C (reported)", num(reported_flop), float(reported_flop), "FLOP")
        source = "reported"
    else:
        work.assume("flop_unknown", model=model_name)
    peak_name = peak = seconds = chip_hours = cost = None
    if chip is not None:
        peak_name, peak = pick_peak(chip, precision)
        wanted = PRECISIONS[precision].peak_fields[0]
        if peak_name and peak_name != wanted:
            work.assume(
                "peak_fallback",
                precision=PRECISIONS[precision].label,
                wanted=PEAK_LABELS[wanted],
                used=PEAK_LABELS[peak_name],
                chip=chip.name,
            )
        if peak is None:
            work.assume("peak_unknown", chip=chip.name, precision=PRECISIONS[precision].label)
    if flop and peak:
        rate = work.step(
            "cluster_flops",
            "K × peak × u",
            f"{num(chips)} × {num(peak)} × {num(utilization)}",
            chips * peak * utilization,
            "FLOP/s",
        )
        seconds = work.step(
            "training_seconds", "T = C ÷ (K × peak × u)", f"{num(flop)} ÷ {num(rate)}", flop / rate, "s"
        )
        work.step("training_hours", "T ÷ 3600", f"{num(seconds)} ÷ 3600", seconds / SECONDS_PER_HOUR, "h")
        chip_hours = work.step(
            "chip_hours",
            "K × T",
            f"{num(chips)} × {num(seconds / SECONDS_PER_HOUR)}",
            chips * seconds / SECONDS_PER_HOUR,
            "chip-hours",
        )
        if price_per_chip_hour is not None:
            price = float(price_per_chip_hour)
            cost = work.step(
                "training_cost", "K × T × price", f"{num(chip_hours)} × {num(price)}", chip_hours * price, "USD"
            )
        else:
            work.assume("price_unknown")
    return TrainingEstimate(
        flop=flop,
        flop_source=source,
        chips=chips,
        peak_field=peak_name,
        peak_flops=peak,
        utilization=utilization,
        seconds=seconds,
        chip_hours=chip_hours,
        price_per_chip_hour=float(price_per_chip_hour) if price_per_chip_hour is not None else None,
        cost_usd=cost,
        steps=tuple(work.steps),
        assumptions=tuple(work.assumptions),
    )


def ratio(estimate, reported):
    """Estimate ÷ reported, or None when either is unknown or zero."""
    if not estimate or not reported:
        return None
    return float(estimate) / float(reported)


def implied_utilization(*, flop, chips, peak, hours):
    """The share of peak a reported run reached: C ÷ (K × peak × T). None when a figure is missing."""
    if not (flop and chips and peak and hours):
        return None
    return float(flop) / (chips * peak * hours * SECONDS_PER_HOUR)
