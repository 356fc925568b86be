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

import django_filters as filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from catalog.choices import (
    Access,
    Architecture,
    CloudPricingKind,
    Currency,
    HardwareKind,
    HardwareUse,
    MeasuredBy,
    Modality,
    ScoreVariant,
    SourceKind,
    Task,
)
from catalog.filtering import (
    PERIOD_SITE_TEXT,
    CatalogFilterSet,
    EffectivePeriodFilterSet,
    IntegerRangeFilter,
    QuantityFilter,
    QuantityRangeFilter,
    SourcedFilterSet,
    capability,
    choices,
    count_range,
    ordering,
    quantity,
    series_pattern,
    slugs,
    typed,
)
from catalog.models import (
    Application,
    BenchmarkRun,
    CloudPrice,
    Concept,
    Evaluation,
    EvaluationScore,
    FoundationModel,
    Hardware,
    Organization,
    PricePoint,
    Source,
    TrainingRun,
)

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
    parameters = count_range(
        label=_("Parameters"),
        help_text=_("Total parameter count range, inclusive."),
    )
    active_parameters = count_range(
        label=_("Active parameters"),
        help_text=_("Parameters used per token (mixture of experts) range, inclusive."),
    )
    training_tokens = count_range(
        label=_("Training tokens"),
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
    context_length = count_range(
        label=_("Context length"),
        max_value=2**31 - 1,
        units=("tokens",),
        help_text=_("Context window in tokens, range, inclusive, e.g. 128k."),
    )
    access = choices("access", Access, _("How the model can be used."))
    modality = choices("modality", Modality, _("What the model reads and writes."))
    task = choices("task", Task, _("What its API is used for: chat, embedding, image..."))
    architecture = choices("architecture", Architecture, _("Network architecture."))
    capability = capability()
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
        "capability": (_("Capability"), _("Models whose sourced score reaches this level.")),
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
    capability = capability("model")
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
    model_parameters = count_range(
        field_name="model__parameters",
        label=_("Model size"),
        help_text=_("The model's total parameter count, range, inclusive."),
    )
    capability = capability("model")
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
        "capability": (_("Capability"), _("Prices of models whose sourced score reaches this level.")),
    }

    def filter_queryset(self, queryset):
        # Only an ordering by the blended price needs its rank: an unfiltered list is then the plain queryset.
        if any(value.lstrip("-") == "blended_per_mtok" for value in self.form.cleaned_data.get("ordering") or ()):
            queryset = queryset.with_blended_rank()
        return super().filter_queryset(queryset)

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


class EvaluationFilterSet(SourcedFilterSet):
    search_fields = ("name", "slug", "measures")

    ordering = ordering(Evaluation, "name")

    class Meta:
        model = Evaluation
        fields = ["confidence"]


class EvaluationScoreFilterSet(SourcedFilterSet):
    search_fields = ("model__name", "model__name_ko", "evaluation__name", "evaluator", "setting")

    evaluation = slugs(
        "evaluation", Evaluation.objects.all(), _("Scores on this evaluation (slug)."), picker="evaluations"
    )
    model = slugs("model", FoundationModel.objects.all(), _("Scores of this model (slug)."), picker="models")
    measured_by = choices("measured_by", MeasuredBy, _("developer: the model's maker reported it; independent."))
    variant = choices("variant", ScoreVariant, _("Which checkpoint was evaluated."))
    evaluator = filters.CharFilter(lookup_expr="iexact", help_text=_("Who ran it, e.g. Epoch AI, OpenAI."))
    score = filters.RangeFilter(help_text=_("score_min / score_max: the score range, inclusive."))
    measured = filters.DateFromToRangeFilter(
        field_name="measured_on", help_text=_("measured_after / measured_before: publication date range.")
    )
    capability = capability("model")
    ordering = ordering(EvaluationScore, "score", "measured_on")

    class Meta:
        model = EvaluationScore
        fields = ["evaluation", "model", "measured_by", "variant", "evaluator", "confidence"]


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
