"""The token calculator's page and API answer: the cheapest few prices for a request, read without costing every
price.

``estimating.token_quote`` costs every current price (the reference the tests rank against). The page and
``/api/v1/estimate/tokens/`` show the cheapest ``limit``: the database orders the prices by the request's cost
and the exact costing (context tiers, cached-input fallback) runs on the first few offerings only, so 129,000
prices cost an answer no more than 1,000.
"""

from collections import Counter
from decimal import Decimal

from django.db.models import Count, DecimalField, ExpressionWrapper, F, Q, Value, Window
from django.db.models.functions import Coalesce

from catalog.cache import figures as figure_cache
from catalog.estimating import current_usd_prices, price_rows
from catalog.estimators import count_tokens, token_costs
from catalog.estimators.tokens import PER_MILLION, tier_applies

FIRST_READ = 4  # offerings read per cost shown, at first; four times as many while that proves too few
TOLERANCE = Decimal("1e-9")  # a cost read back through a float (SQLite) compared with an exact one


def tier_census(prices):
    """What ``applicable_count`` needs to know of ``prices``, whatever the prompt: rows per context tier among
    offerings with one tier, and how many offerings have each combination of several tiers. One pass over every
    price (counted by the database), so it is kept by the data version (catalog/cache/figures.py)."""

    def build():
        per_tier = dict(
            prices.order_by().values("context_tier").annotate(rows=Count("pk")).values_list("context_tier", "rows")
        )
        offering_rows = Window(Count("pk"), partition_by=[F("provider_id"), F("api_model_id")])
        shared = prices.order_by().annotate(offering_rows=offering_rows).filter(offering_rows__gt=1)
        tiers = {}
        for provider, api_model_id, tier in shared.values_list("provider_id", "api_model_id", "context_tier"):
            tiers.setdefault((provider, api_model_id), []).append(tier)
            per_tier[tier] -= 1
        return per_tier, Counter(tuple(sorted(offering_tiers)) for offering_tiers in tiers.values())

    return figure_cache.cached("tier-census", figure_cache.rows_read(prices), build)


def applicable_count(prices, prompt_tokens):
    """How many of ``prices`` apply to a prompt of this size (one tier per offering, usually; an offering with
    several is judged as a whole: a 'standard' tier gives way to a named range that applies)."""
    per_tier, combinations = tier_census(prices)
    total = sum(rows for tier, rows in per_tier.items() if tier_applies(tier, prompt_tokens, (tier,)))
    for key, offerings in combinations.items():
        total += offerings * sum(tier_applies(tier, prompt_tokens, key) for tier in key)
    return total


def cheapest_costs(prices, *, input_tokens, cached_tokens, output_tokens, limit):
    """(the ``limit`` cheapest TokenCosts among ``prices``, how many prices apply), as ``token_costs`` ranks them.

    Exact: an offering outside the ones read costs at least the last cost read, so once ``limit`` costs below
    it are known the rest cannot enter the list.
    """
    cached_rate = Coalesce(F("cached_input_per_mtok"), F("input_per_mtok"))
    cost = (
        Value(input_tokens) * F("input_per_mtok")
        + Value(cached_tokens) * cached_rate
        + Value(output_tokens) * F("output_per_mtok")
    )
    ranked = prices.annotate(request_cost=ExpressionWrapper(cost, output_field=DecimalField())).order_by(
        "request_cost", "pk"
    )
    total = applicable_count(prices, input_tokens + cached_tokens)
    read = limit * FIRST_READ
    while True:
        head = list(ranked.values_list("provider_id", "api_model_id", "request_cost")[:read])
        offerings = Q(pk__in=[])
        for provider, api_model_id in {(provider, api_model_id) for provider, api_model_id, _cost in head}:
            offerings |= Q(provider_id=provider, api_model_id=api_model_id)
        costs = token_costs(
            input_tokens=input_tokens,
            cached_tokens=cached_tokens,
            output_tokens=output_tokens,
            prices=price_rows(prices.filter(offerings)),
        )
        if len(head) < read:
            return costs[:limit], total  # every price was read
        bound = Decimal(str(head[-1][2])) * (1 - TOLERANCE) / PER_MILLION
        if sum(cost.total_usd < bound for cost in costs) >= limit:
            return costs[:limit], total
        read *= FIRST_READ


def token_quote_page(*, text, family, input_tokens, cached_tokens, output_tokens, capability=None, limit):
    """``estimating.token_quote`` for the page: (count, input tokens used, the cheapest ``limit`` costs, total)."""
    prices = current_usd_prices()
    if capability is not None:
        prices = capability.filter(prices, "model")
    counted = count_tokens(text, family) if text else None
    used = counted.tokens if counted else input_tokens
    costs, total = cheapest_costs(
        prices, input_tokens=used, cached_tokens=cached_tokens, output_tokens=output_tokens, limit=limit
    )
    return counted, used, costs, total
