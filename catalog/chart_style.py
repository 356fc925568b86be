"""The look every figure shares: one colour per vendor or organization, log axes with labelled decades,
legends kept off the tick labels, country names. Pure functions; ``catalog.charts`` and the price charts
call them so a vendor has the same colour on every chart and a count never reads "10G".
"""

import hashlib
import math

from catalog.formatting import count

# A qualitative palette with enough contrast on white; organizations without a colour of their own hash
# into it, so the same slug always gets the same colour, on every chart and every request.
PALETTE = [
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
    "#393b79",
    "#ad494a",
    "#637939",
    "#7b4173",
    "#3182bd",
    "#e6550d",
    "#31a354",
    "#756bb1",
]
# Colours readers already associate with the best-known vendors and labs (by organization slug).
BRAND_COLOURS = {
    "nvidia": "#76b900",
    "amd": "#ed1c24",
    "google": "#4285f4",
    "google-deepmind": "#4285f4",
    "intel": "#0071c5",
    "aws": "#ff9900",
    "amazon": "#ff9900",
    "microsoft": "#737373",
    "meta": "#0866ff",
    "openai": "#10a37f",
    "anthropic": "#d97757",
    "huawei": "#c7000b",
    "furiosaai": "#6f42c1",
    "rebellions": "#e83e8c",
    "sapeon": "#17a2b8",
    "samsung": "#1428a0",
    "naver": "#03c75a",
    "lg-ai-research": "#a50034",
    "cerebras": "#f26722",
    "groq": "#f55036",
    "mistral-ai": "#fa520f",
    "deepseek": "#4d6bfe",
    "alibaba": "#ff6a00",
    "xai": "#000000",
}
DASHES = ["solid", "dash", "dot", "dashdot", "longdash", "longdashdot"]


def colour_for(organization):
    """The colour of an organization (a row with ``slug``, or a slug or name): stable across charts."""
    key = getattr(organization, "slug", None) or getattr(organization, "name", None) or str(organization)
    key = key.lower()
    if key in BRAND_COLOURS:
        return BRAND_COLOURS[key]
    digest = hashlib.blake2s(key.encode(), digest_size=4).digest()
    return PALETTE[int.from_bytes(digest, "big") % len(PALETTE)]


# ----------------------------------------------------------------------------------------------- axes


def money_label(value):
    """$0.01, $0.1, $1, $10, $1,000: as many decimals as the value needs, no trailing zeros."""
    if value >= 1:
        return f"${value:,.0f}"
    decimals = -math.floor(math.log10(value) + 1e-9)
    return f"${value:.{decimals}f}"


def plain_label(value):
    """0.01, 1, 1,000 (FLOP per byte and other plain ratios)."""
    if value >= 1:
        return f"{value:,.0f}"
    return f"{value:.{-math.floor(math.log10(value) + 1e-9)}f}"


def count_label(value):
    """10B, 100B, 1T (or 100억, 1,000억, 1조 on Korean pages): counts never read as SI "G"."""
    return count(value)


def exponent_label(value):
    """1e24: totals of FLOP, the way Epoch AI and the papers write them."""
    return f"{value:.0e}".replace("e+", "e").replace("e0", "e").replace("e-0", "e-")


def si_label(value):
    """1T, 10P: SI prefixes, for quantities with a unit in the axis title (FLOP/s, bytes, watts)."""
    for factor, prefix in ((1e24, "Y"), (1e21, "Z"), (1e18, "E"), (1e15, "P"), (1e12, "T"), (1e9, "G")):
        if value >= factor:
            return f"{value / factor:g}{prefix}"
    for factor, prefix in ((1e6, "M"), (1e3, "k")):
        if value >= factor:
            return f"{value / factor:g}{prefix}"
    return plain_label(value)


def decade_ticks(values, label=plain_label):
    """Tick values and texts for a log axis: every power of ten covering ``values`` (and 2 and 5 between
    them when the data fits in one decade), so a log axis always names its decades."""
    positive = [float(value) for value in values if value is not None and float(value) > 0]
    if not positive:
        return [], []
    low = math.floor(math.log10(min(positive)) + 1e-9)
    high = math.ceil(math.log10(max(positive)) - 1e-9)
    high = max(high, low + 1)
    ticks = []
    for exponent in range(low, high + 1):
        ticks.append(10.0**exponent)
        if high - low == 1 and exponent < high:
            ticks += [2 * 10.0**exponent, 5 * 10.0**exponent]
    return ticks, [label(tick) for tick in ticks]


def log_axis(values, label=plain_label, **extra):
    """A log axis whose ticks are the decades covering ``values``, labelled by ``label``."""
    tickvals, ticktext = decade_ticks(values, label)
    axis = {"type": "log", "automargin": True, **extra}
    if tickvals:
        pad = 0.04 * (math.log10(tickvals[-1]) - math.log10(tickvals[0]))
        axis |= {
            "tickvals": tickvals,
            "ticktext": ticktext,
            "range": [math.log10(tickvals[0]) - pad, math.log10(tickvals[-1]) + pad],
        }
    return axis


# --------------------------------------------------------------------------------------------- legend

# Outside the plot on the right, never over tick labels; charts.js moves it below on narrow screens.
LEGEND_OUTSIDE = {"orientation": "v", "x": 1.02, "xanchor": "left", "y": 1, "yanchor": "top"}
MAX_LEGEND_ENTRIES = 8
