"""The one registry of the figures the site shows: label, unit as stored, how to format, which way is better.

Tables, detail pages, the comparison, the charts' hover text, the CSV headers and the estimators read
``FIGURES``, so a figure is formatted one way everywhere and in both languages. ``format_figure(name, value)``
is the one function that turns any stored value into text for people (the rules are in
``catalog.formatting``).

``unit`` is the unit the value is stored in (SI, as Epoch AI keeps it) and the one the API and CSV speak;
``symbol`` is what follows the number on a page ("B" for bytes). ``better`` says which direction is better
("higher", "lower") or ``None`` where neither is (a larger die or a higher TDP is not better in itself).

This module imports nothing of ``catalog.models``: the models read their figures from here.
"""

from dataclasses import dataclass

from django.db.models import F, Value
from django.db.models.functions import NullIf
from django.utils.translation import gettext_lazy as _

from catalog import formatting

HIGHER, LOWER = "higher", "lower"

# How a kind of figure is written (see catalog.formatting for each rule).
SI, COUNT, MONEY, PRICE, DATE, DURATION, SCIENTIFIC, PLAIN, PERCENT, CHOICE = (
    "si",
    "count",
    "money",
    "price",
    "date",
    "duration",
    "scientific",
    "plain",
    "percent",
    "choice",
)

# Stored unit -> the symbol written after the number, where they differ.
SYMBOLS = {"byte": "B", "byte/s": "B/s", "byte per FLOP": "B/FLOP", "FLOP per byte": "FLOP/B"}


@dataclass(frozen=True)
class Figure:
    name: str
    label: str  # lazy, translatable
    unit: str  # as stored, SI: "FLOP/s", "byte", "USD per 1M tokens"...
    kind: str  # one of SI, COUNT, MONEY, PRICE, DATE, DURATION, SCIENTIFIC, PLAIN, PERCENT, CHOICE
    better: str | None = None  # HIGHER, LOWER or None
    description: str = ""
    # A ratio of two stored figures (derived metrics): NULL when either is unknown or the divisor is zero.
    numerator: str | None = None
    denominator: str | None = None
    # The word after a count on a page ("tokens"), where the column or row label does not already say it.
    word: str = ""

    @property
    def symbol(self):
        return SYMBOLS.get(self.unit, self.unit)

    @property
    def derived(self):
        return self.numerator is not None

    def format(self, value):
        """The value for people, with its unit. Empty for unknown values."""
        if value is None or value == "":
            return ""
        return formatting.formatted(value, kind=self.kind, unit=self.unit, symbol=self.symbol, word=self.word)

    def header(self):
        """The CSV column name: the API field name, then the stored unit in parentheses ("bf16_flops (FLOP/s)").

        The unit is left out where the name already says it (``memory_bytes``, ``cost_usd``, ``process_nm``),
        for text, choices and dates, so a script finds a column by the text before " (".
        """
        unit = CSV_UNITS.get(self.unit, self.unit)
        if not unit or self.kind in (CHOICE, DATE) or unit.lower() in self.name.lower():
            return self.name
        return f"{self.name} ({unit})"

    def expression(self):
        # Both operands are float columns, so no database does integer division here.
        return F(self.numerator) / NullIf(F(self.denominator), Value(0.0))

    def best(self, values):
        """The best of ``values`` in this figure's direction (None for figures with no better direction)."""
        known = [value for value in values if value is not None]
        if self.better is None or len(known) < 2 or len(set(known)) == 1:
            return None
        return max(known) if self.better == HIGHER else min(known)


# The CSV keeps units ASCII-friendly where a spreadsheet or a script would stumble.
CSV_UNITS = {"mm²": "mm2", "FLOP/s per mm²": "FLOP/s per mm2", "share": "fraction"}


def _figures(*figures):
    return {figure.name: figure for figure in figures}


def throughput(name, label):
    return Figure(name, label, "OP/s" if name == "int8_ops" else "FLOP/s", SI, HIGHER)


# Every stored figure of a chip, in the order the API, the CSV export and the detail page show them.
HARDWARE = _figures(
    Figure("process_nm", _("Process node"), "nm", PLAIN, None),
    Figure("transistors", _("Transistors"), "transistors", COUNT, None),
    Figure("die_area_mm2", _("Die area"), "mm²", PLAIN, None),
    Figure("tdp_watts", _("TDP"), "W", PLAIN, None),
    throughput("fp64_flops", _("FP64 dense peak")),
    throughput("fp32_flops", _("FP32 dense peak")),
    throughput("tf32_flops", _("TF32 dense peak")),
    throughput("bf16_flops", _("BF16/FP16 tensor dense peak")),
    throughput("fp8_flops", _("FP8 dense peak")),
    throughput("int8_ops", _("INT8 dense peak")),
    throughput("fp4_flops", _("FP4 dense peak")),
    Figure("memory_bytes", _("Memory"), "byte", SI, HIGHER),
    Figure("memory_type", _("Memory type"), "", CHOICE, None),
    Figure("memory_bandwidth", _("Memory bandwidth"), "byte/s", SI, HIGHER),
    Figure("sram_bytes", _("On-chip SRAM"), "byte", SI, HIGHER),
    Figure("interconnect_bandwidth", _("Interconnect bandwidth"), "byte/s", SI, HIGHER),
    Figure("launch_price_usd", _("Launch price"), "USD", MONEY, LOWER),
)

# The hardware ratios: the API, the comparisons and the charts all read these.
# Throughput is dense BF16/FP16 tensor FLOP/s, the precision training and most serving run at.
DERIVED = _figures(
    Figure(
        "bf16_flops_per_watt",
        _("Energy efficiency"),
        "FLOP/s per W",
        SI,
        HIGHER,
        _("Dense BF16 FLOP/s per watt of TDP."),
        "bf16_flops",
        "tdp_watts",
    ),
    Figure(
        "bf16_flops_per_mm2",
        _("Compute density"),
        "FLOP/s per mm²",
        SI,
        HIGHER,
        _("Dense BF16 FLOP/s per mm² of die."),
        "bf16_flops",
        "die_area_mm2",
    ),
    Figure(
        "bytes_per_flop",
        _("Memory bandwidth per FLOP"),
        "byte per FLOP",
        PLAIN,
        None,
        _("Off-chip memory bandwidth divided by dense BF16 FLOP/s."),
        "memory_bandwidth",
        "bf16_flops",
    ),
    Figure(
        "ridge_point",
        _("Roofline ridge point"),
        "FLOP per byte",
        PLAIN,
        None,
        _("Arithmetic intensity above which a kernel is compute-bound rather than memory-bound."),
        "bf16_flops",
        "memory_bandwidth",
    ),
)

MODEL = _figures(
    Figure("parameters", _("Parameters"), "parameters", COUNT, None),
    Figure("active_parameters", _("Active parameters"), "parameters", COUNT, None),
    Figure("training_tokens", _("Training tokens"), "tokens", COUNT, None),
    Figure("training_compute_flop", _("Training compute"), "FLOP", SCIENTIFIC, None),
    Figure("context_length", _("Context length"), "tokens", COUNT, HIGHER, word=_("tokens")),
    Figure("layers", _("Layers"), "", COUNT, None),
    Figure("hidden_size", _("Hidden size"), "", COUNT, None),
    Figure("attention_heads", _("Attention heads"), "", COUNT, None),
    Figure("kv_heads", _("Key/value heads"), "", COUNT, None),
)

# Per-token prices keep the digits the provider quotes; instance prices too (see catalog.formatting.price).
PRICES = _figures(
    Figure("input_per_mtok", _("Input"), "USD per 1M tokens", PRICE, LOWER),
    Figure("output_per_mtok", _("Output"), "USD per 1M tokens", PRICE, LOWER),
    Figure("cached_input_per_mtok", _("Cached input"), "USD per 1M tokens", PRICE, LOWER),
    # Blended and per-chip prices are worked out, not quoted: money to meaningful digits, like any amount.
    Figure("blended_per_mtok", _("Blended"), "USD per 1M tokens", MONEY, LOWER),
    Figure("price_per_hour", _("Instance price per hour"), "USD per hour", PRICE, LOWER),
    Figure("price_per_accelerator_hour", _("Price per chip-hour"), "USD per hour", MONEY, LOWER),
    Figure("last_checked_on", _("Last checked"), "date", DATE, None),
    Figure("effective_from", _("From"), "date", DATE, None),
    Figure("effective_to", _("Until"), "date", DATE, None),
)

TRAINING = _figures(
    Figure("chip_count", _("Chips"), "chips", COUNT, None),
    Figure("duration_hours", _("Duration"), "h", DURATION, None),
    Figure("run_compute_flop", _("Compute"), "FLOP", SCIENTIFIC, None),
    Figure("utilization", _("Utilization"), "share", PERCENT, HIGHER),
    Figure("cost_usd", _("Cost"), "USD", MONEY, LOWER),
)

# What the estimators compute (catalog.estimators): the pages and the working read these.
ESTIMATES = _figures(
    Figure("bytes", _("Memory"), "byte", SI, None),
    Figure("byte_rate", _("Bandwidth"), "byte/s", SI, HIGHER),
    Figure("flop_rate", _("Compute"), "FLOP/s", SI, HIGHER),
    Figure("flop", _("Compute"), "FLOP", SCIENTIFIC, None),
    Figure("tokens_per_s", _("Tokens per second"), "tokens/s", SI, HIGHER, word=_("tokens/s")),
    Figure("usd", _("Cost"), "USD", MONEY, LOWER),
    Figure("usd_per_hour", _("Cost per hour"), "USD per hour", MONEY, LOWER, word=_("per hour")),
    Figure("share", _("Share"), "share", PERCENT, None),
    Figure("chips", _("Chips"), "chips", COUNT, None, word=_("chips")),
    Figure("tokens", _("Tokens"), "tokens", COUNT, None, word=_("tokens")),
    Figure("seconds", _("Time"), "s", DURATION, LOWER),
    # A step that converts to hours says so: it stays in hours (the step before gives the time in days).
    Figure("hours", _("Time in hours"), "h", COUNT, LOWER, word=_("hours")),
    Figure("chip_hours", _("Chip-hours"), "chip-hours", COUNT, None, word=_("chip-hours")),
    Figure("ratio", _("Ratio"), "×", PLAIN, None),
)

# The unit codes of the estimators' working steps (catalog.estimators) -> the figure each is written as.
ESTIMATE_UNITS = {
    "B": "bytes",
    "B/s": "byte_rate",
    "FLOP/s": "flop_rate",
    "FLOP": "flop",
    "tokens/s": "tokens_per_s",
    "USD": "usd",
    "USD/h": "usd_per_hour",
    "share": "share",
    "chips": "chips",
    "tokens": "tokens",
    "s": "seconds",
    "h": "hours",
    "chip-hours": "chip_hours",
    "×": "ratio",
}

GENERAL = _figures(Figure("release_date", _("Release date"), "date", DATE, None))

FIGURES = {**GENERAL, **HARDWARE, **DERIVED, **MODEL, **PRICES, **TRAINING, **ESTIMATES}
# The figures a list endpoint's CSV names with their unit: stored and derived catalog fields, not estimator outputs.
CSV_FIGURES = {**HARDWARE, **DERIVED, **MODEL, **PRICES, **TRAINING}

# Stored chip figure -> its unit, in display order (the API, the CSV and the detail page); "choice" for a choice.
HARDWARE_FIGURES = {name: figure.unit or figure.kind for name, figure in HARDWARE.items()}
HARDWARE_NUMBERS = [name for name, figure in HARDWARE.items() if figure.kind != CHOICE]
DERIVED_METRICS = DERIVED


def figure(name):
    return FIGURES[name]


def csv_header(field):
    """A CSV column for an API field: "bf16_flops (FLOP/s)" for a registered figure, the field name otherwise."""
    registered = CSV_FIGURES.get(field)
    return registered.header() if registered else field


def format_figure(name, value):
    """Any figure, formatted the one way the site writes it ("989 TFLOP/s", "$1.52M", "179 days")."""
    return FIGURES[name].format(value)


def format_estimate(value, unit):
    """An estimator's value by its step unit ("B", "h", "USD"...); a unit-less value with an SI prefix."""
    name = ESTIMATE_UNITS.get(unit)
    if name is None:
        return formatting.si(value)
    return FIGURES[name].format(value)
