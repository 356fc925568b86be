"""Every page does work bounded by what it shows, not by the size of its tables.

Each test grows a small catalog by N and then 2N rows (models, chips, organizations, prices, scores, runs) with
bulk_create and checks the page: the same number of queries at both sizes, no ``<option>`` list that grows
with a table, and a response that does not grow with the table either.
"""

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog import price_charts, thinning
from catalog.models import (
    CloudPrice,
    EvaluationScore,
    FoundationModel,
    Hardware,
    Organization,
    PricePoint,
    TrainingRun,
)
from tests.factories import (
    make_evaluation,
    make_falling_prices,
    make_hardware,
    make_model,
    make_org,
    make_price,
    make_score,
)

pytestmark = pytest.mark.django_db

BASE = datetime.date(2015, 1, 1)
SLACK_BYTES = 3000  # labels that grow by a digit (counts of rows), a longer slug


def grow(count, *, start, lab, provider, cloud, vendor, evaluation):
    """Adds ``count`` models (all by ``lab``, priced by ``provider``, scored on ``evaluation``), chips (by
    ``vendor``), organizations, training runs and cloud prices, numbered from ``start``."""
    numbers = range(start, start + count)
    Organization.objects.bulk_create(
        Organization(slug=f"org-{i}", name=f"Org {i}", country="US", is_model_developer=True) for i in numbers
    )
    models = FoundationModel.objects.bulk_create(
        FoundationModel(
            slug=f"model-{i}",
            name=f"Model {i}",
            access="api",
            family="Grown",
            release_date=BASE + datetime.timedelta(days=i * 3 % 3650),
            parameters=10**9 * (1 + i % 500),
            training_compute_flop=1e21 * (1 + i % 1000),
            training_tokens=10**12,
        )
        for i in numbers
    )
    FoundationModel.organizations.through.objects.bulk_create(
        FoundationModel.organizations.through(foundationmodel_id=model.pk, organization_id=lab.pk) for model in models
    )
    chips = Hardware.objects.bulk_create(
        Hardware(
            slug=f"chip-{i}",
            name=f"Chip {i}",
            kind="gpu",
            use="both",
            vendor=vendor,
            release_date=BASE + datetime.timedelta(days=i * 7 % 3650),
            transistors=10**9 * (1 + i % 300),
            process_nm=3 + i % 20,
            die_area_mm2=100.0 + i % 700,
            tdp_watts=100.0 + i % 600,
            bf16_flops=1e14 * (1 + i % 40),
            memory_bytes=10**10 * (1 + i % 20),
            memory_bandwidth=1e12 * (1 + i % 5),
        )
        for i in numbers
    )
    PricePoint.objects.bulk_create(
        PricePoint(
            model=model,
            provider=provider,
            api_model_id=f"model-{i}",
            context_tier="standard",
            input_per_mtok=Decimal(i % 97 + 1) / 10,
            output_per_mtok=Decimal(i % 89 + 1) / 5,
            effective_from=BASE + datetime.timedelta(days=i * 5 % 3650),
        )
        for i, model in zip(numbers, models, strict=True)
    )
    EvaluationScore.objects.bulk_create(
        EvaluationScore(
            model=model,
            evaluation=evaluation,
            score=Decimal(i % 90 + 5),
            setting="5-shot",
            evaluator="Grown",
            measured_on=BASE + datetime.timedelta(days=i % 3650),
            measured_by="independent",
        )
        for i, model in zip(numbers, models, strict=True)
    )
    TrainingRun.objects.bulk_create(
        TrainingRun(slug=f"run-{i}", model=model, hardware=chip, chip_count=1000)
        for i, model, chip in zip(numbers, models, chips, strict=True)
    )
    CloudPrice.objects.bulk_create(
        CloudPrice(
            provider=cloud,
            hardware=chip,
            instance_type=f"box-{i}",
            accelerators_per_instance=8,
            region="us-east-1",
            price_per_hour=Decimal(i % 50 + 1),
            effective_from=BASE + datetime.timedelta(days=i % 3650),
        )
        for i, chip in zip(numbers, chips, strict=True)
    )


@pytest.fixture(autouse=True)
def _uncached(settings):
    settings.RESPONSE_CACHE_ENABLED = False  # every request must do the page's own work


@pytest.fixture
def growing(monkeypatch):
    """A few hand-made rows and a ``grow(count)`` that adds that many more of every kind."""
    lab = make_org("lab", name="Lab", is_model_developer=True, is_cloud_provider=True)
    vendor = make_org("vendor", name="Vendor", is_chip_designer=True)
    cloud = make_org("cloud", name="Cloud", is_cloud_provider=True)
    evaluation = make_evaluation("mmlu", name="MMLU")
    model = make_model("seed-lm", org=lab, name="Seed LM", parameters=7 * 10**9, release_date=datetime.date(2024, 1, 1))
    make_hardware("seed-chip", vendor=vendor, name="Seed Chip", kind="gpu", bf16_flops=1e15, memory_bytes=8 * 10**10)
    make_price(model, lab, "2024-01-01", api_model_id="seed-lm")
    make_score(model, evaluation, "80")
    state = {"next": 0}
    monkeypatch.setattr(thinning, "MAX_POINTS", 100)  # so that 150 rows are already more than a chart draws

    def more(count):
        grow(count, start=state["next"], lab=lab, provider=lab, cloud=cloud, vendor=vendor, evaluation=evaluation)
        state["next"] += count

    return more


def measure(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    body = response.content.decode()
    return {"queries": len(queries), "bytes": len(body), "options": len(re.findall(r"<option\b", body))}


PAGES = [
    reverse("catalog:home"),
    reverse("catalog:model-list"),
    reverse("catalog:model-detail", args=["seed-lm"]),
    reverse("catalog:organization-detail", args=["lab"]),
    reverse("catalog:organization-detail", args=["vendor"]),
    reverse("catalog:organization-detail", args=["cloud"]),
    reverse("catalog:organization-list"),
    reverse("catalog:hardware-list"),
    reverse("catalog:hardware-detail", args=["seed-chip"]),
    reverse("catalog:price-list"),
    reverse("catalog:application-list"),
    reverse("catalog:chart-moores-law"),
    reverse("catalog:chart-vendors"),
    reverse("catalog:chart-ppa"),
    reverse("catalog:chart-roofline"),
    reverse("catalog:chart-prices"),
    reverse("catalog:chart-model-scale"),
    reverse("catalog:chart-capability-prices"),
    reverse("catalog:compare"),
    reverse("catalog:evaluation-list"),
    reverse("catalog:evaluation-detail", args=["mmlu"]),
    reverse("catalog:estimate-matrix"),
    reverse("catalog:estimate-tokens"),
    reverse("catalog:estimate-training"),
    reverse("catalog:estimate-pair", args=["seed-lm", "seed-chip"]),
]


@pytest.mark.parametrize("url", PAGES)
def test_page_work_does_not_grow_with_the_tables(client, growing, url):
    growing(150)
    small = measure(client, url)
    growing(150)
    large = measure(client, url)
    print(url, small, large)
    assert large["queries"] == small["queries"], (url, small, large)
    assert large["options"] == small["options"], (url, small, large)
    assert large["bytes"] <= small["bytes"] + SLACK_BYTES, (url, small, large)


@pytest.mark.parametrize("kind", ["blended", "input", "output"])
def test_the_cheapest_line_read_from_the_database_is_the_full_sweeps_line(kind):
    """Random periods, open and closed, with ties: the pruned read draws exactly the line of the full sweep."""
    import random

    rng = random.Random(7)
    lab = make_org("lab", name="Lab")
    models = [make_model(f"m{i}", org=lab) for i in range(3)]
    make_falling_prices(rng, models, lab, start=BASE, lowest=1)
    queryset = PricePoint.objects.select_related("model", "provider")
    full = price_charts.cheapest_steps(list(queryset), kind)
    read = price_charts.cheapest_steps_in(PricePoint.objects.all(), kind)
    assert [(date, getattr(row, "pk", None)) for date, row in read] == [
        (date, getattr(row, "pk", None)) for date, row in full
    ]
    assert len(full) > 10
    field = {"blended": "blended_rank", "input": "input_per_mtok", "output": "output_per_mtok"}[kind]
    ranked = PricePoint.objects.with_blended_rank() if kind == "blended" else PricePoint.objects.all()
    assert price_charts.undominated(ranked, field).count() < 200  # most of the 400 never reach the sweep


@pytest.mark.parametrize("request_tokens", [(1000, 0, 500), (300_000, 2000, 100), (10, 10**6, 0)])
def test_the_token_pages_cheapest_costs_are_the_first_of_every_cost(request_tokens):
    """Tiers, cached rates and ties: the cheapest few read through the database are the full ranking's first few."""
    import random

    from catalog.estimating import current_usd_prices, price_rows
    from catalog.estimators import token_costs
    from catalog.token_quotes import cheapest_costs

    rng = random.Random(11)
    lab = make_org("lab", name="Lab")
    model = make_model("m", org=lab)
    for i in range(150):
        tiers = rng.choice([["standard"], ["standard", ">200k"], ["0-128k", ">128k"]])
        for tier in tiers:
            PricePoint.objects.create(
                model=model,
                provider=lab,
                api_model_id=f"id-{i}",
                context_tier=tier,
                input_per_mtok=Decimal(rng.randrange(1, 40)) / 4,
                output_per_mtok=Decimal(rng.randrange(1, 40)) / 2,
                cached_input_per_mtok=Decimal(rng.randrange(1, 10)) / 8 if rng.random() < 0.5 else None,
                effective_from=datetime.date(2024, 1, 1),
            )
    input_tokens, cached_tokens, output_tokens = request_tokens
    tokens = {"input_tokens": input_tokens, "cached_tokens": cached_tokens, "output_tokens": output_tokens}
    every = token_costs(**tokens, prices=price_rows(current_usd_prices()))
    shown, total = cheapest_costs(current_usd_prices(), **tokens, limit=10)
    assert [(cost.price.key.pk, cost.total_usd) for cost in shown] == [
        (cost.price.key.pk, cost.total_usd) for cost in every[:10]
    ]
    assert total == len(every)


def test_a_thinned_scatter_keeps_its_extremes_and_its_bound():
    points = [(i, i % 97, (i * 7919) % 1000) for i in range(5000)]
    keep = thinning.thinned(points, limit=100)
    assert len(keep) <= 100
    assert len(set(keep)) == len(keep)
    kept = [point for point in points if point[0] in set(keep)]
    for axis in (1, 2):
        assert min(point[axis] for point in kept) == min(point[axis] for point in points)
        assert max(point[axis] for point in kept) == max(point[axis] for point in points)
    assert thinning.thinned(points[:50], limit=100) == [point[0] for point in points[:50]]
