"""Figures as pure functions: rows in, a plotly Figure out. Pages hand ``figure_json`` to the browser.

Every string that comes from the database is HTML-escaped before it reaches a figure: plotly renders a
small HTML subset in names, hover text and labels. Numbers stay in SI units; axes say which, and log axes
label their decades (``catalog.chart_style``). Hover text formats values the one way the site does
(``catalog.figures``). A vendor or organization has one colour on every chart. Titles, axis labels and
hover text are translated at call time; rows show their ``display_name`` (the Korean name on Korean pages).
Token prices have their own module, ``catalog.price_charts``; the compare page's score charts,
``catalog.compare_charts``.
"""

import datetime
import math
from dataclasses import dataclass

import plotly.graph_objects as go
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.chart_style import (
    DASHES,
    LEGEND_OUTSIDE,
    colour_for,
    count_label,
    exponent_label,
    log_axis,
    plain_label,
    si_label,
)
from catalog.choices import HardwareKind
from catalog.estimators.trend import log_linear_fit
from catalog.figures import DERIVED_METRICS, FIGURES, HARDWARE_FIGURES
from catalog.formatting import country_name

# Kept for the benchmark figures (catalog.benchmarking.charts), whose units take SI prefixes.
LOG_AXIS = {"type": "log", "exponentformat": "SI"}
BASE_LAYOUT = {
    "template": "plotly_white",
    "margin": {"l": 70, "r": 20, "t": 30, "b": 50},
    "hovermode": "closest",
    "legend": LEGEND_OUTSIDE,
    "font": {"family": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"},
}
# Vendors drawn in their own colour on a scatter; the rest share one grey series.
MAX_VENDOR_SERIES = 10
OTHER_COLOUR = "#9e9e9e"


def figure_json(figure):
    """The figure as plain JSON-ready data for ``json_script`` (no plotly types, no numpy)."""
    return figure.to_plotly_json()


def layout(**overrides):
    return {**BASE_LAYOUT, **overrides}


def name_of(row):
    """A row's name for a figure, escaped: its display name where it has one (rows or plain stand-ins)."""
    return escape(getattr(row, "display_name", None) or row.name)


def shown(name, value):
    """A value as the site writes it (``catalog.figures``), escaped for a plotly label."""
    return escape(FIGURES[name].format(value)) if value is not None else _("unknown")


def year_fraction(date):
    start = datetime.date(date.year, 1, 1)
    return date.year + (date - start).days / 365.25


def by_vendor(chips, *, limit=None):
    """Chips grouped by vendor, largest group first; past ``limit`` vendors the rest share key None."""
    groups, vendors = {}, {}
    for chip in chips:
        key = getattr(chip.vendor, "pk", None) or getattr(chip.vendor, "slug", None) or chip.vendor.name
        vendors[key] = chip.vendor
        groups.setdefault(key, []).append(chip)
    ranked = sorted(
        ((vendors[key], rows) for key, rows in groups.items()),
        key=lambda item: (-len(item[1]), name_of(item[0]).lower()),
    )
    if limit is None or len(ranked) <= limit:
        return ranked
    others = [chip for _vendor, rows in ranked[limit - 1 :] for chip in rows]
    return [*ranked[: limit - 1], (None, others)]


def vendor_look(vendor):
    """Name and colour of a vendor series (None: the "other vendors" series)."""
    if vendor is None:
        return _("Other vendors"), OTHER_COLOUR
    return name_of(vendor), colour_for(vendor)


# ------------------------------------------------------------------------------------------ Moore's law


LOG10_2 = math.log10(2)


@dataclass(frozen=True)
class ExponentialFit:
    doubling_years: float
    start_year: float
    end_year: float
    intercept: float  # log2(transistors) at year 0 of the fit line
    slope: float  # doublings per year

    def at(self, year):
        return 2 ** (self.intercept + self.slope * year)


def fit_doubling_time(points):
    """Least-squares line through (year, log count) (``log_linear_fit``); None with fewer than 3 points or no
    growth."""
    points = [(year, count) for year, count in points if count and count > 0]
    fit = log_linear_fit(points) if len(points) >= 3 else None
    if fit is None or fit.slope <= 0:
        return None
    doublings = fit.slope / LOG10_2  # log10 per year -> log2 per year
    return ExponentialFit(1 / doublings, fit.start_year, fit.end_year, fit.intercept / LOG10_2, doublings)


def moores_law(chips, *, fit_rows=None):
    """Transistors per chip against release date, one colour per vendor (CPUs as squares, AI chips as
    circles), and a fitted doubling line for CPUs and for accelerators.

    ``fit_rows``: (release_date, transistors, kind) of every chip, when ``chips`` is a sample of them
    (``catalog.thinning``): the fits use every chip, the markers only the sample."""
    cpus, accelerators = _("Microprocessors (CPU)"), _("AI accelerators")
    dated = [chip for chip in chips if chip.transistors and chip.release_date]
    if fit_rows is None:
        fit_rows = [(chip.release_date, chip.transistors, chip.kind) for chip in dated]
    fit_rows = [(date, count, kind) for date, count, kind in fit_rows if count and date]
    figure = go.Figure()
    for vendor, rows in by_vendor(dated, limit=MAX_VENDOR_SERIES):
        name, colour = vendor_look(vendor)
        figure.add_trace(
            go.Scatter(
                x=[chip.release_date.isoformat() for chip in rows],
                y=[chip.transistors for chip in rows],
                mode="markers",
                name=name,
                marker={
                    "color": colour,
                    "size": 9,
                    "opacity": 0.85,
                    "symbol": ["square" if chip.kind == HardwareKind.CPU else "circle" for chip in rows],
                    "line": {"width": 0.5, "color": "#333"},
                },
                text=[name_of(chip) for chip in rows],
                customdata=[
                    [name_of(chip.vendor), count_label(chip.transistors), chip.process_nm or "?"] for chip in rows
                ],
                hovertemplate="<b>%{text}</b><br>%{customdata[0]}, %{x|%Y-%m}<br>"
                + _("Transistors")
                + ": %{customdata[1]}<br>"
                + _("Process node")
                + ": %{customdata[2]} nm<extra></extra>",
            )
        )
    fits = {}
    for series, rows, colour in (
        (cpus, [row for row in fit_rows if row[2] == HardwareKind.CPU], "#555555"),
        (accelerators, [row for row in fit_rows if row[2] != HardwareKind.CPU], "#d62728"),
    ):
        if not rows:
            continue
        fit = fit_doubling_time([(year_fraction(date), count) for date, count, _kind in rows])
        fits[series] = fit
        if fit:
            start, end = math.floor(fit.start_year), math.ceil(fit.end_year)
            label = _("%(series)s: doubling every %(years).1f years") % {"series": series, "years": fit.doubling_years}
            figure.add_trace(
                go.Scatter(
                    x=[f"{start}-01-01", f"{end}-01-01"],
                    y=[fit.at(start), fit.at(end)],
                    mode="lines",
                    line={"color": colour, "dash": "dot", "width": 2},
                    name=label,
                    hoverinfo="skip",
                )
            )
    figure.update_layout(
        layout(
            xaxis={"title": _("Release date")},
            yaxis=log_axis(
                [chip.transistors for chip in dated], count_label, title=_("Transistors per chip (log scale)")
            ),
        )
    )
    return figure, fits


# ----------------------------------------------------------------------------------- vendor comparison

VENDOR_METRICS = {
    field: (label, HARDWARE_FIGURES[field])
    for field, label in {
        "bf16_flops": gettext_lazy("Dense BF16/FP16 throughput"),
        "fp8_flops": gettext_lazy("Dense FP8 throughput"),
        "int8_ops": gettext_lazy("Dense INT8 throughput"),
        "memory_bytes": gettext_lazy("Memory capacity"),
        "memory_bandwidth": gettext_lazy("Memory bandwidth"),
        "tdp_watts": gettext_lazy("TDP"),
    }.items()
}
# A metric spanning more than this ratio goes on a log axis, so the smallest chips stay visible.
LOG_SPAN = 30
BAR_HEIGHT_PX = 22


def vendor_comparison(chips, metric):
    """Horizontal bars, one per chip holding ``metric``, largest on top, coloured by vendor.

    The chart grows with the number of chips (``layout.height``) so every name stays readable.
    """
    label, unit = VENDOR_METRICS[metric]
    rows = sorted((chip for chip in chips if getattr(chip, metric)), key=lambda chip: getattr(chip, metric))
    values = [getattr(chip, metric) for chip in rows]
    figure = go.Figure()
    for vendor, vendor_rows in by_vendor(rows):
        name, colour = vendor_look(vendor)
        figure.add_trace(
            go.Bar(
                orientation="h",
                y=[name_of(chip) for chip in vendor_rows],
                x=[getattr(chip, metric) for chip in vendor_rows],
                name=name,
                marker={"color": colour},
                customdata=[
                    [
                        shown(metric, getattr(chip, metric)),
                        chip.release_date.year if chip.release_date else "?",
                        chip.confidence,
                    ]
                    for chip in vendor_rows
                ],
                hovertemplate=f"<b>%{{y}}</b> ({name})<br>%{{customdata[0]}}<br>"
                + _("Released")
                + ": %{customdata[1]}, %{customdata[2]}<extra></extra>",
            )
        )
    logarithmic = bool(values) and max(values) / min(values) > LOG_SPAN
    title = f"{label} ({unit})" + (" " + _("(log scale)") if logarithmic else "")
    xaxis = log_axis(values, si_label, title=title) if logarithmic else {"title": title, "exponentformat": "SI"}
    figure.update_layout(
        layout(
            xaxis={**xaxis, "automargin": True, "side": "top" if len(rows) > 25 else "bottom"},
            yaxis={
                "categoryorder": "array",
                "categoryarray": [name_of(chip) for chip in rows],
                "automargin": True,
                "tickfont": {"size": 11},
            },
            barmode="overlay",
            bargap=0.25,
            height=max(360, 120 + BAR_HEIGHT_PX * len(rows)),
            meta={"logarithmic": logarithmic},
        )
    )
    return figure


# ---------------------------------------------------------------------------- power, performance, area


def ppa_coverage(chips):
    """How many chips the PPA chart draws, and why the others are left out (a chip may lack several)."""
    coverage = {"drawn": 0, "left_out": 0, "no_die_area": 0, "no_power": 0, "no_throughput": 0}
    for chip in chips:
        if chip.bf16_flops_per_watt and chip.bf16_flops_per_mm2:
            coverage["drawn"] += 1
            continue
        coverage["left_out"] += 1
        coverage["no_die_area"] += not chip.die_area_mm2
        coverage["no_power"] += not chip.tdp_watts
        coverage["no_throughput"] += not chip.bf16_flops
    return coverage


def ppa(chips):
    """FLOP/s per watt against FLOP/s per mm², marker area by transistor count, one colour per vendor.

    Chips must come from ``Hardware.objects.with_derived_metrics()``; those missing either ratio are left
    out (``ppa_coverage`` counts them for the page).
    """
    drawn = [chip for chip in chips if chip.bf16_flops_per_watt and chip.bf16_flops_per_mm2]
    largest = max((chip.transistors or 0 for chip in drawn), default=0) or 1
    figure = go.Figure()
    for vendor, rows in by_vendor(drawn):
        name, colour = vendor_look(vendor)
        figure.add_trace(
            go.Scatter(
                x=[chip.bf16_flops_per_mm2 for chip in rows],
                y=[chip.bf16_flops_per_watt for chip in rows],
                mode="markers",
                name=name,
                marker={
                    "color": colour,
                    "size": [8 + 32 * math.sqrt((chip.transistors or 0) / largest) for chip in rows],
                    "opacity": 0.75,
                    "line": {"width": 1, "color": "#333"},
                },
                text=[name_of(chip) for chip in rows],
                customdata=[
                    [
                        shown("bf16_flops_per_mm2", chip.bf16_flops_per_mm2),
                        shown("bf16_flops_per_watt", chip.bf16_flops_per_watt),
                        count_label(chip.transistors) if chip.transistors else "?",
                        chip.process_nm or "?",
                    ]
                    for chip in rows
                ],
                hovertemplate="<b>%{text}</b><br>%{customdata[0]}<br>%{customdata[1]}<br>"
                + _("Transistors")
                + ": %{customdata[2]}, %{customdata[3]} nm<extra></extra>",
            )
        )
    figure.update_layout(
        layout(
            xaxis=log_axis(
                [chip.bf16_flops_per_mm2 for chip in drawn],
                si_label,
                title=_("Performance per area (%(unit)s)") % {"unit": DERIVED_METRICS["bf16_flops_per_mm2"].unit},
            ),
            yaxis=log_axis(
                [chip.bf16_flops_per_watt for chip in drawn],
                si_label,
                title=_("Performance per watt (%(unit)s)") % {"unit": DERIVED_METRICS["bf16_flops_per_watt"].unit},
            ),
        )
    )
    return figure


# ------------------------------------------------------------------------------------------- roofline

BYTES_PER_BF16_WEIGHT = 2


@dataclass(frozen=True)
class Workload:
    label: str
    intensity: float  # FLOP per byte of memory traffic


def transformer_workloads(model, *, prompt_tokens=2048, batch=1):
    """Arithmetic intensity of a decoder's prefill and decode, counting weight traffic only (BF16 weights).

    Per token the forward pass costs about 2 x active parameters FLOP; every pass reads all weights
    once. Prefill processes the whole prompt per read, decode one token per sequence in the batch.
    Attention and KV-cache traffic are ignored: a lower bound on bytes, so an upper bound on intensity.
    """
    total = model.parameters
    active = model.active_parameters or total
    if not total:
        return []
    per_token = 2 * active / (BYTES_PER_BF16_WEIGHT * total)
    return [
        Workload(_("prefill, %(tokens)s tokens") % {"tokens": prompt_tokens}, per_token * prompt_tokens * batch),
        Workload(_("decode, batch %(batch)s") % {"batch": batch}, per_token * batch),
    ]


def roofline(chips, workloads=()):
    """Each chip's roofline, min(peak, bandwidth x intensity), and vertical marks for the workloads.

    ``chips``: from ``Hardware.objects.with_roofline()`` (a BF16 peak and a memory bandwidth).
    """
    intensities = [2 ** (exponent / 4) for exponent in range(-24, 57)]  # 1/64 to 16384 FLOP per byte
    figure = go.Figure()
    dashes_used = {}
    for chip in chips:
        ridge = chip.bf16_flops / chip.memory_bandwidth
        xs = sorted({*intensities, ridge})
        colour = colour_for(chip.vendor)
        dash = DASHES[dashes_used.get(colour, 0) % len(DASHES)]  # two chips of one vendor: same colour
        dashes_used[colour] = dashes_used.get(colour, 0) + 1
        peak = shown("bf16_flops", chip.bf16_flops)
        bandwidth = shown("memory_bandwidth", chip.memory_bandwidth)
        figure.add_trace(
            go.Scatter(
                x=xs,
                y=[min(chip.bf16_flops, chip.memory_bandwidth * x) for x in xs],
                mode="lines",
                line={"color": colour, "dash": dash, "width": 2.5},
                name=name_of(chip),
                hovertemplate=f"<b>{name_of(chip)}</b><br>%{{x:.3g}} FLOP/byte → %{{y:.3s}}FLOP/s<br>"
                + _("Peak")
                + f": {peak}, {bandwidth}<br>"
                + _("Ridge point")
                + f": {ridge:.0f} FLOP/byte<extra></extra>",
            )
        )
    # Workloads as vertical line traces rather than layout shapes: on a log axis plotly places shape
    # annotations in log10 units, and a trace also gets a legend entry and a hover label.
    peaks = [chip.bf16_flops for chip in chips] or [1e15]
    low, high = min(chip.memory_bandwidth * intensities[0] for chip in chips) if chips else 1e11, max(peaks)
    for workload, dash in zip(workloads, ("dot", "dash", "dashdot", "longdash"), strict=False):
        figure.add_trace(
            go.Scatter(
                x=[workload.intensity, workload.intensity],
                y=[low, high],
                mode="lines",
                line={"dash": dash, "color": "#444"},
                name=escape(workload.label),
                hovertemplate=f"{escape(workload.label)}: %{{x:.3g}} FLOP per byte<extra></extra>",
            )
        )
    figure.update_layout(
        layout(
            xaxis=log_axis(
                [intensities[0], intensities[-1]], plain_label, title=_("Arithmetic intensity (FLOP per byte)")
            ),
            yaxis=log_axis([low, high], si_label, title=_("Attainable dense BF16 throughput (FLOP/s)")),
        )
    )
    return figure


# ---------------------------------------------------------------------------------------- model scale

SCALE_METRICS = {
    "parameters": gettext_lazy("Parameters"),
    "training_compute_flop": gettext_lazy("Training compute (FLOP)"),
}
SCALE_LABELS = {"parameters": count_label, "training_compute_flop": exponent_label}


def model_scale(models, metric="parameters"):
    """``metric`` against release date on a log axis, one series per country (named in the reader's
    language), organizations and training hardware on hover.

    Models need their organizations and training runs (with hardware) prefetched.
    """
    by_country = {}
    for model in models:
        if getattr(model, metric) and model.release_date:
            organizations = list(model.organizations.all())
            country = organizations[0].country if organizations else ""
            by_country.setdefault(country, []).append((model, organizations))
    figure = go.Figure()
    label = SCALE_LABELS[metric]
    for country, rows in sorted(by_country.items(), key=lambda item: country_name(item[0])):
        figure.add_trace(
            go.Scatter(
                x=[model.release_date.isoformat() for model, _orgs in rows],
                y=[getattr(model, metric) for model, _orgs in rows],
                mode="markers",
                name=escape(country_name(country)),
                marker={"size": 9, "opacity": 0.8, "color": colour_for(f"country-{country}")},
                text=[name_of(model) for model, _orgs in rows],
                customdata=[
                    [
                        ", ".join(name_of(org) for org in organizations),
                        escape(training_hardware(model)),
                        shown(metric, getattr(model, metric)),
                    ]
                    for model, organizations in rows
                ],
                hovertemplate="<b>%{text}</b><br>%{customdata[0]}<br>%{x|%Y-%m}: %{customdata[2]}<br>"
                + _("Trained on")
                + ": %{customdata[1]}<extra></extra>",
            )
        )
    values = [getattr(model, metric) for rows in by_country.values() for model, _orgs in rows]
    figure.update_layout(
        layout(
            xaxis={"title": _("Release date")},
            yaxis=log_axis(values, label, title=_("%(metric)s (log scale)") % {"metric": SCALE_METRICS[metric]}),
        )
    )
    return figure


def training_hardware(model):
    runs = [run for run in model.training_runs.all() if run.hardware_id]
    if not runs:
        return _("not recorded")
    return "; ".join(
        f"{run.chip_count or '?'} x {getattr(run.hardware, 'display_name', run.hardware.name)}" for run in runs
    )


# -------------------------------------------------------------------------------------------- compare
