"""One FilterSet per entity, shared by the API viewsets and the website's list pages.

Each set carries its own ``search`` (every word must match one of ``search_fields``) and ``ordering``
(an explicit allow-list), so a list page gets searching and sorting from the same class as the API.

The API's parameter names, values and help texts (its OpenAPI schema) are the filters' own. The website's
form speaks to readers instead (``CatalogFilterSet.adapt_for_site``): labels and help in words
(``site_text``), a searchable picker instead of a select listing every row, checkboxes instead of Ctrl-click
lists, sorting left to the table headers, and defaults of its own (``site_defaults``: the hardware list
starts with AI accelerators only, while the API returns every row unless asked). Quantities are typed as
people write them ("100B", "1e11", "1,750억") on both: one parser, ``catalog.quantities``.
"""

import operator
import re
from functools import reduce

import django_filters as filters
from django import forms
from django.core.exceptions import FieldDoesNotExist
from django.db.models import F, Q
from django.forms.utils import pretty_name
from django.http import QueryDict
from django.utils.text import capfirst, format_lazy
from django.utils.translation import gettext_lazy as _
from django_filters.fields import RangeField
from drf_spectacular.utils import extend_schema_field
from rest_framework.request import Request

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
from catalog.quantities import QuantityField, QuantityRangeField
from catalog.widgets import HiddenCSVInput, PickerMultipleChoiceField

MAX_SEARCH_WORDS = 8


class IntegerRangeField(RangeField):
    """Two bounded whole numbers: a year of 0 or a count past 64 bits is a 400, not a database error."""

    def __init__(self, *args, min_value=None, max_value=None, **kwargs):
        bounds = [forms.IntegerField(min_value=min_value, max_value=max_value) for _ in range(2)]
        super().__init__(bounds, *args, **kwargs)


class IntegerRangeFilter(filters.RangeFilter):
    field_class = IntegerRangeField


class QuantityFilter(filters.Filter):
    """One bound typed as a person writes it: "70B", "1e11", "3.35 TB/s"."""

    field_class = QuantityField


class QuantityRangeFilter(filters.RangeFilter):
    """``name_min`` / ``name_max``, each typed as a person writes it."""

    field_class = QuantityRangeField


QUANTITY_HELP = _("A number, or 70B, 1.5T, 1e11, 70 billion, 1,750억.")


def quantity(filter_class, openapi_type, **kwargs):
    """A quantity filter; the schema keeps the number type it had and says which spellings are read too."""
    filter_ = filter_class(**kwargs)
    help_text = format_lazy("{} {}", kwargs.get("help_text", ""), QUANTITY_HELP)
    schema = {"type": openapi_type, "minimum": 0, "description": help_text}
    return extend_schema_field(schema)(filter_)


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


def ordering(model, *fields, labels=None, annotated=None):
    """Sorting by ``fields`` of ``model``. The labels are given lazily: django-filter's own would be fixed in
    English when the class is defined. ``labels``: a field's label where its verbose name will not do.
    ``annotated``: parameter -> annotation the FilterSet adds to its queryset (sorted by, never shown)."""
    given, labels = labels or {}, {}
    for field in (*fields, *(annotated or {})):
        labels[field] = given.get(field) or field_label(model, field)
        labels[f"-{field}"] = format_lazy(_("{} (descending)"), labels[field])
    return NullsLastOrderingFilter(
        fields=[(field, field) for field in fields] + [(name, param) for param, name in (annotated or {}).items()],
        field_labels=labels,
        label=_("Sort by"),
        help_text=_("Sort by these fields; prefix '-' to reverse."),
    )


def slugs(field_name, queryset, help_text, label=None, *, picker):
    """Related rows named by slug; repeat the parameter for several (any of them matches).

    ``picker``: the kind of row the website's picker searches (``catalog.views.pick.KINDS``).
    """
    # The predicate is built from ``to_field_name``'s value, so the path must end at the slug too.
    slug_filter = filters.ModelMultipleChoiceFilter(
        label=label,
        field_name=f"{field_name}__slug",
        to_field_name="slug",
        queryset=queryset,
        distinct=True,
        help_text=format_lazy("{} {}", help_text, _("Repeat for several.")),
    )
    slug_filter.picker_kind = picker
    return typed(slug_filter, "string")


SERIES_SEPARATORS = r"[\s._-]+"


def series_pattern(value):
    """A regular expression (Python's and PostgreSQL's alike) for names holding ``value``'s words at a word start:
    "Llama 3" -> Llama 3, Llama 3.1, Llama-3.2-90B, llama3-2-11b; not Llama 30B nor Code Llama 7B. None if empty."""
    words = [re.escape(word) for word in re.split(SERIES_SEPARATORS, value.strip()) if word][:MAX_SEARCH_WORDS]
    if not words:
        return None
    return "(^|[^0-9a-z])" + "[ ._-]*".join(words) + "([^0-9a-z]|$)"


def choices(field_name, choice_class, help_text):
    return filters.MultipleChoiceFilter(field_name=field_name, choices=choice_class.choices, help_text=help_text)


def for_website(request):
    """A list page's request, not the API's: DRF's filter backend hands the FilterSet its own Request."""
    return request is not None and not isinstance(request, Request)


SITE_CHOICE_WIDGETS = (forms.SelectMultiple,)


class CatalogFilterSet(filters.FilterSet):
    search_fields: tuple[str, ...] = ()
    # What the website's form shows instead of the API's words: filter name -> (label, help text).
    site_text: dict = {}
    # Values the website applies when the reader gives none (the API applies none): filter name -> value.
    site_defaults: dict = {}
    site_order: tuple[str, ...] = ("search",)  # the website form's first fields; the rest follow in their order

    search = filters.CharFilter(
        label=_("Search"),
        method="filter_search",
        help_text=_("Words that must all appear in the names or descriptions."),
    )

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        self.on_site = for_website(request)
        if self.on_site and self.site_defaults:
            data = data.copy() if data is not None else QueryDict(mutable=True)
            for name, value in self.site_defaults.items():
                if name not in data:
                    data[name] = value
        super().__init__(data, queryset, request=request, prefix=prefix)

    @property
    def form(self):
        if not hasattr(self, "_form"):
            form = super().form
            if self.on_site:
                self.adapt_for_site(form)
        return self._form

    def adapt_for_site(self, form):
        """The website's form: the same parameters, in a reader's words and controls (see the module docstring)."""
        for name, field in list(form.fields.items()):
            filter_ = self.filters[name]
            kind = getattr(filter_, "picker_kind", None)
            if kind:
                field = form.fields[name] = PickerMultipleChoiceField(
                    kind=kind, queryset=field.queryset, required=False, label=field.label, help_text=field.help_text
                )
            elif isinstance(filter_, filters.OrderingFilter):
                field.widget = HiddenCSVInput()  # the table headers sort; the form keeps their order on submit
            elif isinstance(field.widget, SITE_CHOICE_WIDGETS):
                field.widget = forms.CheckboxSelectMultiple(choices=field.choices)
            elif isinstance(field, QuantityRangeField):
                for widget, placeholder in zip(
                    field.widget.widgets, (_("from, e.g. 7B"), _("to, e.g. 1T")), strict=True
                ):
                    widget.attrs["placeholder"] = placeholder
            elif isinstance(filter_, filters.DateFromToRangeFilter):
                for widget in field.widget.widgets:
                    widget.input_type = "date"
            elif isinstance(filter_, filters.DateFilter):
                field.widget.input_type = "date"
            if name in self.site_text:
                field.label, field.help_text = self.site_text[name]
        form.order_fields([name for name in self.site_order if name in form.fields])

    @property
    def api_query(self):
        """The query string that asks the API for the rows this page lists (the website's defaults included)."""
        if self.data is None:
            return ""
        query = self.data.copy() if hasattr(self.data, "copy") else QueryDict(mutable=True)
        query.pop("page", None)
        return query.urlencode()

    def filter_search(self, queryset, name, value):
        words = value.split()[:MAX_SEARCH_WORDS]
        for word in words:
            matches = [Q(**{f"{field}__icontains": word}) for field in self.search_fields]
            queryset = queryset.filter(reduce(operator.or_, matches))
        # Searching through a to-many relation can repeat a row.
        return queryset.distinct() if any("__" in field for field in self.search_fields) else queryset


class SourcedFilterSet(CatalogFilterSet):
    confidence = choices("confidence", Confidence, _("How far the row can be trusted."))


PERIOD_SITE_TEXT = {
    "as_of": (_("In force on"), _("Only prices in force on this date.")),
    "current": (_("Current or past"), ""),
    "confidence": (_("Confidence"), _("How far the figure can be trusted.")),
    "search": (_("Search"), _("Words to look for in the names.")),
}


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

    def adapt_for_site(self, form):
        super().adapt_for_site(form)
        form.fields["current"].widget = forms.Select(
            choices=[("", _("Any")), ("true", _("In force today")), ("false", _("Past or future"))]
        )

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
        empty_label=_("Any role"),
        help_text=_("Only organizations that play this role."),
    )
    ordering = ordering(Organization, "name", "country", "founded")
    site_text = {
        "country": (_("Country"), _("Two-letter code: KR, US, CN...")),
        "search": (_("Search"), _("Words to look for in the names and descriptions.")),
    }

    class Meta:
        model = Organization
        fields = ["country", "role", "confidence"]

    def filter_role(self, queryset, name, value):
        return queryset.filter(**{f"is_{value.replace('-', '_')}": True})


class FoundationModelFilterSet(SourcedFilterSet):
    search_fields = ("name", "name_ko", "local_name", "family", "description")

    organization = slugs(
        "organizations", organizations, _("Developed by this organization (slug)."), picker="organizations"
    )
    country = filters.CharFilter(
        field_name="organizations__country",
        lookup_expr="iexact",
        distinct=True,
        help_text=_("Developed by an organization from this country (ISO 3166-1 alpha-2)."),
    )
    family = filters.CharFilter(lookup_expr="iexact", help_text=_("e.g. GPT, PanGu, HyperCLOVA."))
    series = filters.CharFilter(
        label=_("Family or series"),
        method="filter_series",
        max_length=80,
        help_text=_(
            "The family, or the words a name starts with, on word boundaries: 'Llama 3' finds Llama 3, 3.1, 3.2 "
            "and 3.3 (and Llama-3.1-8B), not Llama 30B."
        ),
    )
    released = filters.DateFromToRangeFilter(
        label=_("Released"),
        field_name="release_date",
        help_text=_("released_after / released_before: release-date range, inclusive."),
    )
    parameters = quantity(
        QuantityRangeFilter,
        "integer",
        label=_("Parameters"),
        integer=True,
        max_value=2**63 - 1,
        help_text=_("Total parameter count range, inclusive."),
    )
    active_parameters = quantity(
        QuantityRangeFilter,
        "integer",
        label=_("Active parameters"),
        integer=True,
        max_value=2**63 - 1,
        help_text=_("Parameters used per token (mixture of experts) range, inclusive."),
    )
    training_tokens = quantity(
        QuantityRangeFilter,
        "integer",
        label=_("Training tokens"),
        integer=True,
        max_value=2**63 - 1,
        help_text=_("Training dataset size in tokens, range, inclusive."),
    )
    training_compute = quantity(
        QuantityRangeFilter,
        "number",
        label=_("Training compute"),
        field_name="training_compute_flop",
        units=("FLOP",),
        help_text=_("Training compute in FLOP, range, inclusive, e.g. 1e24."),
    )
    context_length = quantity(
        QuantityRangeFilter,
        "integer",
        label=_("Context length"),
        integer=True,
        max_value=2**31 - 1,
        units=("tokens",),
        help_text=_("Context window in tokens, range, inclusive, e.g. 128k."),
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
    site_text = {
        "organization": (_("Developer"), _("Type a name; several allowed.")),
        "country": (_("Developer's country"), _("Two-letter code: KR, US, CN...")),
        "family": (_("Family"), _("e.g. GPT, Llama, HyperCLOVA.")),
        "released": (_("Released"), _("From and to dates, inclusive.")),
        "parameters": (_("Parameters"), _("Type 7B, 70 billion, 1e11 or 1,750억.")),
        "active_parameters": (_("Active parameters"), _("Per token, for a mixture of experts.")),
        "training_tokens": (_("Training tokens"), _("e.g. 15T.")),
        "training_compute": (_("Training compute (FLOP)"), _("e.g. 1e24 or 3.1e23.")),
        "context_length": (_("Context length (tokens)"), _("e.g. 128k or 1M.")),
        "search": (_("Search"), _("Words to look for in the names and descriptions.")),
    }

    class Meta:
        model = FoundationModel
        fields = ["organization", "country", "family", "access", "modality", "task", "architecture", "confidence"]

    def filter_series(self, queryset, name, value):
        pattern = series_pattern(value)
        if pattern is None:
            return queryset
        return queryset.filter(Q(family__iexact=value.strip()) | Q(name__iregex=pattern))


class HardwareFilterSet(SourcedFilterSet):
    search_fields = ("name", "name_ko", "family", "description", "vendor__name", "vendor__name_ko")

    vendor = slugs("vendor", organizations, _("Designed by this organization (slug)."), picker="vendors")
    landmark_cpus = filters.ChoiceFilter(
        label=_("Landmark CPUs"),
        method="filter_landmark_cpus",
        choices=[
            ("exclude", _("AI accelerators only")),
            ("include", _("AI accelerators and landmark CPUs")),
            ("only", _("Landmark CPUs only")),
        ],
        empty_label=None,
        help_text=_(
            "The catalog keeps a few landmark CPUs for the Moore's-law series. exclude: AI accelerators only; "
            "only: the CPUs only; include or absent: every row."
        ),
    )
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
    min_bf16_flops = quantity(
        QuantityFilter,
        "number",
        label=_("Minimum BF16/FP16 FLOP/s"),
        field_name="bf16_flops",
        lookup_expr="gte",
        units=("FLOP/s", "FLOPS"),
        help_text=_("At least this dense BF16/FP16 FLOP/s."),
    )
    min_memory_bytes = quantity(
        QuantityFilter,
        "number",
        label=_("Minimum memory (bytes)"),
        field_name="memory_bytes",
        lookup_expr="gte",
        units=("B", "bytes", "byte"),
        help_text=_("At least this much memory, in bytes."),
    )
    min_memory_bandwidth = quantity(
        QuantityFilter,
        "number",
        label=_("Minimum memory bandwidth (byte/s)"),
        field_name="memory_bandwidth",
        lookup_expr="gte",
        units=("B/s", "byte/s", "bytes/s"),
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
    site_text = {
        "vendor": (_("Designer"), _("Type a name; several allowed.")),
        "landmark_cpus": (_("Chips shown"), ""),
        "kind": (_("Kind"), ""),
        "use": (_("Use"), ""),
        "family": (_("Family"), _("e.g. H100, TPU v5, Gaudi.")),
        "release_year": (_("Release year"), _("From and to, inclusive.")),
        "min_bf16_flops": (_("BF16 dense, at least"), _("e.g. 500 TFLOP/s or 5e14.")),
        "min_memory_bytes": (_("Memory, at least"), _("e.g. 80 GB.")),
        "min_memory_bandwidth": (_("Memory bandwidth, at least"), _("e.g. 3 TB/s.")),
        "search": (_("Search"), _("Words to look for in the names, families and vendors.")),
    }
    site_defaults = {"landmark_cpus": "exclude"}
    site_order = ("search", "landmark_cpus", "vendor", "kind")

    class Meta:
        model = Hardware
        fields = ["vendor", "kind", "use", "family", "confidence"]

    def filter_landmark_cpus(self, queryset, name, value):
        if value == "exclude":
            return queryset.exclude(kind=HardwareKind.CPU)
        if value == "only":
            return queryset.filter(kind=HardwareKind.CPU)
        return queryset


class TrainingRunFilterSet(SourcedFilterSet):
    search_fields = ("model__name", "model__name_ko", "hardware__name", "notes")

    model = slugs("model", FoundationModel.objects.all(), _("Runs that trained this model (slug)."), picker="models")
    hardware = slugs("hardware", Hardware.objects.all(), _("Runs on this chip (slug)."), picker="hardware")
    organization = slugs(
        "model__organizations", organizations, _("Runs of this organization's models (slug)."), picker="organizations"
    )
    ordering = ordering(TrainingRun, "start_date", "chip_count", "training_compute_flop", "cost_usd", "utilization")

    class Meta:
        model = TrainingRun
        fields = ["model", "hardware", "organization", "confidence"]


class PricePointFilterSet(EffectivePeriodFilterSet):
    search_fields = ("api_model_id", "model__name", "model__name_ko", "provider__name", "provider__name_ko")

    model = slugs("model", FoundationModel.objects.all(), _("Prices of this model (slug)."), picker="models")
    provider = slugs("provider", organizations, _("Prices charged by this provider (slug)."), picker="providers")
    currency = choices("currency", Currency, _("ISO 4217 currency code."))
    api_model_id = filters.CharFilter(help_text=_("The provider's model id, e.g. gpt-4o-2024-08-06."))
    context_tier = filters.CharFilter(help_text=_("'standard', or a named long-context tier."))
    effective = filters.DateFromToRangeFilter(
        label=_("Effective"),
        field_name="effective_from",
        help_text=_("effective_after / effective_before: periods starting in this range."),
    )
    task = choices("model__task", Task, _("Prices of models of this task (chat, embedding...)."))
    model_parameters = quantity(
        QuantityRangeFilter,
        "integer",
        field_name="model__parameters",
        label=_("Model size"),
        integer=True,
        max_value=2**63 - 1,
        help_text=_("The model's total parameter count, range, inclusive."),
    )
    ordering = ordering(
        PricePoint,
        "effective_from",
        "input_per_mtok",
        "output_per_mtok",
        "api_model_id",
        labels={
            "input_per_mtok": _("Input price"),
            "output_per_mtok": _("Output price"),
            "blended_per_mtok": _("Blended price (3 input : 1 output)"),
        },
        annotated={"blended_per_mtok": "blended_rank"},
    )
    site_text = {
        **PERIOD_SITE_TEXT,
        "model": (_("Model"), _("Type a name; several allowed.")),
        "provider": (_("Provider"), _("Type a name; several allowed.")),
        "currency": (_("Currency"), ""),
        "api_model_id": (_("API model id"), _("The provider's own name, e.g. gpt-4o-2024-08-06.")),
        "context_tier": (_("Context tier"), _("standard, or a long-context tier's name.")),
        "effective": (_("Took effect"), _("Prices that took effect between these dates, inclusive.")),
        "task": (_("Task"), _("Compare like with like: chat models, embeddings, image models...")),
        "model_parameters": (_("Model size (parameters)"), _("Type 7B, 70 billion, 1e11 or 1,750억.")),
    }

    def filter_queryset(self, queryset):
        return super().filter_queryset(queryset.with_blended_rank())

    class Meta:
        model = PricePoint
        fields = ["model", "provider", "currency", "api_model_id", "context_tier", "confidence"]


class CloudPriceFilterSet(EffectivePeriodFilterSet):
    search_fields = ("instance_type", "hardware__name", "provider__name")

    provider = slugs("provider", organizations, _("Offered by this cloud provider (slug)."), picker="cloud-providers")
    hardware = slugs(
        "hardware", Hardware.objects.all(), _("Instances with this accelerator (slug)."), picker="accelerators"
    )
    pricing_kind = choices("pricing_kind", CloudPricingKind, _("On-demand, spot or committed."))
    currency = choices("currency", Currency, _("ISO 4217 currency code."))
    region = filters.CharFilter(help_text=_("Provider's region code, e.g. us-east-1."))
    ordering = ordering(CloudPrice, "effective_from", "price_per_hour", "instance_type")

    class Meta:
        model = CloudPrice
        fields = ["provider", "hardware", "pricing_kind", "currency", "region", "confidence"]


class ApplicationFilterSet(SourcedFilterSet):
    search_fields = ("name", "name_ko", "local_name", "category", "description")

    organization = slugs("organization", organizations, _("Built by this organization (slug)."), picker="organizations")
    foundation_model = slugs(
        "foundation_models", FoundationModel.objects.all(), _("Built on this model (slug)."), picker="models"
    )
    category = filters.CharFilter(lookup_expr="iexact", help_text=_("e.g. assistant, productivity."))
    ordering = ordering(Application, "name", "launched")
    site_text = {
        "organization": (_("Built by"), _("Type a name; several allowed.")),
        "foundation_model": (_("Built on"), _("Type a model's name; several allowed.")),
        "category": (_("Category"), _("e.g. assistant, productivity.")),
        "search": (_("Search"), _("Words to look for in the names and descriptions.")),
    }

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
