"""API viewsets: a queryset that fetches related rows up front, a serializer, a FilterSet.

Lists take a constant number of queries whatever the page size (count, rows, one per prefetch).
"""

from django.db import transaction
from django.db.models import Prefetch
from django.utils.translation import get_language
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import generics, viewsets
from rest_framework.decorators import action
from rest_framework.renderers import BrowsableAPIRenderer
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from catalog import filters
from catalog.api import serializers, values_read
from catalog.api.csv_export import streaming_csv_response
from catalog.api.errors import save_atomically
from catalog.api.fields import PREFETCHED
from catalog.api.renderers import JSONRenderer
from catalog.benchmarking import serializers as benchmark_serializers
from catalog.benchmarking.store import catalog_bounds, target_checks
from catalog.comparisons import comparable_hardware, compare_hardware, vendor_stats
from catalog.models import (
    Application,
    BenchmarkResult,
    BenchmarkRun,
    CloudPrice,
    Concept,
    FoundationModel,
    Hardware,
    Organization,
    PricePoint,
    Source,
    TrainingRun,
)
from catalog.models.price_checks import with_last_check


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend, building each FilterSet's form class once per language instead of per request.

    Building it (a form field per filter, labels translated) was a quarter of a list request. The class depends
    only on the FilterSet's declarations (fixed querysets, no per-request choices) and the language; every
    request still gets its own form instance (Django deep-copies the fields), validated and applied as before.
    """

    form_classes = {}

    # Query parameters that are not filters. A request naming no other parameter skips the FilterSet: every filter
    # would get an empty value and return the queryset unchanged (tests/test_api_values_read.py checks that for
    # every API FilterSet), and building and validating the form was a third of an unfiltered list request.
    NOT_FILTERS = frozenset({"page", "page_size", "format"})

    def filter_queryset(self, request, queryset, view):
        if self.NOT_FILTERS.issuperset(request.query_params):
            return queryset
        return super().filter_queryset(request, queryset, view)

    def get_filterset(self, request, queryset, view):
        filterset = super().get_filterset(request, queryset, view)
        if filterset is not None:
            key = (type(filterset), get_language())
            form_class = self.form_classes.get(key)
            if form_class is None:
                form_class = self.form_classes[key] = filterset.get_form_class()
            filterset.get_form_class = lambda: form_class
        return filterset


def wants_csv(request):
    return getattr(request.accepted_renderer, "format", None) == "csv"


class CatalogViewSet(viewsets.ModelViewSet):
    """Reads for everyone, writes for staff; every list also streams as CSV."""

    lookup_field = "slug"
    filter_backends = [FilterBackend]

    # JSON list pages are built from values() rows (catalog.api.values_read); False: DRF's own path.
    values_read = True

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        if wants_csv(request):
            return self.csv_response(queryset)
        if self.values_read:
            response = values_read.list_response(self, queryset)
            if response is not None:
                return response
        page = self.paginate_queryset(queryset)
        if page is None:
            return Response(self.get_serializer(queryset, many=True).data)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def csv_response(self, queryset, filename=None):
        return streaming_csv_response(
            queryset, self.get_serializer_class(), self.get_serializer_context(), filename or self.basename
        )

    def perform_create(self, serializer):
        save_atomically(serializer.save)
        self._reload(serializer)

    def perform_update(self, serializer):
        save_atomically(serializer.save)
        self._reload(serializer)

    def perform_destroy(self, instance):
        with transaction.atomic():
            instance.delete()

    def _reload(self, serializer):
        # Answer with what a GET would show: annotations and prefetches come from the viewset's queryset.
        serializer.instance = self.get_queryset().get(pk=serializer.instance.pk)


# What a source or related-row summary shows: loading only that keeps big pages cheap.
SOURCE_SUMMARY = Source.objects.only("url", "title", "publisher", "kind")
ORGANIZATION_SUMMARY = Organization.objects.only("slug", "name")


def summaries(name, queryset):
    """Related rows as a plain list on each row, which the summary fields read directly."""
    return Prefetch(name, queryset=queryset, to_attr=PREFETCHED.format(name))


SUMMARY_FIELDS = {"id", "slug", "name"}


def with_summaries(queryset, *relations):
    """``select_related`` for rows shown as summaries, loading only their slug and name."""
    deferred = []
    for relation in relations:
        related = queryset.model._meta.get_field(relation).related_model
        deferred += [
            f"{relation}__{field.name}" for field in related._meta.concrete_fields if field.name not in SUMMARY_FIELDS
        ]
    return queryset.select_related(*relations).defer(*deferred)


def sourced(queryset):
    return queryset.prefetch_related(summaries("sources", SOURCE_SUMMARY))


class OrganizationViewSet(CatalogViewSet):
    queryset = sourced(with_summaries(Organization.objects.all(), "parent"))
    serializer_class = serializers.OrganizationSerializer
    filterset_class = filters.OrganizationFilterSet


def price_points():
    return with_last_check(sourced(with_summaries(PricePoint.objects.all(), "model", "provider")))


class FoundationModelViewSet(CatalogViewSet):
    filterset_class = filters.FoundationModelFilterSet

    def get_queryset(self):
        models = sourced(
            with_summaries(FoundationModel.objects.all(), "base_model").prefetch_related(
                summaries("organizations", ORGANIZATION_SUMMARY)
            )
        )
        if self.action == "list":
            return models
        return models.prefetch_related(
            Prefetch("training_runs", queryset=sourced(with_summaries(TrainingRun.objects.all(), "model", "hardware"))),
            Prefetch("prices", queryset=price_points().current(), to_attr="current_prices"),
        )

    def get_serializer_class(self):
        if self.action == "list":
            return serializers.FoundationModelSerializer
        if self.action == "prices":
            return serializers.PricePointSerializer
        return serializers.FoundationModelDetailSerializer

    @extend_schema(
        summary="Every dated price of one model",
        description="The full price history of the model across providers, oldest first. Not paginated.",
        filters=False,
        responses=serializers.PricePointSerializer(many=True),
    )
    @action(detail=True, filterset_class=None, pagination_class=None)
    def prices(self, request, slug=None):
        model = self.get_object()
        history = price_points().filter(model=model).order_by("effective_from", "provider__name", "api_model_id")
        if wants_csv(request):
            return self.csv_response(history, filename=f"{model.slug}-prices")
        return Response(self.get_serializer(history, many=True).data)


class HardwareViewSet(CatalogViewSet):
    queryset = sourced(with_summaries(Hardware.objects.with_derived_metrics(), "vendor", "foundry"))
    serializer_class = serializers.HardwareSerializer
    filterset_class = filters.HardwareFilterSet


class TrainingRunViewSet(CatalogViewSet):
    queryset = sourced(with_summaries(TrainingRun.objects.all(), "model", "hardware"))
    serializer_class = serializers.TrainingRunSerializer
    filterset_class = filters.TrainingRunFilterSet


class PricePointViewSet(CatalogViewSet):
    lookup_field = "pk"
    queryset = price_points()
    serializer_class = serializers.PricePointSerializer
    filterset_class = filters.PricePointFilterSet


class CloudPriceViewSet(CatalogViewSet):
    lookup_field = "pk"
    queryset = sourced(with_summaries(CloudPrice.objects.all(), "provider", "hardware"))
    serializer_class = serializers.CloudPriceSerializer
    filterset_class = filters.CloudPriceFilterSet


class ApplicationViewSet(CatalogViewSet):
    queryset = sourced(
        with_summaries(Application.objects.all(), "organization").prefetch_related(
            summaries("foundation_models", FoundationModel.objects.only("slug", "name"))
        )
    )
    serializer_class = serializers.ApplicationSerializer
    filterset_class = filters.ApplicationFilterSet


class ConceptViewSet(CatalogViewSet):
    queryset = sourced(Concept.objects.prefetch_related(summaries("related", Concept.objects.only("slug", "name_en"))))
    serializer_class = serializers.ConceptSerializer
    filterset_class = filters.ConceptFilterSet


class SourceViewSet(CatalogViewSet):
    lookup_field = "pk"
    queryset = Source.objects.all()
    serializer_class = serializers.SourceSerializer
    filterset_class = filters.SourceFilterSet


class HardwareComparisonView(generics.GenericAPIView):
    """2 to 6 chips side by side: stored and derived figures, each with its confidence and sources."""

    queryset = comparable_hardware()
    serializer_class = serializers.HardwareComparisonSerializer
    query_serializer = serializers.HardwareCompareQuerySerializer
    filter_backends = []
    pagination_class = None

    @extend_schema(summary="Compare hardware side by side", parameters=[serializers.HardwareCompareQuerySerializer])
    def get(self, request):
        query = self.query_serializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        slugs = query.validated_data["slugs"]
        chips = sorted(self.get_queryset().filter(slug__in=slugs), key=lambda chip: slugs.index(chip.slug))
        return Response(self.get_serializer(compare_hardware(chips)).data)


class VendorStatsView(generics.GenericAPIView):
    """Per vendor: chip count, best dense BF16, best FLOP/s per watt, largest memory, latest release.

    Accelerators only (the landmark CPUs are left out); the hardware filters narrow the set.
    """

    queryset = Hardware.objects.accelerators().with_derived_metrics().select_related("vendor")
    serializer_class = serializers.VendorStatsSerializer
    filterset_class = filters.HardwareFilterSet

    @extend_schema(summary="Records per hardware vendor", responses=serializers.VendorStatsSerializer(many=True))
    def get(self, request):
        # A page of vendors (by name), then only their chips: a catalog of thousands of vendors is paged like
        # every other list. A CSV is the page's rows, too.
        chips = self.filter_queryset(self.get_queryset())
        vendors = Organization.objects.filter(pk__in=chips.values("vendor_id")).order_by("name", "pk")
        page = self.paginate_queryset(vendors.values_list("pk", flat=True))
        rows = self.get_serializer(vendor_stats(chips.filter(vendor_id__in=list(page))), many=True).data
        if request.accepted_renderer.format == "csv":
            return Response(rows)
        return self.get_paginated_response(rows)


class BenchmarkRunViewSet(viewsets.ReadOnlyModelViewSet):
    """Runs of the bundled micro-model benchmark, newest first: measurements, read-only.

    ``manage.py run_benchmark`` records them. Lists leave out the raw samples; a run's detail adds them and
    the same model's roofline bounds on the catalog's chips (``catalog_estimates``: estimates, not measurements)
    and its target verdicts (``targets``), both worked out here by ``catalog.benchmarking.store``.
    """

    filterset_class = filters.BenchmarkRunFilterSet
    # Nested results do not flatten into one CSV row per run: JSON only.
    renderer_classes = [JSONRenderer, BrowsableAPIRenderer]

    def get_queryset(self):
        results = BenchmarkResult.objects.all()
        if self.action == "list":
            results = results.defer("samples")
        return BenchmarkRun.objects.prefetch_related(Prefetch("results", queryset=results))

    def get_serializer_class(self):
        if self.action == "list":
            return benchmark_serializers.BenchmarkRunSerializer
        return benchmark_serializers.BenchmarkRunDetailSerializer

    @extend_schema(parameters=[benchmark_serializers.ChipPageSerializer])
    def retrieve(self, request, *args, **kwargs):
        page = benchmark_serializers.ChipPageSerializer(data=request.query_params)
        page.is_valid(raise_exception=True)
        limit, offset = page.validated_data["chip_limit"], page.validated_data["chip_offset"]
        run = self.get_object()
        # A page of the catalog's chips, not all of them: thousands of chips made a run's answer megabytes.
        bounds = catalog_bounds(run, limit=limit, offset=offset)
        more = offset + limit < bounds["hardware_count"]
        following = replace_query_param(request.build_absolute_uri(), "chip_offset", offset + limit)
        context = {
            **self.get_serializer_context(),
            "catalog_estimates": {**bounds, "next": following if more else None},
            "targets": target_checks(run),
        }
        return Response(self.get_serializer(run, context=context).data)
