"""List pages built from values() (catalog.api.values_read) are byte-identical to DRF's own serialization.

Each endpoint is read twice, once with the values() path and once with ``values_read`` switched off (DRF
serializing prefetched instances), over the bundled data plus rows with nulls, empty relations, Korean names
and many related rows, across pages, filters and orderings.
"""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from catalog.api.fast_read import FastReadMixin
from catalog.models import Application, Concept, FoundationModel, Hardware, Organization, Source

pytestmark = [pytest.mark.django_db]

# endpoint, (query strings): every list the values() path serves, with filters, orderings and pages.
CASES = [
    ("organizations", ["", "?page=2", "?ordering=-founded", "?country=KR", "?role=chip-designer&page_size=7"]),
    ("models", ["", "?page=3", "?page_size=200", "?ordering=-parameters", "?country=KR", "?search=exaone"]),
    ("hardware", ["", "?page=2", "?page_size=200", "?ordering=-memory_bytes", "?family=H100"]),
    ("training-runs", ["", "?ordering=-chip_count", "?page_size=5&page=2"]),
    ("prices", ["", "?page=2", "?ordering=-effective_from", "?page_size=200"]),
    ("cloud-prices", ["", "?ordering=price_per_hour", "?page_size=3&page=2"]),
    ("applications", ["", "?ordering=-launched", "?page_size=4&page=2"]),
    ("concepts", ["", "?ordering=-name_ko", "?page_size=5&page=3"]),
    ("sources", ["", "?page=2", "?ordering=-published_on"]),
]


@pytest.fixture(scope="module")
def rows(bundled, django_db_blocker):
    """Rows the bundle may lack: nulls everywhere allowed, no relations, Korean names, many related rows."""
    with django_db_blocker.unblock():
        sources = list(Source.objects.order_by("pk")[:12])
        organizations = list(Organization.objects.order_by("pk")[:9])
        bare = FoundationModel.objects.create(slug="vr-bare", name="빈 모델", name_ko="빈 모델", family="")
        crowded = FoundationModel.objects.create(
            slug="vr-crowded",
            name="많은 모델",
            name_ko="많은",
            release_date=datetime.date(2031, 2, 3),
            parameters=10**15,
            base_model=bare,
            description="설명",
        )
        crowded.organizations.set(organizations)
        crowded.sources.set(sources)
        chip = Hardware.objects.create(
            slug="vr-chip",
            name="칩",
            vendor=organizations[0],
            launch_price_usd=Decimal("1234.5"),
            memory_bytes=None,
        )
        chip.sources.set(sources[:1])
        Organization.objects.create(slug="vr-org", name="한국 조직", country="KR", is_chip_designer=True)
        application = Application.objects.create(slug="vr-app", name="앱", organization=organizations[1])
        application.foundation_models.set([bare, crowded])
        concept = Concept.objects.create(slug="vr-concept", name_en="Zeta", name_ko="제타")
        concept.related.set(Concept.objects.exclude(pk=concept.pk)[:5])
        yield


def refuse(*args):
    raise AssertionError("serialized an instance")


def get(client, url):
    response = client.get(url, HTTP_ACCEPT="application/json")
    assert response.status_code == 200, response.content[:300]
    return response


@pytest.mark.usefixtures("rows")
@pytest.mark.parametrize(("endpoint", "queries"), CASES, ids=[case[0] for case in CASES])
def test_values_path_is_byte_identical_to_drf(endpoint, queries, monkeypatch):
    from catalog.api import views  # after the URLconf: importing it first is circular (schema.py)

    client = APIClient()
    for query in queries:
        url = f"/api/v1/{endpoint}/{query}"
        with monkeypatch.context() as patch:  # the values() path must not fall back to the serializer
            patch.setattr(FastReadMixin, "to_representation", refuse)
            fast = get(client, url).content
        monkeypatch.setattr(views.CatalogViewSet, "values_read", False)
        slow = get(client, url).content
        monkeypatch.undo()
        assert fast == slow, url
        assert b'"results":[' in fast and b'"results":[]' not in fast, url


@pytest.mark.usefixtures("rows")
@pytest.mark.parametrize("endpoint", [case[0] for case in CASES])
def test_queries_do_not_grow_with_the_page(endpoint):
    client = APIClient()
    counts = []
    for size in (2, 200):
        with CaptureQueriesContext(connection) as queries:
            get(client, f"/api/v1/{endpoint}/?page_size={size}")
        # The catalog's own tables: the count, the page, one query per many-to-many list (not the cache's).
        counts.append(sum('"catalog_' in query["sql"] for query in queries.captured_queries))
    assert counts[0] == counts[1] <= 4, counts


@pytest.mark.usefixtures("rows")
def test_csv_and_the_browsable_api_still_answer():
    client = APIClient()
    csv = b"".join(client.get("/api/v1/models/?format=csv&search=설명").streaming_content)
    assert b"vr-crowded" in csv
    page = client.get("/api/v1/models/?search=설명", HTTP_ACCEPT="text/html")
    assert page.status_code == 200 and "많은 모델" in page.content.decode()


def api_viewsets_with_filters():
    from rest_framework.routers import BaseRouter

    from catalog.api import urls

    routers = [value for value in vars(urls).values() if isinstance(value, BaseRouter)]
    found = {viewset for router in routers for _, viewset, _ in router.registry if viewset.filterset_class}
    return sorted(found, key=lambda viewset: viewset.__name__)


def test_an_unfiltered_request_skips_a_filterset_that_would_change_nothing():
    """The filter backend skips the FilterSet when the query names no filter (catalog/api/views.py): only right
    while every FilterSet leaves the queryset as it is when given no values at all."""
    from django.http import QueryDict
    from rest_framework.exceptions import ValidationError
    from rest_framework.request import Request
    from rest_framework.test import APIRequestFactory

    from catalog.api.views import FilterBackend, FoundationModelViewSet

    viewsets = api_viewsets_with_filters()
    assert len(viewsets) >= 10, viewsets
    request = Request(APIRequestFactory().get("/api/v1/?page=2&page_size=7&format=json"))
    for viewset in viewsets:
        view = viewset(request=request, format_kwarg=None, action="list", kwargs={})
        queryset = view.get_queryset()
        filterset = viewset.filterset_class(QueryDict(), queryset=queryset, request=request)
        assert filterset.is_valid(), (viewset, filterset.errors)
        assert str(filterset.qs.query) == str(queryset.query), viewset
        assert FilterBackend().filter_queryset(request, queryset, view) is queryset, viewset
    # Any other parameter, even one no filter knows, goes through the FilterSet (which validates it).
    for query in ("?country=KR", "?page=2&unknown=1", "?parameters_min=lots"):
        filtered = Request(APIRequestFactory().get(f"/api/v1/models/{query}"))
        view = FoundationModelViewSet(request=filtered, format_kwarg=None, action="list", kwargs={})
        queryset = view.get_queryset()
        try:
            assert FilterBackend().filter_queryset(filtered, queryset, view) is not queryset, query
        except ValidationError:
            assert "lots" in query


@pytest.mark.usefixtures("rows")
def test_the_page_count_counts_without_the_joined_columns():
    """A chip's row shows its vendor's and foundry's names (joins); the page's count needs neither."""
    with CaptureQueriesContext(connection) as queries:
        response = get(APIClient(), "/api/v1/hardware/?page_size=3")
    counts = [
        query["sql"] for query in queries.captured_queries if "COUNT(" in query["sql"] and "catalog_" in query["sql"]
    ]
    assert len(counts) == 1 and "JOIN" not in counts[0].upper(), counts
    assert response.json()["count"] == Hardware.objects.count() > 3
