"""Token-price figures: one line per model (or per family), and the cheapest price on offer in a task.

A model is sold under several API ids (dated snapshots, context tiers, several providers). A reader asks
what the model cost, so each line is, on each date, the cheapest price in force across all of the model's
offerings; hover text names the offering that set it. Prices passed in must share one currency and one
task (``PricePoint.objects.comparable()``): an embedding's price is not a cheaper chat model.
"""

import datetime
import heapq
import math
from dataclasses import dataclass
from decimal import Decimal

import plotly.graph_objects as go
from django.db.models import F, Min, Q, Window
from django.db.models.functions import RowNumber
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.chart_style import DASHES, LEGEND_OUTSIDE, MAX_LEGEND_ENTRIES, colour_for, log_axis, money_label
from catalog.formatting import price as quoted

# The one control on the page: which price a line shows. Blended is (3 x input + output) / 4.
PRICE_KINDS = {
    "blended": gettext_lazy("blended"),
    "input": gettext_lazy("input"),
    "output": gettext_lazy("output"),
}
GROUPINGS = {"model": gettext_lazy("one line per model"), "family": gettext_lazy("one line per family")}


# What a step line and its hover text read of a price row: load only these (``QuerySet.only``).
STEP_LINE_FIELDS = [
    "effective_from",
    "effective_to",
    "input_per_mtok",
    "output_per_mtok",
    "api_model_id",
    "context_tier",
    "model__name",
    "model__name_ko",
    "provider__name",
    "provider__name_ko",
]


def price_of(price, kind):
    if kind == "rank":
        return price.rank
    if kind == "blended":
        return price.blended_per_mtok
    return getattr(price, f"{kind}_per_mtok")


def offering_label(price):
    tier = "" if price.context_tier == "standard" else f", {price.context_tier}"
    provider = getattr(price.provider, "display_name", None) or price.provider.name
    return f"{provider}: {price.api_model_id}{tier}"


def cheapest_steps(prices, kind="blended"):
    """Each date the cheapest price in force changes, with the row that sets it (None: nothing in force).

    A sweep over the periods' start and end dates with a heap of the prices in force: n log n, so the
    whole catalog's cheapest line costs no more than sorting it.
    """
    prices = sorted(prices, key=lambda price: price.effective_from)
    dates = sorted({price.effective_from for price in prices} | {p.effective_to for p in prices if p.effective_to})
    heap, steps, next_start = [], [], 0
    for date in dates:
        while next_start < len(prices) and prices[next_start].effective_from <= date:
            price = prices[next_start]
            heapq.heappush(heap, (price_of(price, kind), next_start, price))
            next_start += 1
        while heap and heap[0][2].effective_to is not None and heap[0][2].effective_to <= date:
            heapq.heappop(heap)  # ended; prices ended deeper in the heap go when they surface
        best = heap[0][2] if heap else None
        if steps and same_price(steps[-1][1], best, kind):
            continue  # the same price, maybe from another offering: not a change a reader sees
        steps.append((date, best))
    return steps


def cheapest_steps_in(queryset, kind="blended"):
    """``cheapest_steps`` of a PricePoint queryset, reading whole rows only for the prices that set a step.

    The sweep runs over (pk, from, to, price) tuples: at 129,000 prices, building a model instance (and a
    Decimal blended price) per row would cost seconds for a line of a few hundred steps.
    """
    if kind == "blended":
        queryset = queryset.with_blended_rank()  # sorts as the blended price does: 3 x input + output
    field = {"blended": "blended_rank", "input": "input_per_mtok", "output": "output_per_mtok"}[kind]
    candidates = undominated(queryset, field)
    light = [
        LightPrice(*row)
        for row in candidates.values_list("pk", "effective_from", "effective_to", field).order_by(
            *queryset.model._meta.ordering
        )
    ]
    steps = cheapest_steps(light, kind="rank")
    pks = {best.pk for _date, best in steps if best is not None} or {0}  # never empty: a constant query count
    rows = queryset.model.objects.select_related("model", "provider").in_bulk(pks)
    merged = []
    for date, best in steps:
        row = rows[best.pk] if best is not None else None
        if merged and same_price(merged[-1][1], row, kind):
            continue  # equal blended prices whose ranks differ only past the sixth decimal place
        merged.append((date, row))
    return merged


MAX_SPANS = 150  # OR-ed conditions in one query; SQLite nests each OR one level deeper (its limit is 1000)
SLACK = Decimal("1e-9")  # a rank read back through a float (SQLite) must still pass the test it set


def undominated(queryset, field):
    """``queryset`` less the prices that cannot be the cheapest on any date, filtered in the database.

    A price is never the cheapest while an open-ended price that started no later is cheaper (or as cheap and
    earlier): so each price must be at most the lowest open-ended price that started on or before its start.
    That running minimum changes at a few dates only (the record lows of open-ended prices), so the filter is
    one condition per record low: a few hundred candidates of 129,000 prices reach the sweep.
    """
    lows = queryset.filter(effective_to=None).values("effective_from").annotate(low=Min(field)).order_by()
    spans, lowest = [], None
    for row in sorted(lows, key=lambda row: row["effective_from"]):
        if row["low"] is not None and (lowest is None or row["low"] < lowest):
            lowest = row["low"]
            spans.append((row["effective_from"], Decimal(str(lowest))))
    if not spans:
        return queryset
    step = math.ceil(len(spans) / MAX_SPANS)
    spans = spans[::step]  # merged spans keep their first (highest) bound: more candidates, never fewer
    keep = Q(effective_from__lt=spans[0][0])
    for (start, low), (end, _low) in zip(spans, [*spans[1:], (None, None)], strict=True):
        span = Q(effective_from__gte=start, **{f"{field}__lte": low + abs(low) * SLACK + SLACK})
        keep |= span & Q(effective_from__lt=end) if end else span
    return first_of_each_period(queryset.filter(keep), field)


def first_of_each_period(queryset, field):
    """Of the prices with the same start and end, only the one the sweep would pick: the cheapest, ties going to
    the table's order (as in ``cheapest_steps``, whose heap breaks ties by position). The rest are never the
    cheapest: a snapshot's thousands of prices of one day are one candidate."""
    order = [F(field).asc(), *(F(name.lstrip("-")) for name in queryset.model._meta.ordering)]
    first = Window(RowNumber(), partition_by=[F("effective_from"), F("effective_to")], order_by=order)
    return queryset.annotate(period_place=first).filter(period_place=1)


@dataclass(frozen=True)
class LightPrice:
    pk: int
    effective_from: datetime.date
    effective_to: datetime.date | None
    rank: object  # the value prices are ordered by; price_of(..., "rank") reads it


@dataclass(frozen=True)
class PriceFall:
    """How far the cheapest price of some models fell: from the first price to the lowest one reached."""

    first_date: datetime.date
    first: object  # the PricePoint that set the first price
    lowest_date: datetime.date
    lowest: object  # the PricePoint that set the lowest price
    kind: str

    @property
    def first_value(self):
        return price_of(self.first, self.kind)

    @property
    def lowest_value(self):
        return price_of(self.lowest, self.kind)

    @property
    def factor(self):
        return float(self.first_value / self.lowest_value)

    @property
    def years(self):
        return (self.lowest_date - self.first_date).days / 365.25

    @property
    def factor_per_year(self):
        """The steady yearly factor that gives the whole fall over the same time (a geometric mean)."""
        return self.factor ** (1 / self.years)


def price_fall(prices, kind="blended"):
    """The fall of the cheapest price among ``prices`` (one task, one currency), or None if it never fell.

    Read off the step line the chart draws (``cheapest_steps``): the first price, then the lowest reached
    and when. Endpoints rather than a fitted trend, so the working is two rows a reader can check.
    """
    steps = [(date, best) for date, best in cheapest_steps(prices, kind) if best is not None]
    if len(steps) < 2:
        return None
    first_date, first = steps[0]
    lowest_date, lowest = min(steps, key=lambda step: (price_of(step[1], kind), step[0]))
    if lowest_date <= first_date or price_of(lowest, kind) <= 0 or price_of(lowest, kind) >= price_of(first, kind):
        return None
    return PriceFall(first_date, first, lowest_date, lowest, kind)


def same_price(one, other, kind):
    if one is None or other is None:
        return one is other
    return price_of(one, kind) == price_of(other, kind)


def step_line(steps, kind, today):
    """x, y and per-point hover data of a step line (plotly shape "hv"), broken where nothing is in force."""
    xs, ys, hover = [], [], []
    previous = None
    for date, best in steps:
        if best is None:
            if previous is not None:  # hold the last price up to the day it ended, then break the line
                xs += [date.isoformat(), date.isoformat()]
                ys += [float(price_of(previous, kind)), None]
                hover += [hover[-1], None]
        else:
            xs.append(date.isoformat())
            ys.append(float(price_of(best, kind)))
            hover.append(
                [
                    quoted(price_of(best, kind)),
                    escape(offering_label(best)),
                    best.effective_from.isoformat(),
                    escape(getattr(best.model, "display_name", None) or best.model.name),
                ]
            )
        previous = best
    if previous is not None:  # a price still in force runs to today
        end = max(today, steps[-1][0])
        xs.append(end.isoformat())
        ys.append(ys[-1])
        hover.append(hover[-1])
    return xs, ys, hover


def per_token_phrase(kind):
    return {
        "blended": _("per 1M tokens, blended 3:1"),
        "input": _("per 1M input tokens"),
        "output": _("per 1M output tokens"),
    }[kind]


def series_of(price, group):
    """The line a price belongs to: its model, or its model's family (a model with none is its own family)."""
    model = price.model
    name = getattr(model, "display_name", None) or model.name
    if group == "family" and model.family:
        return ("family", model.family), model.family
    return ("model", model.pk), name


def organization_of(model):
    organizations = list(model.organizations.all())
    return organizations[0] if organizations else model.name


def price_history(prices, *, kind="blended", group="model", today=None):
    """One step line per model (or family): on each date the cheapest ``kind`` price among its offerings."""
    today = today or datetime.date.today()
    series = {}
    for price in prices:
        key, name = series_of(price, group)
        series.setdefault(key, {"name": name, "prices": [], "model": price.model})["prices"].append(price)
    figure = go.Figure()
    dashes_used = {}
    ends, values = [], []
    phrase = per_token_phrase(kind)
    for index, entry in enumerate(sorted(series.values(), key=lambda entry: entry["name"].lower())):
        xs, ys, hover = step_line(cheapest_steps(entry["prices"], kind), kind, today)
        if not xs:
            continue
        organization = organization_of(entry["model"])
        colour = colour_for(organization)
        dash = DASHES[dashes_used.get(colour, 0) % len(DASHES)]  # same organization: same colour, another dash
        dashes_used[colour] = dashes_used.get(colour, 0) + 1
        name = escape(entry["name"])
        figure.add_trace(
            go.Scatter(
                x=xs,
                y=ys,
                mode="lines",
                line={"shape": "hv", "color": colour, "dash": dash, "width": 2.5},
                name=name,
                showlegend=index < MAX_LEGEND_ENTRIES,
                customdata=hover,
                hovertemplate=f"<b>{name}</b><br>%{{customdata[0]}} {escape(phrase)}<br>"
                + escape(_("cheapest offer"))
                + ": %{customdata[1]}<br>"
                + escape(_("since"))
                + " %{customdata[2]}<extra></extra>",
            )
        )
        values += [y for y in ys if y is not None]
        last = max(position for position, y in enumerate(ys) if y is not None)
        ends.append((xs[last], ys[last], name, colour))
    figure.update_layout(
        template="plotly_white",
        margin={"l": 70, "r": 20, "t": 30, "b": 50},
        hovermode="closest",
        xaxis={"title": _("Date"), "automargin": True},
        yaxis=log_axis(values, money_label, title=_("USD %(per)s (log scale)") % {"per": phrase}),
        legend=LEGEND_OUTSIDE,
        annotations=end_labels(ends, values),
        meta={"series": len(ends)},
    )
    return figure


def end_labels(ends, values, *, min_gap=0.05):
    """Each line's name at its right end, where it does not collide with another label (log y axis)."""
    if not values:
        return []
    span = max(math.log10(max(values)) - math.log10(min(values)), 1)
    labels, placed = [], []
    for x, y, name, colour in sorted(ends, key=lambda end: -end[1]):
        position = math.log10(y)
        if any(abs(position - other) < min_gap * span for other in placed):
            continue
        placed.append(position)
        labels.append(
            {
                "x": x,
                "y": position,  # annotations on a log axis are placed in log10 units
                "text": name,
                "showarrow": False,
                "xanchor": "right",
                "yanchor": "bottom",
                "font": {"color": colour, "size": 11},
            }
        )
    return labels


def cheapest_price_figure(prices=None, *, kind="blended", today=None, steps=None):
    """At each date, the lowest ``kind`` price in force among ``prices`` (one task), and who offered it.

    ``steps``: the line already computed (``cheapest_steps_in`` for a queryset), instead of ``prices``."""
    today = today or datetime.date.today()
    if steps is None:
        steps = cheapest_steps(prices, kind)
    xs, ys, hover = step_line(steps, kind, today)
    phrase = per_token_phrase(kind)
    figure = go.Figure(
        go.Scatter(
            x=xs,
            y=ys,
            mode="lines",
            line={"shape": "hv", "width": 2.5, "color": "#1f77b4"},
            name=_("cheapest price on offer"),
            customdata=hover,
            hovertemplate="%{x|%Y-%m-%d}<br><b>%{customdata[0]}</b> "
            + escape(phrase)
            + "<br>%{customdata[3]} (%{customdata[1]})<extra></extra>",
        )
    )
    figure.update_layout(
        template="plotly_white",
        margin={"l": 70, "r": 20, "t": 20, "b": 50},
        hovermode="closest",
        showlegend=False,
        xaxis={"title": _("Date"), "automargin": True},
        yaxis=log_axis(ys, money_label, title=_("USD %(per)s (log scale)") % {"per": phrase}),
    )
    return figure
