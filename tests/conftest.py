import datetime
import os
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction
from django.utils import translation
from rest_framework.test import APIClient

from catalog.models import Application, CloudPrice, Concept, TrainingRun
from tests.factories import (
    make_evaluation,
    make_hardware,
    make_model,
    make_org,
    make_price,
    make_score,
    make_source,
)


@pytest.fixture(autouse=True)
def _empty_cache(request):
    """Throttle counters live in the cache, which outlives a test's transaction: start each test clean.

    The default cache is a database table, so only tests that may use the database touch it.
    """
    uses_db = request.node.get_closest_marker("django_db") or {"db", "transactional_db"} & set(request.fixturenames)
    if uses_db:
        request.getfixturevalue("db")
        cache.clear()
    yield


@pytest.fixture(autouse=True)
def _default_language():
    """A request to a /ko/ page leaves Korean active in the test's thread (LocaleMiddleware activates it and
    nothing turns it off between test-client requests): each test starts in the default language."""
    translation.deactivate()
    yield


@pytest.fixture(autouse=True)
def _response_cache_only_where_marked(request, settings):
    """Tests count a view's queries, throttle a client, or change a setting between two requests of one URL;
    a cached answer would hide all three, and a cached figure the first. The caches have their own tests, marked
    ``response_cache`` (tests/test_response_cache.py), which cover what they must never change: a write is seen
    at once."""
    marked = request.node.get_closest_marker("response_cache") is not None
    settings.RESPONSE_CACHE_ENABLED = settings.FIGURE_CACHE_ENABLED = marked


@pytest.fixture(scope="module")
def bundled(django_db_setup, django_db_blocker):
    """The bundled data, loaded once per test module inside a transaction rolled back at its end."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_bundled_data", verbosity=0)
        yield
        transaction.set_rollback(True)


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def catalog():
    """Two labs in two countries, three models, three chips, a price history, and one of everything else."""
    openai = make_org("openai", name="OpenAI", country="US", is_model_developer=True, is_cloud_provider=True)
    naver = make_org("naver", name="NAVER", local_name="네이버", country="KR", is_model_developer=True)
    nvidia = make_org("nvidia", name="NVIDIA", country="US", is_chip_designer=True)
    furiosa = make_org("furiosaai", name="FuriosaAI", country="KR", is_chip_designer=True)

    gpt3 = make_model(
        "gpt-3",
        org=openai,
        name="GPT-3",
        family="GPT",
        release_date=datetime.date(2020, 5, 28),
        parameters=175_000_000_000,
        description="Few-shot learner.",
    )
    gpt4o = make_model(
        "gpt-4o",
        org=openai,
        name="GPT-4o",
        family="GPT",
        release_date=datetime.date(2024, 5, 13),
        modality="multimodal",
    )
    hyperclova = make_model(
        "hyperclova-x",
        org=naver,
        name="HyperCLOVA X",
        family="HyperCLOVA",
        release_date=datetime.date(2023, 8, 24),
        parameters=82_000_000_000,
        access="hosted",
    )

    h100 = make_hardware(
        "nvidia-h100",
        vendor=nvidia,
        name="NVIDIA H100",
        kind="gpu",
        use="both",
        release_date=datetime.date(2022, 9, 20),
        bf16_flops=989.4e12,
        tdp_watts=700.0,
        die_area_mm2=814.0,
        memory_bytes=80 * 10**9,
        memory_bandwidth=3.35e12,
    )
    a100 = make_hardware(
        "nvidia-a100",
        vendor=nvidia,
        name="NVIDIA A100",
        kind="gpu",
        use="both",
        release_date=datetime.date(2020, 5, 14),
        bf16_flops=312e12,
        tdp_watts=400.0,
        memory_bytes=80 * 10**9,
        memory_bandwidth=2.039e12,
    )
    rngd = make_hardware(
        "furiosa-rngd",
        vendor=furiosa,
        name="FuriosaAI RNGD",
        kind="npu",
        use="inference",
        release_date=datetime.date(2024, 8, 26),
        bf16_flops=256e12,
        tdp_watts=0.0,  # unknown power written as zero must not divide
        memory_bytes=48 * 10**9,
        memory_bandwidth=1.5e12,
    )

    # GPT-3 davinci: 60 USD until 2022-09-01, then 20 USD (open-ended).
    old = make_price(gpt3, openai, "2021-01-01", "2022-09-01", api_model_id="davinci", input_price="60.00")
    new = make_price(gpt3, openai, "2022-09-01", api_model_id="davinci", input_price="20.00")
    old.output_per_mtok = new.output_per_mtok = Decimal("60.00")
    old.save()
    new.save()
    make_price(gpt4o, openai, "2024-05-13", api_model_id="gpt-4o", input_price="2.50")

    make_score(gpt3, make_evaluation("mmlu", name="MMLU"), "43.9", setting="few-shot", evaluator="Hendrycks et al.")

    run = TrainingRun.objects.create(slug="gpt-3-training", model=gpt3, hardware=h100, chip_count=1024)
    run.sources.add(make_source())
    cloud = CloudPrice.objects.create(
        provider=openai,
        hardware=h100,
        instance_type="p5.48xlarge",
        accelerators_per_instance=8,
        region="us-east-1",
        price_per_hour=Decimal("98.32"),
        effective_from=datetime.date(2023, 7, 26),
    )
    cloud.sources.add(make_source())
    app = Application.objects.create(slug="chatgpt", name="ChatGPT", organization=openai, category="assistant")
    app.foundation_models.add(gpt4o)
    app.sources.add(make_source())
    Concept.objects.create(
        slug="moores-law", name_en="Moore's law", name_ko="무어의 법칙", summary_en="Doubling.", summary_ko="두 배."
    )
    return {
        "orgs": {"openai": openai, "naver": naver, "nvidia": nvidia, "furiosaai": furiosa},
        "models": {"gpt-3": gpt3, "gpt-4o": gpt4o, "hyperclova-x": hyperclova},
        "hardware": {"nvidia-h100": h100, "nvidia-a100": a100, "furiosa-rngd": rngd},
        "prices": {"davinci-old": old, "davinci-new": new},
        "cloud": cloud,
    }


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium for the real-browser tests (tests/browser.py says when they skip)."""
    from playwright.sync_api import sync_playwright

    from tests.browser import CHROMIUM

    # Playwright's sync API keeps an event loop running in this thread, which makes Django refuse database
    # calls from the test itself; the tests are synchronous, so allow them while the browser is open.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous
