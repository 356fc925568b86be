"""Benchmark figures as pure functions: runs and results in, a plotly Figure out.

Measured values and roofline estimates never share a look: estimates are hatched and say so in their
names and hover text. Strings from the database are escaped, as in ``catalog.charts``.
"""

import datetime

import plotly.graph_objects as go
from django.utils.html import escape
from django.utils.translation import gettext as _

from catalog.benchmark.roofline import arithmetic_intensity, prefill_bound
from catalog.charts import LOG_AXIS, layout

MS = 1e3
ESTIMATE_PATTERN = "/"


def by_key(items, key):
    groups = {}
    for item in items:
        groups.setdefault(key(item), []).append(item)
    return groups


# ------------------------------------------------------------------------------------------ across runs


def utc_text(moment):
    """A plotly date string: UTC, without an offset (plotly.js has no time zones)."""
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%d %H:%M:%S")


def runs_over_time(rates):
    """Best generation tokens/s of each run, one series per preset and backend/device.

    ``rates``: rows of ``BenchmarkResult.objects.best_generation_rates()``, oldest run first.
    """
    figure = go.Figure()
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
                customdata=[
                    [row["run_id"], escape(row["run__cpu_model"]), _("quick") if row["run__quick"] else _("full")]
                    for row in rows
                ],
                hovertemplate=f"<b>{name}</b><br>"
                + _("Run")
                + " %{customdata[0]} (%{customdata[2]}), %{x|%Y-%m-%d %H:%M}<br>%{customdata[1]}<br>"
                + "%{y:.3s} tokens/s<extra></extra>",
            )
        )
    figure.update_layout(
        layout(
            xaxis={"title": _("Run started (UTC)")},
            yaxis={**LOG_AXIS, "title": _("Best generation tokens/s (log scale)")},
        )
    )
    return figure


# ----------------------------------------------------------------------------------------- one run


def latency_samples(result, metric):
    """Every raw sample of ``metric`` ("itl" or "ttft") for one result, in milliseconds."""
    if metric == "itl":
        return [value * MS for repetition in result.samples.get("itl_s", []) for value in repetition]
    return [value * MS for value in result.samples.get("ttft_s", [])]


def latency_distribution(results, metric):
    """A box per configuration over its raw samples: inter-token latency ("itl") or time to first token ("ttft")."""
    title = {"itl": _("Inter-token latency (ms, log scale)"), "ttft": _("Time to first token (ms, log scale)")}[metric]
    figure = go.Figure()
    for result in results:
        samples = latency_samples(result, metric)
        if not samples:
            continue
        figure.add_trace(
            go.Box(
                y=samples,
                name=escape(result.configuration),
                legendgroup=escape(result.backend),
                boxpoints="outliers",
                hovertemplate=f"<b>{escape(result.configuration)}</b><br>%{{y:.3f}} ms<extra></extra>",
            )
        )
    figure.update_layout(
        layout(
            xaxis={"title": _("Backend/device, batch, prompt and generated tokens"), "automargin": True},
            yaxis={**LOG_AXIS, "title": title},
            showlegend=False,
        )
    )
    return figure


def rates_by_prompt_length(results):
    """Prefill and generation tokens/s against prompt length, per backend/device, batch and generated tokens."""
    figure = go.Figure()
    groups = by_key(results, lambda r: (r.backend, r.device, r.batch_size, r.generated_tokens))
    for (backend, device, batch, generated), rows in sorted(groups.items()):
        rows = sorted(rows, key=lambda result: result.prompt_tokens)
        label = escape(
            _("%(backend)s/%(device)s, batch %(batch)s, %(generated)s generated")
            % {"backend": backend, "device": device, "batch": batch, "generated": generated}
        )
        for phase, attribute, dash in (
            (_("prefill"), "prefill_tokens_per_s", "solid"),
            (_("generation"), "generation_tokens_per_s", "dash"),
        ):
            figure.add_trace(
                go.Scatter(
                    x=[result.prompt_tokens for result in rows],
                    y=[getattr(result, attribute) for result in rows],
                    mode="lines+markers",
                    line={"dash": dash},
                    name=f"{label}: {phase}",
                    legendgroup=label,
                    hovertemplate=f"<b>{label}</b><br>"
                    + _("Prompt tokens")
                    + f": %{{x}}<br>{phase}: %{{y:.3s}} tokens/s<extra></extra>",
                )
            )
    figure.update_layout(
        layout(
            xaxis={**LOG_AXIS, "title": _("Prompt length (tokens, log scale)")},
            yaxis={**LOG_AXIS, "title": _("Tokens per second (log scale)")},
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
            hovertemplate="%{x:.3g} FLOP/byte → ≤ %{y:.3s} FLOP/s<extra></extra>",
        )
    )
    figure.add_trace(
        go.Scatter(
            x=[low, high],
            y=[peak, peak],
            mode="lines",
            line={"color": "#d62728", "dash": "dot"},
            name=_("Measured matmul peak: %(peak).3g FLOP/s") % {"peak": peak},
            hoverinfo="skip",
        )
    )
    figure.add_trace(
        go.Scatter(
            x=[low, high],
            y=[bandwidth * low, bandwidth * high],
            mode="lines",
            line={"color": "#1f77b4", "dash": "dot"},
            name=_("Measured memory bandwidth (best STREAM kernel): %(bandwidth).3g byte/s") % {"bandwidth": bandwidth},
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
                marker={"size": 10, "symbol": "circle" if phase == "prefill" else "diamond"},
                name=name,
                text=[escape(result.configuration) for result, *_ in rows],
                hovertemplate=f"<b>{name}</b><br>%{{text}}<br>%{{x:.3g}} FLOP/byte, %{{y:.3s}} FLOP/s<extra></extra>",
            )
        )
    figure.update_layout(
        layout(
            xaxis={**LOG_AXIS, "title": _("Arithmetic intensity (FLOP per byte)")},
            yaxis={**LOG_AXIS, "title": _("Attainable fp32 throughput (FLOP/s)")},
        )
    )
    return figure


def catalog_comparison(bounds):
    """This machine's measured tokens/s beside roofline estimates for the same model on the catalog's chips.

    ``bounds``: ``store.catalog_bounds``. Measured bars are solid; every bound is hatched and
    labelled an estimate.
    """
    bars = [
        (
            escape(_("This machine, %(backend)s/%(device)s (measured)") % row),
            row,
            "measured",
            _("measured"),
            "",
        )
        for row in bounds["measured"]
    ]
    machine = bounds["this_machine"]
    bars.append((_("This machine (roofline bound)"), machine, "bound", _("roofline bound from measured peaks"), ""))
    bars += [
        (
            escape(_("%(name)s (estimate)") % {"name": chip["name"]}),
            chip,
            "bound",
            _("roofline estimate, %(precision)s datasheet peak") % {"precision": chip["precision"].upper()},
            escape(chip["assumption"]),
        )
        for chip in bounds["hardware"]
    ]
    bars.reverse()  # horizontal bars draw bottom-up: keep this machine at the top
    figure = go.Figure()
    for phase, measured_key, bound_key, colour in (
        (_("generation"), "generation_tokens_per_s", "decode_tokens_per_s", "#ff7f0e"),
        (_("prefill"), "prefill_tokens_per_s", "prefill_tokens_per_s", "#1f77b4"),
    ):
        figure.add_trace(
            go.Bar(
                y=[bar[0] for bar in bars],
                x=[row[measured_key if kind == "measured" else bound_key] for _label, row, kind, *_rest in bars],
                orientation="h",
                name=f"{phase} tokens/s",
                marker={
                    "color": colour,
                    "pattern": {"shape": ["" if bar[2] == "measured" else ESTIMATE_PATTERN for bar in bars]},
                },
                customdata=[[kind_label, assumption] for *_first, kind_label, assumption in bars],
                hovertemplate=f"<b>%{{y}}</b><br>%{{x:.3s}} {phase} tokens/s<br>%{{customdata[0]}}"
                "<br>%{customdata[1]}<extra></extra>",
            )
        )
    figure.update_layout(
        layout(
            barmode="group",
            height=160 + 26 * len(bars),  # one readable row per chip, however many the catalog holds
            legend={"orientation": "h", "y": 1, "yanchor": "bottom", "traceorder": "reversed"},
            yaxis={"title": "", "automargin": True},
            xaxis={
                **LOG_AXIS,
                "title": _("Tokens/s, prompt %(prompt)s, %(generated)s generated, batch %(batch)s (log)")
                % {
                    "prompt": bounds["prompt_tokens"],
                    "generated": bounds["generated_tokens"],
                    "batch": bounds["batch_size"],
                },
            },
        )
    )
    return figure
