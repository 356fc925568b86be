"""The API's contract and limits: a valid OpenAPI schema, offline docs, throttling, constant query counts."""

import re

import pytest
import yaml
from django.core.management import call_command
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from rest_framework.settings import api_settings

from catalog.models import FoundationModel, Hardware, Organization, PricePoint
from tests.api_helpers import csv_rows, results
from tests.factories import make_hardware, make_org, make_price, make_source

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema(django_db_blocker, tmp_path_factory):
    """The schema as ``manage.py spectacular --validate --fail-on-warn`` writes it: any warning fails here."""
    path = tmp_path_factory.mktemp("schema") / "schema.yaml"
    with django_db_blocker.unblock():
        call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(path))
    return yaml.safe_load(path.read_text())


def operations(schema):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


class TestSchema:
    def test_every_router_collection_is_documented(self, schema):
        documented = {path.split("/")[3] for path in schema["paths"]}
        assert documented >= {
            "organizations",
            "models",
            "hardware",
            "training-runs",
            "prices",
            "cloud-prices",
            "applications",
            "concepts",
            "sources",
            "compare",
            "stats",
        }

    def test_error_responses_are_documented(self, schema):
        for path, method, operation in operations(schema):
            codes = set(operation["responses"])
            if method in ("post", "put", "patch", "delete"):
                assert {"401", "403"} <= codes, (method, path)
            if method in ("post", "put", "patch"):
                assert "400" in codes, (method, path)
            if "{" in path:
                assert "404" in codes, (method, path)
            assert "429" in codes, (method, path)

    def test_every_filter_is_documented(self, schema):
        parameters = {p["name"] for p in schema["paths"]["/api/v1/models/"]["get"]["parameters"]}
        assert parameters >= {
            "organization",
            "country",
            "released_after",
            "released_before",
            "parameters_min",
            "parameters_max",
            "access",
            "modality",
            "architecture",
            "search",
            "ordering",
            "page",
            "page_size",
            "format",
        }
        hardware = {p["name"] for p in schema["paths"]["/api/v1/hardware/"]["get"]["parameters"]}
        assert hardware >= {
            "vendor",
            "kind",
            "use",
            "release_year_min",
            "release_year_max",
            "min_bf16_flops",
            "min_memory_bytes",
            "min_memory_bandwidth",
        }
        prices = {p["name"] for p in schema["paths"]["/api/v1/prices/"]["get"]["parameters"]}
        assert prices >= {"model", "provider", "currency", "as_of", "current"}

    def test_blended_price_convention_is_stated(self, schema):
        field = schema["components"]["schemas"]["PricePoint"]["properties"]["blended_per_mtok"]
        assert "3 input : 1 output" in field["description"]

    def test_related_rows_are_slugs_in_requests_and_summaries_in_responses(self, schema):
        components = schema["components"]["schemas"]
        assert components["FoundationModelDetailRequest"]["properties"]["organizations"]["items"]["type"] == "string"
        summary = components["FoundationModel"]["properties"]["organizations"]["items"]
        assert set(summary["properties"]) == {"slug", "name", "url"}

    def test_csv_is_documented_as_text(self, schema):
        content = schema["paths"]["/api/v1/models/"]["get"]["responses"]["200"]["content"]
        assert content["text/csv"]["schema"]["type"] == "string"


EXTERNAL_URL = re.compile(r"""(?:src|href)=["'](?:https?:)?//""")


@pytest.mark.parametrize("page", ["/api/docs/", "/api/redoc/"])
def test_docs_pages_load_nothing_from_the_internet(client, page):
    response = client.get(page)
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/" in html
    assert not EXTERNAL_URL.search(html), EXTERNAL_URL.search(html)
    assert "fonts.googleapis" not in html


def test_docs_assets_are_installed_locally():
    from django.contrib.staticfiles import finders

    assert finders.find("drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")
    assert finders.find("drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js")


@pytest.mark.parametrize("url", ["/api/v1/", "/api/v1/models/", "/api/v1/models/gpt-3/", "/api/v1/hardware/"])
@pytest.mark.usefixtures("catalog")
def test_browsable_api_renders_with_its_forms_for_staff(admin_client, url):
    response = admin_client.get(url, HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    if url != "/api/v1/":
        assert "<form" in response.content.decode()


def test_schema_endpoint_serves_openapi_3(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert response.json()["openapi"].startswith("3.")


class TestThrottling:
    @pytest.fixture
    def three_per_minute(self, settings):
        rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "anon": "3/minute"}
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
        assert api_settings.DEFAULT_THROTTLE_RATES["anon"] == "3/minute"

    def test_anonymous_clients_are_throttled(self, api, three_per_minute):
        codes = [api.get("/api/v1/concepts/").status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        assert "Retry-After" in api.get("/api/v1/concepts/")

    def test_counters_are_per_client_address(self, api, three_per_minute):
        for _ in range(3):
            api.get("/api/v1/concepts/", REMOTE_ADDR="10.0.0.1")
        assert api.get("/api/v1/concepts/", REMOTE_ADDR="10.0.0.1").status_code == 429
        assert api.get("/api/v1/concepts/", REMOTE_ADDR="10.0.0.2").status_code == 200

    def test_counters_live_in_the_shared_cache(self, settings):
        assert settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"


def grow(count):
    """``count`` models, chips and prices, each fully linked, so a per-row query would show."""
    lab, vendor, source = make_org("lab"), make_org("vendor"), make_source()
    models = FoundationModel.objects.bulk_create(
        FoundationModel(slug=f"m-{n}", name=f"M {n}", access="api") for n in range(count)
    )
    FoundationModel.organizations.through.objects.bulk_create(
        FoundationModel.organizations.through(foundationmodel=model, organization=lab) for model in models
    )
    FoundationModel.sources.through.objects.bulk_create(
        FoundationModel.sources.through(foundationmodel=model, source=source) for model in models
    )
    Hardware.objects.bulk_create(
        Hardware(slug=f"h-{n}", name=f"H {n}", kind="gpu", vendor=vendor) for n in range(count)
    )
    for n, model in enumerate(models):
        make_price(model, lab, "2024-01-01", api_model_id=f"api-{n}")
    return models


LISTS = ["/api/v1/models/", "/api/v1/hardware/", "/api/v1/prices/", "/api/v1/models/?organization=lab&format=csv"]


@pytest.mark.parametrize("url", LISTS)
@pytest.mark.parametrize("rows", [10, 200])
@override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}})
def test_list_queries_do_not_grow_with_rows(api, django_assert_max_num_queries, url, rows):
    """Count, rows, and one query per prefetched relation (a filter by slug adds one), at any page size.

    The throttle's cache is in memory here, as with Redis in production; the default database cache
    adds its own few queries per anonymous request.
    """
    grow(rows)
    separator = "&" if "?" in url else "?"
    with django_assert_max_num_queries(4):
        response = api.get(f"{url}{separator}page_size=200")
        listed = len(csv_rows(response)) if response.streaming else len(results(response))
    assert listed == rows


@override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}})
def test_model_detail_queries_are_bounded(api, django_assert_max_num_queries):
    models = grow(20)
    for model in models[1:]:
        make_price(models[0], Organization.objects.get(slug="lab"), "2024-01-01", api_model_id=f"extra-{model.slug}")
    with django_assert_max_num_queries(8):
        body = api.get(f"/api/v1/models/{models[0].slug}/").json()
    assert len(body["current_prices"]) == 20
    assert PricePoint.objects.filter(model=models[0]).count() == 20


def test_vendor_stats_is_three_queries_for_any_number_of_chips(api, django_assert_num_queries, settings):
    # Paged like every list: the count, a page of vendors, their chips.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    for n in range(30):
        make_hardware(f"chip-{n}", vendor=make_org(f"vendor-{n}"), kind="npu", bf16_flops=float(n))
    with django_assert_num_queries(3):
        rows = results(api.get("/api/v1/stats/vendors/"))
    assert len(rows) == 30


def test_capture_sees_the_database_cache_queries_without_the_override(api):
    """Guard for the override above: the default cache really is the database."""
    from django.db import connection

    with CaptureQueriesContext(connection) as queries:
        api.get("/api/v1/concepts/")
    assert any("landscape_cache" in query["sql"] for query in queries.captured_queries)


@pytest.mark.django_db
def test_the_served_schema_is_generated_once_per_release_and_language(client, settings):
    from unittest import mock

    from drf_spectacular.generators import SchemaGenerator

    from catalog.api.schema_view import CachedSchemaView

    settings.RESPONSE_CACHE_ENABLED = False  # the view's own memo, not the response cache
    CachedSchemaView.generated.clear()
    with mock.patch.object(SchemaGenerator, "get_schema", autospec=True, side_effect=SchemaGenerator.get_schema) as spy:
        first = client.get("/api/schema/?format=json", HTTP_HOST="127.0.0.1")
        again = client.get("/api/schema/?format=json", HTTP_HOST="127.0.0.1")
        korean = client.get("/api/schema/?format=json&lang=ko", HTTP_HOST="127.0.0.1")
    assert first.status_code == again.status_code == korean.status_code == 200
    assert again.content == first.content
    assert spy.call_count == 2  # English once, Korean once
