"""Figures of the price-of-capability page (data from ``catalog.capability_prices``): the cheapest price in force
at a capability level with its fitted trend, and price against score today with the Pareto frontier."""

import datetime

import plotly.graph_objects as go
from django.utils.html import escape
from django.utils.translation import gettext as _

from catalog.capability_prices import year_fraction
from catalog.chart_style import colour_for, log_axis, money_label
from catalog.price_charts import organization_of, per_token_phrase, price_of, step_line

FIT_COLOUR = "#d62728"
LINE_COLOUR = "#1f77b4"
MUTED = "#9aa5b1"


def date_of(year):
    """A fractional year (as the fit uses) back to a date."""
    whole = int(year)
    return datetime.date(whole, 1, 1) + datetime.timedelta(days=round((year - whole) * 365.25))


def capability_price_figure(result, *, today=None):
    """The step line of the cheapest qualifying price, its record lows as dots and the fitted trend dashed."""
    today = today or datetime.date.today()
    kind, phrase = result.kind, per_token_phrase(result.kind)
    xs, ys, hover = step_line(result.steps, kind, today)
    figure = go.Figure(
        go.Scatter(
            x=xs,
            y=ys,
            mode="lines",
            line={"shape": "hv", "width": 2.5, "color": LINE_COLOUR},
            name=_("cheapest qualifying price"),
            customdata=hover,
            hovertemplate="%{x|%Y-%m-%d}<br><b>%{customdata[0]}</b> "
            + escape(phrase)
            + "<br>%{customdata[3]} (%{customdata[1]})<extra></extra>",
        )
    )
    lows = result.lows
    if lows:
        figure.add_trace(
            go.Scatter(
                x=[date.isoformat() for date, _price in lows],
                y=[float(price_of(price, kind)) for _date, price in lows],
                mode="markers",
                marker={"size": 8, "color": LINE_COLOUR, "line": {"color": "white", "width": 1}},
                name=_("new lowest price (fitted)"),
                text=[escape(price.model.display_name) for _date, price in lows],
                hovertemplate="%{x|%Y-%m-%d}: %{text}<extra></extra>",
            )
        )
    if result.fit is not None:
        fit = result.fit
        ends = [fit.start_year, max(fit.end_year, year_fraction(today))]
        figure.add_trace(
            go.Scatter(
                x=[date_of(year).isoformat() for year in ends],
                y=[fit.at(year) for year in ends],
                mode="lines",
                line={"dash": "dash", "color": FIT_COLOUR, "width": 2},
                name=_("fitted trend: %(factor)s× cheaper per year") % {"factor": f"{fit.factor_per_year:.1f}"},
                hoverinfo="skip",
            )
        )
    figure.update_layout(
        template="plotly_white",
        margin={"l": 70, "r": 20, "t": 20, "b": 50},
        hovermode="closest",
        legend={"orientation": "h", "x": 0, "y": -0.2, "yanchor": "top"},
        xaxis={"title": _("Date"), "automargin": True},
        yaxis=log_axis([y for y in ys if y], money_label, title=_("USD %(per)s (log scale)") % {"per": phrase}),
    )
    return figure


def price_score_figure(rows, capability, *, kind):
    """Each model's cheapest price today against its best served score; the frontier joined by a line."""
    evaluation = capability.evaluation
    phrase = per_token_phrase(kind)
    off = [row for row in rows if not row.on_frontier]
    frontier = [row for row in rows if row.on_frontier]
    figure = go.Figure()
    for name, group, style in (
        (_("other models"), off, {"size": 7, "color": MUTED}),
        (_("Pareto frontier: none cheaper and better"), frontier, {"size": 10}),
    ):
        if not group:
            continue
        figure.add_trace(
            go.Scatter(
                x=[float(row.value) for row in group],
                y=[float(row.score) for row in group],
                mode="markers+lines" if group is frontier else "markers",
                line={"shape": "hv", "color": LINE_COLOUR, "width": 1.5},
                marker={
                    **style,
                    "color": [colour_for(organization_of(row.model)) for row in group] if group is frontier else MUTED,
                },
                name=name,
                text=[escape(row.model.display_name) for row in group],
                customdata=[escape(row.price.provider.display_name) for row in group],
                hovertemplate="<b>%{text}</b><br>%{y} "
                + escape(evaluation.name)
                + "<br>$%{x} "
                + escape(phrase)
                + " (%{customdata})<extra></extra>",
            )
        )
    figure.add_hline(
        y=float(capability.threshold),
        line={"dash": "dot", "color": FIT_COLOUR},
        annotation_text=escape(str(capability)),
        annotation_position="bottom right",
    )
    figure.update_layout(
        template="plotly_white",
        margin={"l": 60, "r": 20, "t": 20, "b": 50},
        hovermode="closest",
        legend={"orientation": "h", "x": 0, "y": -0.2, "yanchor": "top"},
        xaxis=log_axis(
            [float(row.value) for row in rows if row.value > 0],
            money_label,
            title=_("USD %(per)s today (log scale)") % {"per": phrase},
        ),
        yaxis={"title": escape(evaluation.name), "automargin": True},
    )
    return figure
