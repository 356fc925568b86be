"""Endpoints whose answers grew with the catalog do bounded work: the token estimate, a benchmark run (page and
API) and the vendor statistics.

As in test_page_bounds.py: grow the catalog by N and then 2N rows with bulk_create and check the same number of
queries at both sizes, a body that does not grow, and that the bounded answer is the head of the unbounded one.
"""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog import estimating
from catalog.benchmarking.store import catalog_bounds, headline_chips, record_run
from catalog.benchmarking.views import PAGE_CHIPS
from catalog.models import FoundationModel, Hardware, Organization, PricePoint
from tests.api_helpers import results
from tests.benchmark_reports import benchmark_report
from tests.factories import make_falling_prices, make_org

pytestmark = pytest.mark.django_db

SLACK_BYTES = 3000  # counts that gain a digit, a longer slug
TOKENS = "/api/v1/estimate/tokens/"


def measured(client, url, **params):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200, response.content[:300]
    return response, len(queries)


# ------------------------------------------------------------------------------------------------ token estimate


def grow_prices(count, *, start, provider):
    models = FoundationModel.objects.bulk_create(
        FoundationModel(slug=f"priced-{i}", name=f"Priced {i}", access="api") for i in range(start, start + count)
    )
    PricePoint.objects.bulk_create(
        PricePoint(
            model=model,
            provider=provider,
            api_model_id=f"priced-{i}",
            context_tier="standard",
            input_per_mtok=Decimal(i * 37 % 97 + 1) / 10,
            output_per_mtok=Decimal(i * 11 % 89 + 1) / 5,
            cached_input_per_mtok=Decimal(i % 7) / 10 if i % 3 else None,
            effective_from=datetime.date(2024, 1, 1),
        )
        for i, model in zip(range(start, start + count), models, strict=True)
    )


def test_the_token_estimate_lists_the_cheapest_few_as_the_full_costing_ranks_them(api):
    provider = make_org("provider")
    grow_prices(40, start=0, provider=provider)
    query = {"input_tokens": 5000, "cached_tokens": 2000, "output_tokens": 700, "limit": 10}
    first, first_queries = measured(api, TOKENS, **query)
    grow_prices(80, start=40, provider=provider)
    second, second_queries = measured(api, TOKENS, **query)
    assert first_queries == second_queries
    body = second.json()
    assert body["price_count"] == 120 and len(body["prices"]) == 10
    assert abs(len(second.content) - len(first.content)) < SLACK_BYTES
    _counted, _used, every = estimating.token_quote(
        text="", family="o200k", input_tokens=5000, cached_tokens=2000, output_tokens=700
    )
    expected = [(cost.price.key.api_model_id, cost.total_usd) for cost in every[:10]]
    assert [(row["api_model_id"], Decimal(row["total_usd"])) for row in body["prices"]] == expected


def test_the_token_estimate_limit_defaults_and_is_bounded(api):
    grow_prices(60, start=0, provider=make_org("provider"))
    assert len(api.get(TOKENS).json()["prices"]) == 50
    assert api.get(TOKENS, {"limit": 501}).status_code == 400
    assert api.get(TOKENS, {"limit": 0}).status_code == 400


# ---------------------------------------------------------------------------------------------- benchmark run


def grow_chips(count, *, start):
    """``count`` chips of ``count`` vendors, a third curated, speeds spread so the order is no insertion order."""
    vendors = Organization.objects.bulk_create(
        Organization(slug=f"vendor-{i}", name=f"Vendor {i}", country="US") for i in range(start, start + count)
    )
    Hardware.objects.bulk_create(
        Hardware(
            slug=f"chip-{i}",
            name=f"Chip {i}",
            kind="gpu",
            use="both",
            vendor=vendor,
            origin="" if i % 3 == 0 else f"outside.csv:{i}",
            fp32_flops=1e13 * (1 + i * 7 % 13) if i % 4 else None,
            bf16_flops=1e14 * (1 + i % 11),
            memory_bandwidth=1e11 * (1 + i * 5 % 17),
        )
        for i, vendor in zip(range(start, start + count), vendors, strict=True)
    )


@pytest.fixture
def run(db):
    return record_run(report=benchmark_report(prompts=(16, 64, 128)))


def test_a_run_page_bounds_few_chips_the_ones_bounding_every_chip_would_pick(client, run):
    grow_chips(30, start=0)
    url = f"/benchmarks/{run.pk}/"
    first, first_queries = measured(client, url)
    grow_chips(60, start=30)
    second, second_queries = measured(client, url)
    assert first_queries == second_queries
    assert abs(len(second.content) - len(first.content)) < SLACK_BYTES
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    chip_reads = [query["sql"] for query in queries if '"catalog_hardware"' in query["sql"]]
    assert chip_reads and all("LIMIT" in sql or "COUNT(" in sql for sql in chip_reads)  # never every chip
    bounded = catalog_bounds(run, headline=PAGE_CHIPS)
    assert len(bounded["hardware"]) <= 2 * PAGE_CHIPS and bounded["hardware_count"] == 90
    every = catalog_bounds(run)["hardware"]
    assert headline_chips(bounded["hardware"], limit=PAGE_CHIPS) == headline_chips(every, limit=PAGE_CHIPS)
    few_vendors = catalog_bounds(run, headline=200)  # fewer vendors than asked for: filled with the fastest
    assert headline_chips(few_vendors["hardware"], limit=200) == headline_chips(every, limit=200)


def test_the_run_api_pages_through_every_chip_fastest_first(api, run):
    grow_chips(30, start=0)
    url = f"/api/v1/benchmarks/{run.pk}/"
    first, first_queries = measured(api, url, chip_limit=7)
    grow_chips(60, start=30)
    second, second_queries = measured(api, url, chip_limit=7)
    assert first_queries == second_queries
    assert abs(len(second.content) - len(first.content)) < SLACK_BYTES
    pages, following = [], f"{url}?chip_limit=7"
    while following:
        estimates = api.get(following).json()["catalog_estimates"]
        assert estimates["hardware_count"] == 90 and len(estimates["hardware"]) <= 7
        pages += [row["slug"] for row in estimates["hardware"]]
        following = estimates["next"]
    assert pages == [row["slug"] for row in catalog_bounds(run)["hardware"]]
    assert api.get(url, {"chip_limit": 501}).status_code == 400


# ----------------------------------------------------------------------------------------------- vendor stats


def test_vendor_stats_are_paged(api):
    grow_chips(60, start=0)
    first, first_queries = measured(api, "/api/v1/stats/vendors/")
    grow_chips(120, start=60)
    second, second_queries = measured(api, "/api/v1/stats/vendors/")
    assert first_queries == second_queries
    assert abs(len(second.content) - len(first.content)) < SLACK_BYTES
    body = second.json()
    assert body["count"] == 180 and len(body["results"]) == 50
    names = [row["vendor"]["name"] for row in body["results"]]
    assert names == sorted(set(Hardware.objects.values_list("vendor__name", flat=True)))[:50]
    last = results(api.get("/api/v1/stats/vendors/", {"page": 4}))
    assert len(last) == 30 and all(row["chips"] == 1 for row in last)


# ------------------------------------------------------------------------------------------ capability prices


@pytest.mark.parametrize("kind", ["blended", "input", "output"])
def test_the_capability_line_from_the_candidates_is_the_full_sweeps_line(kind):
    """Random periods, open and closed, with ties, in and out of the class: as stored, the pruned read gives the
    same steps, record lows, fit and counts as the sweep over every class price."""
    import random

    from catalog import capability_prices as prices_of_capability
    from catalog.capability import capability_class
    from tests.factories import make_evaluation, make_model, make_score

    rng = random.Random(5)
    mmlu = make_evaluation("mmlu")
    lab = make_org("lab", is_model_developer=True, is_cloud_provider=True)
    models = [make_model(f"m{i}", org=lab) for i in range(6)]
    for i, model in enumerate(models):
        make_score(model, mmlu, "80" if i < 4 else "50")  # two models outside the class
    make_falling_prices(rng, models, lab, start=datetime.date(2020, 1, 1))
    capability = capability_class("mmlu:70")
    result = prices_of_capability.capability_prices(capability, kind=kind, dating="stored")
    every = prices_of_capability.class_prices(capability, kind=kind)
    steps, lows, fit = prices_of_capability.trend(every, kind)
    assert [(date, getattr(row, "pk", None)) for date, row in result.steps] == [
        (date, getattr(row, "pk", None)) for date, row in steps
    ]
    assert [(date, row.pk) for date, row in result.lows] == [(date, row.pk) for date, row in lows]
    assert result.fit == fit and len(steps) > 10
    assert result.priced_models == len({price.model_id for price in every}) == 4
    candidates = prices_of_capability.class_prices(capability, kind=kind, candidates_only=True)
    assert len(candidates) < len(every) / 2  # most never reach the sweep
