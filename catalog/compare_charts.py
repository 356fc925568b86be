"""The compare page's charts: chips or models side by side, each figure scored against the best picked.

A score is 1 for the best value and a fraction for the others, in the direction the registry says is better
(``catalog.figures``); a figure where neither more nor less is better (a die area, a TDP) is not scored.
"""

from dataclasses import dataclass

import plotly.graph_objects as go
from django.utils.html import escape
from django.utils.translation import gettext as _

from catalog.charts import layout, shown
from catalog.figures import FIGURES, HIGHER, LOWER


@dataclass(frozen=True)
class Compared:
    """One metric of a comparison: its registry name, label, and a value per subject (None: unknown)."""

    name: str
    label: str
    values: list


def scores(compared):
    """Each value as a score where 1 is the best of those compared: value / best when higher is better,
    best / value when lower is. None where unknown; None for every value of a metric with no better
    direction (``catalog.figures``: a larger die or a higher TDP is not better in itself)."""
    better = FIGURES[compared.name].better
    known = [value for value in compared.values if value]
    if better not in (HIGHER, LOWER) or not known:
        return None
    best = max(known) if better == HIGHER else min(known)
    return [(value / best if better == HIGHER else best / value) if value else None for value in compared.values]


def relative_bars(subjects, metrics, *, neutral="omit", title=None):
    """Grouped bars: each metric with a better direction scored against the best subject (1 = best;
    lower-is-better metrics inverted), real values on hover.

    A metric with no better direction is never scored: ``neutral="omit"`` leaves it out (listed in
    ``layout.meta.unscored`` for the page to say so), ``neutral="relative"`` draws it hatched as a share of
    the largest value picked. ``subjects``: names (plain text); ``metrics``: ``Compared`` rows.
    """
    drawn, unscored = [], []
    for compared in metrics:
        known = [value for value in compared.values if value]
        if not known:
            continue
        ratios = scores(compared)
        if ratios is not None:
            drawn.append(
                (
                    compared,
                    ratios,
                    _("higher is better") if FIGURES[compared.name].better == HIGHER else _("lower is better"),
                )
            )
        elif neutral == "relative":
            largest = max(known)
            ratios = [value / largest if value else None for value in compared.values]
            drawn.append((compared, ratios, _("neither is better: share of the largest")))
        else:
            unscored.append(str(compared.label))
    figure = go.Figure()
    for index, name in enumerate(subjects):
        figure.add_trace(
            go.Bar(
                x=[escape(str(compared.label)) for compared, _ratios, _note in drawn],
                y=[ratios[index] for _compared, ratios, _note in drawn],
                name=escape(name),
                marker={
                    "pattern": {"shape": ["" if FIGURES[compared.name].better else "/" for compared, _r, _n in drawn]}
                },
                customdata=[[shown(compared.name, compared.values[index]), note] for compared, _r, note in drawn],
                hovertemplate=f"<b>{escape(name)}</b><br>%{{x}}: %{{customdata[0]}}"
                + "<br>%{customdata[1]}<extra></extra>",
            )
        )
    figure.update_layout(
        layout(
            barmode="group",
            xaxis={"automargin": True},
            yaxis={"title": title or _("Score against the best picked (1 = best)"), "range": [0, 1.05]},
            meta={"unscored": unscored},
        )
    )
    return figure


def hardware_comparison(comparison):
    """The score chart of ``comparisons.compare_hardware``: every numeric figure the registry knows."""
    chips = comparison["hardware"]
    metrics = []
    for metric in comparison["metrics"]:
        values = [entry["value"] for entry in metric["values"]]
        if metric["field"] not in FIGURES or not all(isinstance(v, int | float) or v is None for v in values):
            continue  # dates and choices: the table shows them
        metrics.append(Compared(metric["field"], metric["label"], values))
    return relative_bars([getattr(chip, "display_name", chip.name) for chip in chips], metrics)


MODEL_COMPARED = ["parameters", "active_parameters", "training_tokens", "training_compute_flop", "context_length"]


def model_comparison(models):
    metrics = [
        Compared(field, FIGURES[field].label, [getattr(model, field) for model in models]) for field in MODEL_COMPARED
    ]
    return relative_bars(
        [getattr(model, "display_name", model.name) for model in models],
        metrics,
        neutral="relative",
        title=_("1 = the best picked; hatched: share of the largest (bigger is not better)"),
    )
