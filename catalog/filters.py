"""One FilterSet per entity, shared by the API viewsets and the website's list pages.

Each set carries its own ``search`` (every word must match one of ``search_fields``) and ``ordering``
(an explicit allow-list), so a list page gets searching and sorting from the same class as the API.
"""

import operator
from functools import reduce

import django_filters as filters
from django import forms
from django.core.exceptions import FieldDoesNotExist
from django.db.models import F, Q
from django.forms.utils import pretty_name
from django.utils.text import capfirst, format_lazy
from django.utils.translation import gettext_lazy as _
from django_filters.fields import RangeField
from drf_spectacular.utils import extend_schema_field

from catalog.choices import (
    Access,
    Architecture,
    CloudPricingKind,
    Confidence,
    Currency,
    HardwareKind,
    HardwareUse,
    Modality,
    SourceKind,
    Task,
)
from catalog.models import (
    Application,
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
from catalog.models.hardware import DERIVED_METRICS

MAX_SEARCH_WORDS = 8


class IntegerRangeField(RangeField):
    """Two bounded whole numbers: a year of 0 or a count past 64 bits is a 400, not a database error."""

    def __init__(self, *args, min_value=None, max_value=None, **kwargs):
        bounds = [forms.IntegerField(min_value=min_value, max_value=max_value) for _ in range(2)]
        super().__init__(bounds, *args, **kwargs)


class IntegerRangeFilter(filters.RangeFilter):
    field_class = IntegerRangeField


def typed(filter_, openapi_type):
    """Tell the schema generator a filter's type where it cannot infer it (a lookup path, a slug)."""
    return extend_schema_field({"type": openapi_type, "description": filter_.extra.get("help_text", "")})(filter_)


def field_label(model, name):
    """A sortable column's label, lazy so it follows the reader's language: its verbose name, or the metric's."""
    if name in DERIVED_METRICS:
        return DERIVED_METRICS[name].label
    try:
        return capfirst(model._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:  # an annotation
        return pretty_name(name)


class NullsLastOrderingFilter(filters.OrderingFilter):
    """Unknown values sort last in both directions (PostgreSQL would put them first when descending)."""

    def get_ordering_value(self, param):
        descending = param.startswith("-")
        field = F(self.param_map[param.lstrip("-")])
        return field.desc(nulls_last=True) if descending else field.asc(nulls_last=True)

    def filter(self, qs, value):
        params = [param for param in value or () if param]  # "?ordering=name," leaves an empty one
        if not params:
            return qs
        # The primary key last keeps pages stable when many rows tie.
        return qs.order_by(*[self.get_ordering_value(param) for param in params], "pk")


def ordering(model, *fields):
    """Sorting by ``fields`` of ``model``. The labels are given lazily: django-filter's own would be fixed in
    English when the class is defined."""
    labels = {}
    for field in fields:
        labels[field] = field_label(model, field)
        labels[f"-{field}"] = format_lazy(_("{} (descending)"), labels[field])
    return NullsLastOrderingFilter(
        fields=fields,
        field_labels=labels,
        label=_("Sort by"),
        help_text=_("Sort by these fields; prefix '-' to reverse."),
    )


def slugs(field_name, queryset, help_text, label=None):
    """Related rows named by slug; repeat the parameter for several (any of them matches)."""
    # The predicate is built from ``to_field_name``'s value, so the path must end at the slug too.
    slug_filter = filters.ModelMultipleChoiceFilter(
        label=label,
        field_name=f"{field_name}__slug",
        to_field_name="slug",
        queryset=queryset,
        distinct=True,
        help_text=format_lazy("{} {}", help_text, _("Repeat for several.")),
    )
    return typed(slug_filter, "string")


def choices(field_name, choice_class, help_text):
    return filters.MultipleChoiceFilter(field_name=field_name, choices=choice_class.choices, help_text=help_text)


class CatalogFilterSet(filters.FilterSet):
    search_fields: tuple[str, ...] = ()

    search = filters.CharFilter(
        label=_("Search"),
        method="filter_search",
        help_text=_("Words that must all appear in the names or descriptions."),
    )

    def filter_search(self, queryset, name, value):
        words = value.split()[:MAX_SEARCH_WORDS]
        for word in words:
            matches = [Q(**{f"{field}__icontains": word}) for field in self.search_fields]
            queryset = queryset.filter(reduce(operator.or_, matches))
        # Searching through a to-many relation can repeat a row.
        return queryset.distinct() if any("__" in field for field in self.search_fields) else queryset


class SourcedFilterSet(CatalogFilterSet):
    confidence = choices("confidence", Confidence, _("How far the row can be trusted."))


class EffectivePeriodFilterSet(SourcedFilterSet):
    as_of = filters.DateFilter(
        label=_("In force on"),
        method="filter_as_of",
        help_text=_("Only prices in force on this date (effective_from <= date < effective_to)."),
    )
    current = filters.BooleanFilter(
        label=_("Current"),
        method="filter_current",
        help_text=_("true: only prices in force today; false: only past or future ones."),
    )

    def filter_as_of(self, queryset, name, value):
        return queryset.in_force_on(value)

    def filter_current(self, queryset, name, value):
        current = queryset.current()
        return current if value else queryset.exclude(pk__in=current.values("pk"))


organizations = Organization.objects.all()


class OrganizationFilterSet(SourcedFilterSet):
    search_fields = ("name", "name_ko", "local_name", "description")

    country = filters.CharFilter(lookup_expr="iexact", help_text=_("ISO 3166-1 alpha-2 code, e.g. KR."))
    role = filters.ChoiceFilter(
        label=_("Role"),
        method="filter_role",
        choices=[
            ("model-developer", _("Model developer")),
            ("chip-designer", _("Chip designer")),
            ("cloud-provider", _("Cloud provider")),
            ("foundry", _("Foundry")),
            ("application-builder", _("Application builder")),
        ],
        help_text=_("Only organizations that play this role."),
    )
    ordering = ordering(Organization, "name", "country", "founded")

    class Meta:
        model = Organization
        fields = ["country", "role", "confidence"]

    def filter_role(self, queryset, name, value):
        return queryset.filter(**{f"is_{value.replace('-', '_')}": True})


class FoundationModelFilterSet(SourcedFilterSet):
    search_fields = ("name", "name_ko", "local_name", "family", "description")

    organization = slugs("organizations", organizations, _("Developed by this organization (slug)."))
    country = filters.CharFilter(
        field_name="organizations__country",
        lookup_expr="iexact",
        distinct=True,
        help_text=_("Developed by an organization from this country (ISO 3166-1 alpha-2)."),
    )
    family = filters.CharFilter(lookup_expr="iexact", help_text=_("e.g. GPT, PanGu, HyperCLOVA."))
    released = filters.DateFromToRangeFilter(
        label=_("Released"),
        field_name="release_date",
        help_text=_("released_after / released_before: release-date range, inclusive."),
    )
    parameters = IntegerRangeFilter(
        label=_("Parameters"), min_value=0, max_value=2**63 - 1, help_text=_("Total parameter count range, inclusive.")
    )
    access = choices("access", Access, _("How the model can be used."))
    modality = choices("modality", Modality, _("What the model reads and writes."))
    task = choices("task", Task, _("What its API is used for: chat, embedding, image..."))
    architecture = choices("architecture", Architecture, _("Network architecture."))
    ordering = ordering(
        FoundationModel,
        "name",
        "release_date",
        "parameters",
        "active_parameters",
        "training_compute_flop",
        "context_length",
    )

    class Meta:
        model = FoundationModel
        fields = ["organization", "country", "family", "access", "modality", "task", "architecture", "confidence"]


class HardwareFilterSet(SourcedFilterSet):
    search_fields = ("name", "name_ko", "family", "description", "vendor__name", "vendor__name_ko")

    vendor = slugs("vendor", organizations, _("Designed by this organization (slug)."))
    kind = choices("kind", HardwareKind, _("GPU, TPU, NPU, ASIC..."))
    use = choices("use", HardwareUse, _("Training, inference or both."))
    family = filters.CharFilter(lookup_expr="iexact", help_text=_("e.g. H100, TPU v5, Gaudi."))
    release_year = typed(
        IntegerRangeFilter(
            label=_("Release year"),
            field_name="release_date__year",
            min_value=1,
            max_value=9999,
            help_text=_("Release year range, inclusive."),
        ),
        "integer",
    )
    min_bf16_flops = filters.NumberFilter(
        label=_("Minimum BF16/FP16 FLOP/s"),
        field_name="bf16_flops",
        lookup_expr="gte",
        help_text=_("At least this dense BF16/FP16 FLOP/s."),
    )
    min_memory_bytes = filters.NumberFilter(
        label=_("Minimum memory (bytes)"),
        field_name="memory_bytes",
        lookup_expr="gte",
        help_text=_("At least this much memory, in bytes."),
    )
    min_memory_bandwidth = filters.NumberFilter(
        label=_("Minimum memory bandwidth (byte/s)"),
        field_name="memory_bandwidth",
        lookup_expr="gte",
        help_text=_("At least this memory bandwidth, in byte/s."),
    )
    ordering = ordering(
        Hardware,
        "name",
        "release_date",
        "process_nm",
        "transistors",
        "tdp_watts",
        "bf16_flops",
        "fp8_flops",
        "int8_ops",
        "memory_bytes",
        "memory_bandwidth",
        "bf16_flops_per_watt",
        "bf16_flops_per_mm2",
        "ridge_point",
    )

    class Meta:
        model = Hardware
        fields = ["vendor", "kind", "use", "family", "confidence"]


class TrainingRunFilterSet(SourcedFilterSet):
    search_fields = ("model__name", "model__name_ko", "hardware__name", "notes")

    model = slugs("model", FoundationModel.objects.all(), _("Runs that trained this model (slug)."))
    hardware = slugs("hardware", Hardware.objects.all(), _("Runs on this chip (slug)."))
    organization = slugs("model__organizations", organizations, _("Runs of this organization's models (slug)."))
    ordering = ordering(TrainingRun, "start_date", "chip_count", "training_compute_flop", "cost_usd", "utilization")

    class Meta:
        model = TrainingRun
        fields = ["model", "hardware", "organization", "confidence"]


class PricePointFilterSet(EffectivePeriodFilterSet):
    search_fields = ("api_model_id", "model__name", "model__name_ko", "provider__name", "provider__name_ko")

    model = slugs("model", FoundationModel.objects.all(), _("Prices of this model (slug)."))
    provider = slugs("provider", organizations, _("Prices charged by this provider (slug)."))
    currency = choices("currency", Currency, _("ISO 4217 currency code."))
    api_model_id = filters.CharFilter(help_text=_("The provider's model id, e.g. gpt-4o-2024-08-06."))
    context_tier = filters.CharFilter(help_text=_("'standard', or a named long-context tier."))
    effective = filters.DateFromToRangeFilter(
        label=_("Effective"),
        field_name="effective_from",
        help_text=_("effective_after / effective_before: periods starting in this range."),
    )
    ordering = ordering(PricePoint, "effective_from", "input_per_mtok", "output_per_mtok", "api_model_id")

    class Meta:
        model = PricePoint
        fields = ["model", "provider", "currency", "api_model_id", "context_tier", "confidence"]


class CloudPriceFilterSet(EffectivePeriodFilterSet):
    search_fields = ("instance_type", "hardware__name", "provider__name")

    provider = slugs("provider", organizations, _("Offered by this cloud provider (slug)."))
    hardware = slugs("hardware", Hardware.objects.all(), _("Instances with this accelerator (slug)."))
    pricing_kind = choices("pricing_kind", CloudPricingKind, _("On-demand, spot or committed."))
    currency = choices("currency", Currency, _("ISO 4217 currency code."))
    region = filters.CharFilter(help_text=_("Provider's region code, e.g. us-east-1."))
    ordering = ordering(CloudPrice, "effective_from", "price_per_hour", "instance_type")

    class Meta:
        model = CloudPrice
        fields = ["provider", "hardware", "pricing_kind", "currency", "region", "confidence"]


class ApplicationFilterSet(SourcedFilterSet):
    search_fields = ("name", "name_ko", "local_name", "category", "description")

    organization = slugs("organization", organizations, _("Built by this organization (slug)."))
    foundation_model = slugs("foundation_models", FoundationModel.objects.all(), _("Built on this model (slug)."))
    category = filters.CharFilter(lookup_expr="iexact", help_text=_("e.g. assistant, productivity."))
    ordering = ordering(Application, "name", "launched")

    class Meta:
        model = Application
        fields = ["organization", "foundation_model", "category", "confidence"]


class ConceptFilterSet(CatalogFilterSet):
    search_fields = ("name_en", "name_ko", "summary_en", "summary_ko")

    ordering = ordering(Concept, "name_en", "name_ko")

    class Meta:
        model = Concept
        fields = []


class SourceFilterSet(CatalogFilterSet):
    search_fields = ("title", "publisher", "url")

    kind = choices("kind", SourceKind, _("What kind of document."))
    publisher = filters.CharFilter(lookup_expr="iexact", help_text=_("e.g. NVIDIA, Epoch AI."))
    ordering = ordering(Source, "title", "publisher", "published_on")

    class Meta:
        model = Source
        fields = ["kind", "publisher"]


class BenchmarkRunFilterSet(CatalogFilterSet):
    search_fields = ("preset", "cpu_model", "command")

    preset = filters.CharFilter(lookup_expr="iexact", help_text=_("The benchmark model's preset, e.g. micro."))
    quick = filters.BooleanFilter(help_text=_("true: only quick (smoke) runs; false: only full runs."))
    backend = filters.CharFilter(
        field_name="results__backend",
        lookup_expr="iexact",
        distinct=True,
        help_text=_("Runs with at least one result from this backend, e.g. onnxruntime."),
    )
    ordering = ordering(BenchmarkRun, "started_at", "duration_s", "threads")

    class Meta:
        model = BenchmarkRun
        fields = ["preset", "quick", "backend"]
