"""Every catalog table is maintainable through the admin: lists, search, filters, add and change pages."""

import re

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from catalog.models import (
    Application,
    BenchmarkResult,
    BenchmarkRun,
    CloudPrice,
    Concept,
    DataVersion,
    Discrepancy,
    Evaluation,
    EvaluationScore,
    FoundationModel,
    Hardware,
    ImportRun,
    Organization,
    PriceCheck,
    PricePoint,
    Source,
    TrainingRun,
    UnmatchedOffering,
)
from tests.factories import make_evaluation, make_hardware, make_model, make_org, make_price, make_score, make_source

pytestmark = pytest.mark.django_db

# The catalog's tables; the import bookkeeping (the log, offerings awaiting review) is tested in test_import,
# benchmark runs (measurements, read-only) in test_benchmark_pages, and the outside layer's discrepancies
# (read-only, written by bundle_outside_data) in test_outside_layer.
NOT_CURATED = {ImportRun, UnmatchedOffering, BenchmarkRun, Discrepancy}
CATALOG_MODELS = [
    model for model in admin.site._registry if model._meta.app_label == "catalog" and model not in NOT_CURATED
]
# The one table without an admin page of its own, and the page it is shown on instead: a benchmark run's
# configurations, read-only inline on the run (measurements are recorded by run_benchmark, never typed in).
SHOWN_INLINE = {BenchmarkResult: BenchmarkRun}
# For each table: a word its admin search finds in the ``rows`` fixture, and how many rows it finds.
SEARCHES = {
    Source: ("datasheet", 1),
    Organization: ("openai", 1),
    FoundationModel: ("gpt", 1),
    Hardware: ("acme", 1),
    TrainingRun: ("gpt", 1),
    PricePoint: ("gpt-4o", 2),
    PriceCheck: ("gpt-4o", 1),
    CloudPrice: ("npu.8x", 1),
    Application: ("chatgpt", 1),
    Concept: ("토큰", 1),
    Evaluation: ("mmlu", 1),
    EvaluationScore: ("gpt-4o", 1),
}


@pytest.fixture
def rows():
    provider = make_org("openai", is_model_developer=True)
    model = make_model("gpt-4o", org=provider)
    chip = make_hardware("acme-npu")
    price = make_price(model, provider, "2024-05-13", "2024-08-06", api_model_id="gpt-4o")
    current = make_price(model, provider, "2024-08-06", api_model_id="gpt-4o", input_price="2.50")
    PriceCheck.objects.create(price=current, checked_on="2024-09-01", source=make_source())
    TrainingRun.objects.create(slug="gpt-4o-training", model=model, hardware=chip, chip_count=1000)
    make_score(model, make_evaluation("mmlu", name="MMLU"), "88.7")
    CloudPrice.objects.create(
        provider=provider,
        hardware=chip,
        instance_type="npu.8x",
        region="kr",
        price_per_hour=8,
        effective_from="2024-01-01",
    )
    Concept.objects.create(slug="token", name_en="Token", name_ko="토큰", summary_en="A unit.", summary_ko="단위.")
    app = Application.objects.create(slug="chatgpt", name="ChatGPT", organization=provider)
    app.foundation_models.add(model)
    make_source()
    return {"model": model, "price": price}


def test_every_catalog_table_is_registered():
    # The data version is bookkeeping every write moves, not data anyone edits.
    tables = set(apps.get_app_config("catalog").get_models()) - {DataVersion}
    assert {model for model in tables if not admin.site.is_registered(model)} == set(SHOWN_INLINE)
    for model, parent in SHOWN_INLINE.items():
        assert model in [inline.model for inline in admin.site._registry[parent].inlines]
    assert set(SEARCHES) == set(CATALOG_MODELS)  # each curated table has its search case below


@pytest.mark.parametrize("model", CATALOG_MODELS, ids=lambda m: m.__name__)
def test_list_search_add_and_change_pages_render(admin_client, rows, model):
    info = model._meta.app_label, model._meta.model_name
    changelist_url = reverse("admin:{}_{}_changelist".format(*info))
    listed = admin_client.get(changelist_url)
    assert listed.status_code == 200
    assert listed.context["cl"].result_count == model.objects.count() > 0
    word, hits = SEARCHES[model]
    found = admin_client.get(changelist_url, {"q": word})
    assert found.status_code == 200
    assert found.context["cl"].result_count == hits
    assert admin_client.get(changelist_url, {"q": "no-such-word"}).context["cl"].result_count == 0
    add = admin_client.get(reverse("admin:{}_{}_add".format(*info)))
    assert add.status_code == 200
    assert add.context["add"] and add.context["adminform"].form._meta.model is model
    obj = model.objects.first()
    change = admin_client.get(reverse("admin:{}_{}_change".format(*info), args=[obj.pk]))
    assert change.status_code == 200
    assert change.context["original"] == obj


def test_model_page_shows_its_price_history_and_sources_inline(admin_client, rows):
    page = admin_client.get(reverse("admin:catalog_foundationmodel_change", args=[rows["model"].pk]))
    html = page.content.decode()
    assert "2024-05-13" in html and "2024-08-06" in html
    assert "Sources (primary first)" in html
    source = Source.objects.get(url="https://example.org/datasheet")
    first_source = (
        r'<select name="FoundationModel_sources-0-source"[^>]*>\s*<option value="(\d+)" selected>A datasheet<'
    )
    assert [int(pk) for pk in re.findall(first_source, html)] == [source.pk]


def test_relations_use_autocomplete(admin_client, rows):
    response = admin_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "catalog", "model_name": "pricepoint", "field_name": "provider", "term": "open"},
    )
    assert response.status_code == 200
    assert [result["text"] for result in response.json()["results"]] == ["Openai"]


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get(reverse("admin:catalog_hardware_changelist"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_overlapping_price_entered_in_the_admin_is_refused_with_a_message(admin_client, rows):
    data = {
        "model": rows["model"].pk,
        "provider": rows["price"].provider.pk,
        "api_model_id": "gpt-4o",
        "context_tier": "standard",
        "currency": "USD",
        "input_per_mtok": "5",
        "output_per_mtok": "15",
        "effective_from": "2024-06-01",
        "confidence": "reported",
        "notes": "",
        "PricePoint_sources-TOTAL_FORMS": "0",
        "PricePoint_sources-INITIAL_FORMS": "0",
    }
    before = PricePoint.objects.count()
    response = admin_client.post(reverse("admin:catalog_pricepoint_add"), data)
    assert response.status_code == 200
    assert "overlaps" in response.content.decode()
    assert PricePoint.objects.count() == before


def test_model_list_names_developers_without_a_query_per_row(admin_client, rows, django_assert_max_num_queries):
    for index in range(20):
        make_model(f"extra-{index}")
    with django_assert_max_num_queries(12):
        page = admin_client.get(reverse("admin:catalog_foundationmodel_changelist"))
    assert "Openai" in page.content.decode()
