"""Benchmark figures as pure functions: runs and results in, a plotly Figure out.

Measured values and roofline estimates never share a look: estimates are hatched and say so in their
names and hover text. Strings from the database are escaped, as in ``catalog.charts``. Every figure keeps
its legend above the plot (never over an axis's labels), gives each backend one colour across the page,
and writes its hover figures the site's one way (``catalog.figures``).
"""

import datetime
import math
import textwrap

import plotly.graph_objects as go
from django.utils.html import escape
from django.utils.translation import gettext as _

from catalog.benchmark.roofline import arithmetic_intensity, prefill_bound
from catalog.charts import layout
from catalog.figures import format_figure
from catalog.formatting import si

MS = 1e3
ESTIMATE_PATTERN = "/"
# A run's page shows several charts: each is short enough to read beside the others.
COMPACT_HEIGHT = 360
# Horizontal, above the plotting area: plotly makes room for it, so it cannot cover tick labels or titles.
LEGEND_ABOVE = {"orientation": "h", "x": 0, "xanchor": "left", "y": 1.02, "yanchor": "bottom"}
# The runs chart's time axis spans at least this much: one run (or a morning's runs) would otherwise draw
# an axis a few milliseconds or seconds wide, its ticks reading like a stopwatch.
MIN_TIME_SPAN = datetime.timedelta(days=4)
# One colour per backend on every benchmark chart (CUDA draws the same colour, its traces dashed or marked).
BACKEND_COLOURS = {"numpy": "#4c72b0", "onnxruntime": "#dd8452", "torch": "#55a868"}
OTHER_COLOUR = "#8172b3"
# The catalog comparison's two phases (its bars are per chip, not per backend).
PHASE_COLOURS = {"generation": "#c44e52", "prefill": "#64b5cd"}
DECADE = 10


def backend_colour(backend):
    return BACKEND_COLOURS.get(backend, OTHER_COLOUR)


STEPS = (1, 2, 5)


def log_ticks(low, high):
    """Tick values for a log axis from ``low`` to ``high``: every decade over two decades or more, else 1-2-5 steps.

    The ends are widened to the next tick outside the data, so the data never touches the frame.
    """
    decades = range(math.floor(math.log10(low)), math.ceil(math.log10(high)) + 1)
    steps = (1,) if math.log10(high / low) >= 2 else STEPS
    ticks = [step * 10.0**decade for decade in decades for step in steps]
    below = [tick for tick in ticks if tick <= low]
    above = [tick for tick in ticks if tick >= high]
    first, last = (below[-1] if below else ticks[0]), (above[0] if above else ticks[-1])
    return [tick for tick in ticks if first <= tick <= last]


def value_axis(values, title, *, unit_prefixes=True):
    """A logarithmic axis when the values span a decade or more, else a linear one from zero.

    Spanning a factor of ten, an interval always holds a power of ten, so a log axis carries a decade label;
    every tick is written in full ("20k", "50k", "100k"; "0.5", "1", "2" for milliseconds, which take no SI
    prefix), never plotly's small minor digits ("2 … 5") that read as another decade. Over a narrower range,
    linear ticks from zero read better.
    """
    positive = [value for value in values if value and value > 0]
    if positive and max(positive) >= DECADE * min(positive):
        ticks = log_ticks(min(positive), max(positive))
        text = [si(tick) if unit_prefixes else f"{tick:,.12g}" for tick in ticks]
        return {
            "type": "log",
            "tickvals": ticks,
            "ticktext": text,
            "range": [math.log10(ticks[0]), math.log10(ticks[-1])],
            "title": _("%(title)s, log scale") % {"title": title},
        }
    exponentformat = "SI" if unit_prefixes else "none"
    return {"type": "linear", "exponentformat": exponentformat, "rangemode": "tozero", "title": title}


def compact(**overrides):
    return layout(height=COMPACT_HEIGHT, margin={"l": 60, "r": 10, "t": 30, "b": 50}, legend=LEGEND_ABOVE, **overrides)


def by_key(items, key):
    groups = {}
    for item in items:
        groups.setdefault(key(item), []).append(item)
    return groups


# ------------------------------------------------------------------------------------------ across runs


def utc_text(moment):
    """A plotly date string: UTC, without an offset (plotly.js has no time zones)."""
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%d %H:%M:%S")


def time_range(moments):
    """The runs chart's x range: the runs' own span, widened about its middle to at least ``MIN_TIME_SPAN``."""
    first, last = min(moments), max(moments)
    if last - first >= MIN_TIME_SPAN:
        return None  # plotly's own range, with its margin
    middle = first + (last - first) / 2
    return [utc_text(middle - MIN_TIME_SPAN / 2), utc_text(middle + MIN_TIME_SPAN / 2)]


PRESET_SYMBOLS = ("circle", "diamond", "square", "triangle-up")


def runs_over_time(rates):
    """Best generation tokens/s of each run, one series per preset and backend/device.

    ``rates``: rows of ``BenchmarkResult.objects.best_generation_rates()``, oldest run first. The time
    axis spans at least ``MIN_TIME_SPAN``, so one run is a dot in the middle of a few days, not a
    stopwatch; colours follow the backend, marker shapes the preset.
    """
    figure = go.Figure()
    presets = sorted({row["run__preset"] for row in rates})
    for (preset, backend, device), rows in sorted(
        by_key(rates, lambda row: (row["run__preset"], row["backend"], row["device"])).items()
    ):
        name = escape(f"{preset}: {backend}/{device}")
        figure.add_trace(
            go.Scatter(
                x=[utc_text(row["run__started_at"]) for row in rows],
                y=[row["best"] for row in rows],
                mode="lines+markers",
                name=name,
                line={"color": backend_colour(backend), "dash": "dash" if device != "cpu" else "solid"},
                marker={"size": 9, "symbol": PRESET_SYMBOLS[presets.index(preset) % len(PRESET_SYMBOLS)]},
                customdata=[
                    [
                        row["run_id"],
                        escape(row["run__cpu_model"]),
                        _("quick") if row["run__quick"] else _("full"),
                        format_figure("tokens_per_s", row["best"]),
                    ]
                    for row in rows
                ],
                hovertemplate=f"<b>{name}</b><br>"
                + _("Run")
                + " %{customdata[0]} (%{customdata[2]}), %{x|%Y-%m-%d %H:%M} UTC<br>%{customdata[1]}<br>"
                + "%{customdata[3]}<extra></extra>",
            )
        )
    best = [row["best"] for row in rates]
    xaxis = {"title": _("Run started (UTC)")}
    if rates:
        xaxis["range"] = time_range([row["run__started_at"] for row in rates])
    figure.update_layout(
        layout(
            height=COMPACT_HEIGHT + 60,
            legend=LEGEND_ABOVE,
            xaxis=xaxis,
            yaxis=value_axis(best, _("Best generation tokens/s")),
        )
    )
    return figure


# ----------------------------------------------------------------------------------------- one run


def latency_samples(result, metric):
    """Every raw sample of ``metric`` ("itl" or "ttft") for one result, in milliseconds."""
    if metric == "itl":
        return [value * MS for repetition in result.samples.get("itl_s", []) for value in repetition]
    return [value * MS for value in result.samples.get("ttft_s", [])]


def shape_label(result, *, with_generated):
    """A configuration without its backend, short enough for a category axis: ``b1 p128`` (``b1 p128 g32``)."""
    label = f"b{result.batch_size} p{result.prompt_tokens}"
    return f"{label} g{result.generated_tokens}" if with_generated else label


def latency_distribution(results, metric):
    """Boxes over every raw sample: inter-token latency ("itl") or time to first token ("ttft").

    One trace per backend/device (its colour), one box per batch and prompt length within it, side by side.
    """
    title = {"itl": _("Inter-token latency (ms)"), "ttft": _("Time to first token (ms)")}[metric]
    with_generated = len({result.generated_tokens for result in results}) > 1
    ordered = sorted(results, key=lambda r: (r.batch_size, r.prompt_tokens, r.generated_tokens))
    categories = list(dict.fromkeys(shape_label(result, with_generated=with_generated) for result in ordered))
    figure = go.Figure()
    everything = []
    for (backend, device), rows in sorted(by_key(ordered, lambda r: (r.backend, r.device)).items()):
        xs, ys = [], []
        for result in rows:
            samples = latency_samples(result, metric)
            xs += [shape_label(result, with_generated=with_generated)] * len(samples)
            ys += samples
        if not ys:
            continue
        everything += ys
        name = escape(f"{backend}/{device}")
        figure.add_trace(
            go.Box(
                x=xs,
                y=ys,
                name=name,
                marker={"color": backend_colour(backend)},
                line={"width": 1.5},
                boxpoints="outliers",
                # Three significant digits, no exponent, in milliseconds (12.1 ms, 0.734 ms, 1,230 ms).
                hovertemplate=f"<b>{name}</b> %{{x}}<br>%{{y:,.3~r}} ms<extra></extra>",
            )
        )
    figure.update_layout(
        compact(
            boxmode="group",
            xaxis={
                "title": _("Batch (b) and prompt tokens (p)"),
                "type": "category",
                "categoryorder": "array",
                "categoryarray": categories,
                "automargin": True,
            },
            # Milliseconds take no SI prefix: "0.1" ms, never "100m" ms.
            yaxis=value_axis(everything, title, unit_prefixes=False),
        )
    )
    return figure


def rates_by_prompt_length(results):
    """Prefill and generation tokens/s against prompt length, per backend/device, batch and generated tokens.

    Prefill is solid and generation dashed (the caption says so); one legend entry per backend and batch
    toggles both, so the legend stays short enough for a phone.
    """
    figure = go.Figure()
    groups = by_key(results, lambda r: (r.backend, r.device, r.batch_size, r.generated_tokens))
    several_lengths = len({generated for *_first, generated in groups}) > 1
    batches = sorted({batch for _backend, _device, batch, _generated in groups})
    for (backend, device, batch, generated), rows in sorted(groups.items()):
        rows = sorted(rows, key=lambda result: result.prompt_tokens)
        words = {"backend": backend, "device": device, "batch": batch, "generated": generated}
        label = escape(
            _("%(backend)s/%(device)s, batch %(batch)s, %(generated)s generated") % words
            if several_lengths
            else _("%(backend)s/%(device)s, batch %(batch)s") % words
        )
        for phase, attribute, dash in (
            (_("prefill"), "prefill_tokens_per_s", "solid"),
            (_("generation"), "generation_tokens_per_s", "dash"),
        ):
            values = [getattr(result, attribute) for result in rows]
            figure.add_trace(
                go.Scatter(
                    x=[result.prompt_tokens for result in rows],
                    y=values,
                    mode="lines+markers",
                    line={"dash": dash, "color": backend_colour(backend)},
                    marker={"symbol": PRESET_SYMBOLS[batches.index(batch) % len(PRESET_SYMBOLS)], "size": 8},
                    name=label,
                    legendgroup=label,
                    showlegend=dash == "solid",
                    text=[format_figure("tokens_per_s", value) for value in values],
                    hovertemplate=f"<b>{label}</b><br>"
                    + _("Prompt of %(tokens)s tokens, %(generated)s generated")
                    % {"tokens": "%{x}", "generated": generated}
                    + f"<br>{phase}: %{{text}}<extra></extra>",
                )
            )
    rates = [rate for result in results for rate in (result.prefill_tokens_per_s, result.generation_tokens_per_s)]
    figure.update_layout(
        compact(
            # Linear, labelled at the measured lengths (a few, such as 32, 128 and 384): a log axis over them
            # would label no power of ten.
            xaxis={
                "type": "linear",
                "rangemode": "tozero",
                "tickvals": sorted({result.prompt_tokens for result in results}),
                "title": _("Prompt length (tokens)"),
            },
            yaxis=value_axis(rates, _("Tokens/s")),
        )
    )
    return figure


def measured_points(config, result):
    """(phase, arithmetic intensity, achieved FLOP/s) of a result's prefill and, if it decoded, its decode.

    Intensities come from the model's own FLOP and byte counts (as the roofline bounds do); the decode's
    FLOP/s is its intensity times the byte/s it measured.
    """
    prefill = prefill_bound(
        config, prompt_tokens=result.prompt_tokens, batch_size=result.batch_size, peak_flops=1, bandwidth=1
    )
    points = [("prefill", arithmetic_intensity(prefill), result.prefill_flops_per_s)]
    flops, traffic = config.generation_cost(result.prompt_tokens, result.generated_tokens, result.batch_size)
    if traffic:
        points.append(("decode", flops / traffic, flops / traffic * result.decode_bytes_per_s))
    return points


def machine_roofline(run, results, config):
    """This machine's roofline from its measured matmul peak and memory bandwidth, with every measured phase."""
    peak, bandwidth = run.matmul_peak_flops, run.memory_bandwidth
    points = [(result, *point) for result in results for point in measured_points(config, result)]
    phase_labels = {"prefill": _("prefill"), "decode": _("decode")}
    known = [point[2] for point in points if point[2]]
    ridge = peak / bandwidth if bandwidth else 1.0
    low = min([*known, ridge, 1.0]) / 4
    high = max([*known, ridge, 1.0]) * 4
    steps = 64
    xs = sorted({low * (high / low) ** (step / steps) for step in range(steps + 1)} | {ridge})
    figure = go.Figure()
    figure.add_trace(
        go.Scatter(
            x=xs,
            y=[min(peak, bandwidth * x) for x in xs],
            mode="lines",
            line={"color": "#444", "width": 3},
            name=_("This machine's roofline (measured peaks)"),
            text=[format_figure("flop_rate", min(peak, bandwidth * x)) for x in xs],
            hovertemplate="%{x:.3g} FLOP/byte → ≤ %{text}<extra></extra>",
        )
    )
    figure.add_trace(
        go.Scatter(
            x=[low, high],
            y=[peak, peak],
            mode="lines",
            line={"color": "#d62728", "dash": "dot"},
            name=_("Measured matmul peak: %(peak)s") % {"peak": format_figure("flop_rate", peak)},
            hoverinfo="skip",
        )
    )
    figure.add_trace(
        go.Scatter(
            x=[low, high],
            y=[bandwidth * low, bandwidth * high],
            mode="lines",
            line={"color": "#1f77b4", "dash": "dot"},
            name=_("Measured memory bandwidth: %(bandwidth)s") % {"bandwidth": format_figure("byte_rate", bandwidth)},
            hoverinfo="skip",
        )
    )
    for (backend, device, phase), rows in sorted(by_key(points, lambda p: (p[0].backend, p[0].device, p[1])).items()):
        name = escape(f"{backend}/{device}: {phase_labels[phase]}")
        figure.add_trace(
            go.Scatter(
                x=[point[2] for point in rows],
                y=[point[3] for point in rows],
                mode="markers",
                marker={
                    "size": 10,
                    "color": backend_colour(backend),
                    "symbol": "circle" if phase == "prefill" else "diamond",
                },
                name=name,
                customdata=[
                    [escape(result.configuration), format_figure("flop_rate", achieved)]
                    for result, _phase, _intensity, achieved in rows
                ],
                hovertemplate=f"<b>{name}</b><br>%{{customdata[0]}}<br>%{{x:.3g}} FLOP/byte, %{{customdata[1]}}"
                "<extra></extra>",
            )
        )
    figure.update_layout(
        compact(
            xaxis={"type": "log", "dtick": 1, "title": _("FLOP per byte, log scale")},
            yaxis={
                "type": "log",
                "dtick": 1,
                "exponentformat": "SI",
                "title": _("fp32 FLOP/s, log scale"),
            },
        )
    )
    return figure


LABEL_WIDTH = 22  # characters per line of a bar's label: long chip names wrap instead of squeezing the bars


def wrapped(text):
    """A bar label, escaped, on lines of at most ``LABEL_WIDTH`` characters ("NVIDIA GB200 Grace<br>Blackwell…")."""
    return "<br>".join(escape(line) for line in textwrap.wrap(text, LABEL_WIDTH)) or escape(text)


def catalog_comparison(bounds):
    """This machine's measured tokens/s beside roofline estimates for the same model on the catalog's chips.

    ``bounds``: ``store.catalog_bounds``. Measured bars are solid; every bound is hatched and
    labelled an estimate.
    """
    bars = [
        (
            wrapped(_("This machine, %(backend)s/%(device)s (measured)") % row),
            row,
            "measured",
            _("measured"),
            "",
        )
        for row in bounds["measured"]
    ]
    machine = bounds["this_machine"]
    bars.append(
        (wrapped(_("This machine (roofline bound)")), machine, "bound", _("roofline bound from measured peaks"), "")
    )
    bars += [
        (
            wrapped(_("%(name)s (estimate)") % {"name": chip["name"]}),
            chip,
            "bound",
            _("roofline estimate, %(precision)s datasheet peak") % {"precision": chip["precision"].upper()},
            escape(chip["assumption"]),
        )
        for chip in bounds["hardware"]
    ]
    bars.reverse()  # horizontal bars draw bottom-up: keep this machine at the top
    figure = go.Figure()
    everything = []
    for phase, measured_key, bound_key, colour in (
        (_("generation"), "generation_tokens_per_s", "decode_tokens_per_s", PHASE_COLOURS["generation"]),
        (_("prefill"), "prefill_tokens_per_s", "prefill_tokens_per_s", PHASE_COLOURS["prefill"]),
    ):
        values = [row[measured_key if kind == "measured" else bound_key] for _label, row, kind, *_rest in bars]
        everything += values
        figure.add_trace(
            go.Bar(
                y=[bar[0] for bar in bars],
                x=values,
                orientation="h",
                name=_("%(phase)s tokens/s") % {"phase": phase},
                marker={
                    "color": colour,
                    "pattern": {"shape": ["" if bar[2] == "measured" else ESTIMATE_PATTERN for bar in bars]},
                },
                customdata=[
                    [kind_label, assumption, format_figure("tokens_per_s", value)]
                    for (*_first, kind_label, assumption), value in zip(bars, values, strict=True)
                ],
                hovertemplate=f"<b>%{{y}}</b><br>{phase}: %{{customdata[2]}}<br>%{{customdata[0]}}"
                "<br>%{customdata[1]}<extra></extra>",
            )
        )
    figure.update_layout(
        layout(
            barmode="group",
            height=140 + 40 * len(bars),  # one readable row per bar pair: the page passes a few chips, not all
            margin={"l": 10, "r": 10, "t": 30, "b": 50},
            legend={**LEGEND_ABOVE, "traceorder": "reversed"},
            yaxis={"title": "", "automargin": True},
            # The lengths are in the page's caption: a long title would be cut on a phone.
            xaxis=value_axis(everything, _("Tokens/s")),
        )
    )
    return figure
