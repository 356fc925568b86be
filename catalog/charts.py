"""Figures as pure functions: rows in, a plotly Figure out. Pages hand ``figure_json`` to the browser.

Every string that comes from the database is HTML-escaped before it reaches a figure: plotly renders a
small HTML subset in names, hover text and labels. Numbers stay in SI units; axes say which. Titles, axis
labels and hover text are translated at call time (figures are built per request, in the reader's language);
rows show their ``display_name`` (the Korean name on Korean pages).
"""

import datetime
import math
from dataclasses import dataclass

import plotly.graph_objects as go
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.choices import HardwareKind
from catalog.formatting import si
from catalog.models.hardware import DERIVED_METRICS, HARDWARE_FIGURES

LOG_AXIS = {"type": "log", "exponentformat": "SI"}
BASE_LAYOUT = {
    "template": "plotly_white",
    "margin": {"l": 70, "r": 20, "t": 40, "b": 60},
    "hovermode": "closest",
    "legend": {"orientation": "h", "y": -0.2},
    "font": {"family": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"},
}


def figure_json(figure):
    """The figure as plain JSON-ready data for ``json_script`` (no plotly types, no numpy)."""
    return figure.to_plotly_json()


def layout(**overrides):
    return {**BASE_LAYOUT, **overrides}


def name_of(row):
    """A row's name for a figure, escaped: its display name where it has one (rows or plain stand-ins)."""
    return escape(getattr(row, "display_name", None) or row.name)


def year_fraction(date):
    start = datetime.date(date.year, 1, 1)
    return date.year + (date - start).days / 365.25


# ------------------------------------------------------------------------------------------ Moore's law


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
    """Least-squares line through (year, log2 count); None with fewer than 3 points or no growth."""
    points = [(year, math.log2(count)) for year, count in points if count and count > 0]
    if len(points) < 3:
        return None
    n = len(points)
    mean_x = sum(x for x, _y in points) / n
    mean_y = sum(y for _x, y in points) / n
    spread = sum((x - mean_x) ** 2 for x, _y in points)
    if spread == 0:
        return None
    slope = sum((x - mean_x) * (y - mean_y) for x, y in points) / spread
    if slope <= 0:
        return None
    years = [x for x, _y in points]
    return ExponentialFit(1 / slope, min(years), max(years), mean_y - slope * mean_x, slope)


def moores_law(chips):
    """Transistors per chip against release date, CPUs and accelerators as two series, each with its fit."""
    cpus, accelerators = _("Microprocessors (CPU)"), _("AI accelerators")
    series = {cpus: [], accelerators: []}
    for chip in chips:
        if chip.transistors and chip.release_date:
            series[cpus if chip.kind == HardwareKind.CPU else accelerators].append(chip)
    figure = go.Figure()
    fits = {}
    for (name, rows), colour in zip(series.items(), ("#6c757d", "#d62728"), strict=True):
        if not rows:
            continue
        fit = fit_doubling_time([(year_fraction(chip.release_date), chip.transistors) for chip in rows])
        fits[name] = fit
        label = (
            _("%(series)s: doubling every %(years).1f years") % {"series": name, "years": fit.doubling_years}
            if fit
            else name
        )
        figure.add_trace(
            go.Scatter(
                x=[chip.release_date.isoformat() for chip in rows],
                y=[chip.transistors for chip in rows],
                mode="markers",
                name=label,
                marker={"color": colour, "size": 9, "opacity": 0.8},
                text=[name_of(chip) for chip in rows],
                customdata=[[name_of(chip.vendor), chip.process_nm or "?"] for chip in rows],
                hovertemplate="<b>%{text}</b><br>%{customdata[0]}, %{x|%Y-%m}<br>"
                + _("Transistors")
                + ": %{y:.3s}<br>"
                + _("Process node")
                + ": %{customdata[1]} nm<extra></extra>",
            )
        )
        if fit:
            start, end = math.floor(fit.start_year), math.ceil(fit.end_year)
            figure.add_trace(
                go.Scatter(
                    x=[f"{start}-01-01", f"{end}-01-01"],
                    y=[fit.at(start), fit.at(end)],
                    mode="lines",
                    line={"color": colour, "dash": "dot"},
                    name=_("fit (%(series)s)") % {"series": name},
                    hoverinfo="skip",
                    showlegend=False,
                )
            )
    figure.update_layout(
        layout(
            xaxis={"title": _("Release date")},
            yaxis={**LOG_AXIS, "title": _("Transistors per chip (log scale)")},
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


def vendor_comparison(chips, metric):
    """One bar per chip holding ``metric``, grouped and coloured by vendor, newest last within a vendor."""
    label, unit = VENDOR_METRICS[metric]
    by_vendor = {}
    for chip in chips:
        if getattr(chip, metric) is not None:
            by_vendor.setdefault(name_of(chip.vendor), []).append(chip)
    figure = go.Figure()
    for vendor, rows in sorted(by_vendor.items()):
        figure.add_trace(
            go.Bar(
                x=[name_of(chip) for chip in rows],
                y=[getattr(chip, metric) for chip in rows],
                name=vendor,
                customdata=[[chip.release_date.year if chip.release_date else "?", chip.confidence] for chip in rows],
                hovertemplate=f"<b>%{{x}}</b><br>%{{y:.3s}} {unit}<br>"
                + _("Released")
                + ": %{customdata[0]}, %{customdata[1]}<extra></extra>",
            )
        )
    figure.update_layout(
        layout(
            xaxis={"title": _("Chip"), "tickangle": -45, "automargin": True},
            yaxis={"title": f"{label} ({unit})", "exponentformat": "SI"},
            barmode="group",
        )
    )
    return figure


# ---------------------------------------------------------------------------- power, performance, area


def ppa(chips):
    """FLOP/s per watt against FLOP/s per mm², marker area by transistor count, one series per vendor.

    Chips must come from ``Hardware.objects.with_derived_metrics()``; those missing either ratio are left out.
    """
    by_vendor = {}
    for chip in chips:
        if chip.bf16_flops_per_watt and chip.bf16_flops_per_mm2:
            by_vendor.setdefault(name_of(chip.vendor), []).append(chip)
    largest = max((chip.transistors or 0 for rows in by_vendor.values() for chip in rows), default=0) or 1
    figure = go.Figure()
    for vendor, rows in sorted(by_vendor.items()):
        figure.add_trace(
            go.Scatter(
                x=[chip.bf16_flops_per_mm2 for chip in rows],
                y=[chip.bf16_flops_per_watt for chip in rows],
                mode="markers",
                name=vendor,
                marker={
                    "size": [8 + 32 * math.sqrt((chip.transistors or 0) / largest) for chip in rows],
                    "opacity": 0.75,
                    "line": {"width": 1, "color": "#333"},
                },
                text=[name_of(chip) for chip in rows],
                customdata=[
                    [f"{chip.transistors:.3g}" if chip.transistors else "?", chip.process_nm or "?"] for chip in rows
                ],
                hovertemplate="<b>%{text}</b><br>%{x:.3s} FLOP/s per mm²<br>%{y:.3s} FLOP/s per W<br>"
                + _("Transistors")
                + ": %{customdata[0]}, %{customdata[1]} nm<extra></extra>",
            )
        )
    figure.update_layout(
        layout(
            xaxis={
                **LOG_AXIS,
                "title": _("Performance per area (%(unit)s)") % {"unit": DERIVED_METRICS["bf16_flops_per_mm2"].unit},
            },
            yaxis={
                **LOG_AXIS,
                "title": _("Performance per watt (%(unit)s)") % {"unit": DERIVED_METRICS["bf16_flops_per_watt"].unit},
            },
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
    for chip in chips:
        ridge = chip.bf16_flops / chip.memory_bandwidth
        xs = sorted({*intensities, ridge})
        figure.add_trace(
            go.Scatter(
                x=xs,
                y=[min(chip.bf16_flops, chip.memory_bandwidth * x) for x in xs],
                mode="lines",
                name=name_of(chip),
                hovertemplate=f"<b>{name_of(chip)}</b><br>%{{x:.3g}} FLOP/byte → %{{y:.3s}} FLOP/s<br>"
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
            xaxis={**LOG_AXIS, "title": _("Arithmetic intensity (FLOP per byte)")},
            yaxis={**LOG_AXIS, "title": _("Attainable dense BF16 throughput (FLOP/s)")},
        )
    )
    return figure


# --------------------------------------------------------------------------------------------- prices


def offering_label(price):
    tier = "" if price.context_tier == "standard" else f", {price.context_tier}"
    provider = getattr(price.provider, "display_name", None) or price.provider.name
    return f"{provider}: {price.api_model_id}{tier}"


def price_history(prices, *, today=None):
    """Per offering, input/output/blended USD per 1M tokens as step lines from each period's start.

    A current price is drawn to ``today``; an ended one stops at its ``effective_to``.
    """
    today = today or datetime.date.today()
    offerings = {}
    for price in sorted(prices, key=lambda p: (offering_label(p), p.effective_from)):
        offerings.setdefault(offering_label(price), []).append(price)
    figure = go.Figure()
    for label, periods in offerings.items():
        kinds = (("input", _("input"), "dot"), ("output", _("output"), "dash"), ("blended", _("blended"), "solid"))
        for kind, kind_label, dash in kinds:
            xs, ys = [], []
            for period in periods:
                value = float(getattr(period, "blended_per_mtok" if kind == "blended" else f"{kind}_per_mtok"))
                end = period.effective_to or max(today, period.effective_from)
                if xs and xs[-1] != period.effective_from.isoformat():
                    xs.append(None)  # a gap between periods: break the line
                    ys.append(None)
                xs += [period.effective_from.isoformat(), end.isoformat()]
                ys += [value, value]
            figure.add_trace(
                go.Scatter(
                    x=xs,
                    y=ys,
                    mode="lines",
                    line={"shape": "hv", "dash": dash},
                    name=f"{escape(label)} ({kind_label})",
                    legendgroup=escape(label),
                    # Blended by default; input and output one click away in the legend.
                    visible=True if kind == "blended" else "legendonly",
                    hovertemplate=f"<b>{escape(label)}</b><br>{kind_label}: %{{y:$.4~f}} "
                    + _("per 1M tokens")
                    + "<br>"
                    + _("from")
                    + " %{x}<extra></extra>",
                )
            )
    figure.update_layout(
        layout(
            xaxis={"title": _("Date")},
            yaxis={**LOG_AXIS, "title": _("USD per 1M tokens (log scale)")},
            legend={"orientation": "v"},
        )
    )
    return figure


def cheapest_over_time(prices, *, today=None):
    """At each date a price changed, the lowest blended price in force among ``prices`` and who offered it."""
    today = today or datetime.date.today()
    dates = sorted({p.effective_from for p in prices} | {p.effective_to for p in prices if p.effective_to})
    steps = []
    for date in dates:
        in_force = [price for price in prices if price.in_force_on(date)]
        if in_force:
            best = min(in_force, key=lambda p: p.blended_per_mtok)
            steps.append((date, best))
    return steps, today


def cheapest_price_figure(prices, *, today=None):
    steps, today = cheapest_over_time(prices, today=today)
    xs = [date.isoformat() for date, _best in steps]
    ys = [float(best.blended_per_mtok) for _date, best in steps]
    labels = [escape(f"{name_of(best.model)} ({offering_label(best)})") for _date, best in steps]
    if steps:  # carry the last step to today
        xs, ys, labels = [*xs, today.isoformat()], [*ys, ys[-1]], [*labels, labels[-1]]
    figure = go.Figure(
        go.Scatter(
            x=xs,
            y=ys,
            mode="lines+markers",
            line={"shape": "hv"},
            name=_("cheapest blended price"),
            text=labels,
            hovertemplate="%{x}<br>%{y:$.4~f} " + _("per 1M tokens") + "<br>%{text}<extra></extra>",
        )
    )
    figure.update_layout(
        layout(xaxis={"title": _("Date")}, yaxis={**LOG_AXIS, "title": _("Cheapest blended USD per 1M tokens (log)")})
    )
    return figure


# ---------------------------------------------------------------------------------------- model scale

SCALE_METRICS = {
    "parameters": gettext_lazy("Parameters"),
    "training_compute_flop": gettext_lazy("Training compute (FLOP)"),
}


def model_scale(models, metric="parameters"):
    """``metric`` against release date on a log axis, one series per country, organization and hardware on hover.

    Models need their organizations and training runs (with hardware) prefetched.
    """
    by_country = {}
    for model in models:
        if getattr(model, metric) and model.release_date:
            organizations = list(model.organizations.all())
            country = organizations[0].country if organizations else "?"
            by_country.setdefault(country, []).append((model, organizations))
    figure = go.Figure()
    for country, rows in sorted(by_country.items()):
        figure.add_trace(
            go.Scatter(
                x=[model.release_date.isoformat() for model, _orgs in rows],
                y=[getattr(model, metric) for model, _orgs in rows],
                mode="markers",
                name=escape(country),
                marker={"size": 9, "opacity": 0.8},
                text=[name_of(model) for model, _orgs in rows],
                customdata=[
                    [
                        ", ".join(name_of(org) for org in organizations),
                        escape(training_hardware(model)),
                    ]
                    for model, organizations in rows
                ],
                hovertemplate="<b>%{text}</b><br>%{customdata[0]}<br>%{x|%Y-%m}: %{y:.3s}<br>"
                + _("Trained on")
                + ": %{customdata[1]}<extra></extra>",
            )
        )
    figure.update_layout(
        layout(
            xaxis={"title": _("Release date")},
            yaxis={**LOG_AXIS, "title": _("%(metric)s (log scale)") % {"metric": SCALE_METRICS[metric]}},
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


def relative_bars(subjects, metrics):
    """Grouped bars of each metric relative to the best subject (1.0), real values on hover.

    ``subjects``: names; ``metrics``: (label, unit, values per subject); metrics nobody has are dropped.
    """
    figure = go.Figure()
    for index, name in enumerate(subjects):
        labels, ratios, shown = [], [], []
        for label, unit, values in metrics:
            known = [value for value in values if value]
            if not known:
                continue
            value = values[index]
            labels.append(label)
            ratios.append(value / max(known) if value else None)
            shown.append(si(value, unit) if value else _("unknown"))
        figure.add_trace(
            go.Bar(
                x=labels,
                y=ratios,
                name=escape(name),
                customdata=shown,
                hovertemplate=f"<b>{escape(name)}</b><br>%{{x}}: %{{customdata}}<extra></extra>",
            )
        )
    figure.update_layout(layout(barmode="group", yaxis={"title": _("Relative to the best (1 = best)")}))
    return figure


def hardware_comparison(comparison):
    chips = comparison["hardware"]
    metrics = []
    for metric in comparison["metrics"]:
        values = [entry["value"] for entry in metric["values"]]
        if metric["field"] in ("release_date", "process_nm") or not all(
            isinstance(value, int | float) or value is None for value in values
        ):
            continue  # smaller is better or not a quantity: the table shows them
        metrics.append((metric["label"], metric["unit"], values))
    return relative_bars([getattr(chip, "display_name", chip.name) for chip in chips], metrics)


MODEL_COMPARED = [
    ("parameters", gettext_lazy("Parameters"), ""),
    ("active_parameters", gettext_lazy("Active parameters"), ""),
    ("training_tokens", gettext_lazy("Training tokens"), ""),
    ("training_compute_flop", gettext_lazy("Training compute"), "FLOP"),
    ("context_length", gettext_lazy("Context length"), "tokens"),
]


def model_comparison(models):
    metrics = [(label, unit, [getattr(model, field) for model in models]) for field, label, unit in MODEL_COMPARED]
    return relative_bars([getattr(model, "display_name", model.name) for model in models], metrics)
