"""The price of a fixed capability: on each date, the cheapest price in force among the models of a capability
class (``catalog.capability``), the trend of its record lows, and price against score today with its frontier.

This answers "how fast are token prices falling?" by what a model can do rather than by its name, as Epoch AI
("LLM inference prices have fallen rapidly but unequally across tasks", 2025) and a16z ("LLMflation", 2024) do.
Prices come from the stored, dated history (any provider, the task's USD prices: ``PricePoint.comparable``).

Two ways to date a price (``DATINGS``):
- ``stored``: each period as recorded. A price read from a snapshot of an outside price map starts on the
  snapshot's date, so many prices appear on one day although they were offered long before.
- ``release``: where a model's prices all come from price-map snapshots (its history is unknown), each offering's
  first known price is taken to have held since the model's release, as Epoch AI does (it pairs release dates
  with later prices). A model with a curated history keeps it.

The truth lies between the two. Stored dating puts a cheap model's first low on the day a snapshot first saw it,
often long after it was on offer, so the fall looks slower; back-dating credits today's price to the launch day,
when it may have been dearer, so the lows come earlier and the fall looks faster.

A price of zero (a free tier, a promotion) is left out: it is not a price at which the capability is sold.
"""

import copy
import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import DecimalField, Exists, ExpressionWrapper, F, Max, Min, OuterRef
from django.utils.translation import gettext_lazy as _

from catalog.capability import scores_counted
from catalog.choices import Task
from catalog.estimators.trend import log_linear_fit
from catalog.models import PricePoint
from catalog.models.pricing import BLENDED_INPUT_WEIGHT, BLENDED_OUTPUT_WEIGHT
from catalog.price_charts import STEP_LINE_FIELDS, cheapest_steps, price_of, same_price, undominated

DATINGS = {
    "stored": _("as stored"),
    "release": _("back-dated to the model's release (Epoch AI's method)"),
}
# Published rates to set beside ours: (who, what, factor per year, link).
PUBLISHED_RATES = [
    (
        "Epoch AI",
        _("GPT-4's score on GPQA Diamond (PhD-level science)"),
        40,
        "https://epoch.ai/data-insights/llm-inference-price-trends",
    ),
    (
        "Epoch AI",
        _("range across six milestones"),
        "9–900",
        "https://epoch.ai/data-insights/llm-inference-price-trends",
    ),
    ("a16z", _("MMLU ≥ 42 (about GPT-3), 2021–2024"), 10, "https://a16z.com/llmflation-llm-inference-cost/"),
]
# The step line's fields, and what the working table and back-dating read besides.
PRICE_FIELDS = [*STEP_LINE_FIELDS, "model__slug", "model__release_date", "provider__slug", "origin"]


def year_fraction(date):
    return date.year + (date - datetime.date(date.year, 1, 1)).days / 365.25


@dataclass
class ClassPrice:
    """What the sweep, back-dating and the fit read of a price period: a tuple's worth, not a model instance
    (a class can hold 100,000 prices; whole rows are read only for the steps, ``with_rows``)."""

    pk: int
    effective_from: datetime.date
    effective_to: datetime.date | None
    input_per_mtok: Decimal
    output_per_mtok: Decimal
    rank: Decimal  # orders as the chosen kind of price does (``light_kind``)
    model_id: int
    provider_id: int
    api_model_id: str
    context_tier: str
    origin: str
    model_release_date: datetime.date | None

    blended_per_mtok = PricePoint.blended_per_mtok


LIGHT_FIELDS = [
    "pk",
    "effective_from",
    "effective_to",
    "input_per_mtok",
    "output_per_mtok",
    "rank",
    "model_id",
    "provider_id",
    "api_model_id",
    "context_tier",
    "origin",
    "model__release_date",
]


def class_price_rows(capability, task=Task.CHAT):
    """The queryset of the task's USD price periods of the class's models, free ones left out."""
    return capability.filter(PricePoint.objects.comparable(task), "model").exclude(input_per_mtok=0, output_per_mtok=0)


def class_prices(capability, task=Task.CHAT, kind="blended", *, candidates_only=False):
    """The task's USD price periods of the class's models (``ClassPrice``), in the table's order, ranked by
    ``kind``. 3 x input + output ranks as the blended price does, without a Decimal division per row.

    ``candidates_only``: only the prices that can be the cheapest on some date as stored
    (``price_charts.undominated``, in the database): the same steps from a few hundred rows of 100,000. Not for
    back-dating, which moves starts and so needs every price."""
    rank = F("input_per_mtok") * BLENDED_INPUT_WEIGHT + F("output_per_mtok") * BLENDED_OUTPUT_WEIGHT
    if kind != "blended":
        rank = F(f"{kind}_per_mtok")
    prices = class_price_rows(capability, task).annotate(rank=ExpressionWrapper(rank, output_field=DecimalField()))
    if candidates_only:
        prices = undominated(prices, "rank")
    rows = prices.values_list(*LIGHT_FIELDS)
    return [ClassPrice(*row) for row in rows.order_by(*PricePoint._meta.ordering)]


def with_rows(steps):
    """``steps`` of ClassPrices with the PricePoint rows in their place (what the chart and table show); a
    back-dated period keeps its moved start."""
    pks = {price.pk for _date, price in steps if price is not None} or {0}  # never empty: a constant query count
    rows = PricePoint.objects.select_related("model", "provider").only(*PRICE_FIELDS).in_bulk(pks)
    full = []
    for date, price in steps:
        row = None
        if price is not None:
            row = rows[price.pk]
            if row.effective_from != price.effective_from:
                row = copy.copy(row)
                row.effective_from = price.effective_from
        full.append((date, row))
    return full


def back_dated(prices):
    """Each offering's first period moved back to its model's release date (where that is earlier), for models
    whose every price comes from a price map's snapshot; curated histories stay as they are."""
    curated = {price.model_id for price in prices if not price.origin}
    first = {}
    for price in prices:
        key = (price.provider_id, price.api_model_id, price.context_tier)
        if key not in first or price.effective_from < first[key].effective_from:
            first[key] = price
    moved = []
    for price in prices:
        released = price.model_release_date if isinstance(price, ClassPrice) else price.model.release_date
        is_first = first[(price.provider_id, price.api_model_id, price.context_tier)] is price
        if is_first and price.model_id not in curated and released and released < price.effective_from:
            price = copy.copy(price)
            price.effective_from = released
        moved.append(price)
    return moved


def record_lows(steps, kind):
    """The steps that set a new lowest price: the points the trend is fitted to (a rise is not a new low)."""
    lows, lowest = [], None
    for date, price in steps:
        if price is None:
            continue
        value = price_of(price, kind)
        if lowest is None or value < lowest:
            lows.append((date, price))
            lowest = value
    return lows


@dataclass
class CapabilityPrices:
    capability: object
    kind: str
    dating: str
    steps: list  # [(date, PricePoint or None)], as ``cheapest_steps``
    lows: list  # [(date, PricePoint)], the record lows
    fit: object  # LogLinearFit or None
    scores: dict  # model id -> the best served score row that places it in the class
    models_in_class: int
    priced_models: int

    @property
    def working(self):
        """Each record low with the score that qualified its model."""
        return [(date, price, self.scores.get(price.model_id)) for date, price in self.lows]


def dated(prices, dating):
    return back_dated(prices) if dating == "release" else prices


def trend(prices, kind):
    """(steps, record lows, their fit) of the cheapest ``kind`` price among ``prices``."""
    if prices and isinstance(prices[0], ClassPrice):
        steps = []  # swept by rank, then merged where the rounded prices are equal
        for date, price in cheapest_steps(prices, "rank"):
            if not (steps and same_price(steps[-1][1], price, kind)):
                steps.append((date, price))
    else:
        steps = cheapest_steps(prices, kind)
    lows = record_lows(steps, kind)
    return steps, lows, log_linear_fit([(year_fraction(date), float(price_of(price, kind))) for date, price in lows])


def fits_by_dating(capability, *, kind="blended", task=Task.CHAT):
    """{dating: the fit} for both ways of dating, from one read of the class's prices."""
    prices = class_prices(capability, task, kind)
    return {dating: trend(dated(prices, dating), kind)[2] for dating in DATINGS}


def capability_prices(capability, *, kind="blended", dating="stored", task=Task.CHAT):
    # As stored, only the candidates for the cheapest reach Python; back-dating needs every price.
    stored = dating == "stored"
    prices = dated(class_prices(capability, task, kind, candidates_only=stored), dating)
    steps, lows, fit = trend(prices, kind)
    steps = with_rows(steps)
    lows = record_lows(steps, kind)
    shown = {price.model_id for _date, price in steps if price is not None}
    return CapabilityPrices(
        capability=capability,
        kind=kind,
        dating=dating,
        steps=steps,
        lows=lows,
        fit=fit,
        scores=best_scores(capability, shown),
        models_in_class=capability.models().count(),
        priced_models=(
            capability.models().filter(Exists(class_price_rows(capability, task).filter(model=OuterRef("pk")))).count()
            if stored
            else len({price.model_id for price in prices})
        ),
    )


def best_scores(capability, model_ids):
    """model id -> its best qualifying score row (with sources), for the models named on the chart."""
    order = "-score" if capability.evaluation.higher_is_better else "score"
    rows = (
        capability.qualifying_scores()
        .filter(model__in=model_ids)
        .prefetch_related("sources")
        .order_by("model", order, "measured_on")
    )
    best = {}
    for row in rows:
        best.setdefault(row.model_id, row)
    return best


@dataclass(frozen=True)
class ScoredPrice:
    """A model's best served score on an evaluation and its cheapest price in force today."""

    model: object
    score: object
    price: object  # the PricePoint that sets the cheapest price
    value: object  # that price, of the chosen kind
    on_frontier: bool = False


def price_against_score(evaluation, *, kind="blended", measured_by="", task=Task.CHAT, today=None):
    """Every model with a served score on ``evaluation`` (of ``measured_by``'s kind, if given) and a price in force
    ``today``, with the Pareto frontier marked: no other model is both cheaper (or as cheap) and better."""
    today = today or datetime.date.today()
    aggregate = Max("score") if evaluation.higher_is_better else Min("score")
    best = dict(
        scores_counted(evaluation, measured_by).values("model").annotate(best=aggregate).values_list("model", "best")
    )
    prices = (
        PricePoint.objects.comparable(task)
        .in_force_on(today)
        .filter(model__in=list(best))
        .exclude(input_per_mtok=0, output_per_mtok=0)
        .select_related("model", "provider")
        .only(*PRICE_FIELDS)
    )
    cheapest = {}
    for price in prices:
        value = price_of(price, kind)
        if price.model_id not in cheapest or value < cheapest[price.model_id][1]:
            cheapest[price.model_id] = (price, value)
    rows = [ScoredPrice(price.model, best[model_id], price, value) for model_id, (price, value) in cheapest.items()]
    return mark_frontier(rows, higher_is_better=evaluation.higher_is_better)


def mark_frontier(rows, *, higher_is_better=True):
    """``rows`` sorted by price, each marked on the frontier when it scores better than every cheaper row."""
    sign = 1 if higher_is_better else -1
    ordered = sorted(rows, key=lambda row: (row.value, -sign * row.score, row.model.name))
    marked, best = [], None
    for row in ordered:
        on_frontier = best is None or sign * row.score > sign * best
        if on_frontier:
            best = row.score
        marked.append(ScoredPrice(row.model, row.score, row.price, row.value, on_frontier))
    return marked
