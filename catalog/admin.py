"""Admin for every catalog table: search, filters, autocomplete on relations, sources inline.

Sources are edited inline (one row per cited document, with autocomplete), price history sits on a
model's page, and training runs on both the model's and the chip's page.
"""

from django.contrib import admin
from django.shortcuts import redirect
from django.template.loader import render_to_string

from catalog.importers.review_admin import UnmatchedOfferingAdmin
from catalog.models import (
    Application,
    BenchmarkResult,
    BenchmarkRun,
    CloudPrice,
    Concept,
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

# The columns of a price period, shared by the list pages and the inlines on a model's or a chip's page.
PRICE_COLUMNS = [
    "api_model_id",
    "provider",
    "context_tier",
    "currency",
    "input_per_mtok",
    "output_per_mtok",
    "cached_input_per_mtok",
    "effective_from",
    "effective_to",
]
CLOUD_PRICE_COLUMNS = [
    "provider",
    "instance_type",
    "accelerators_per_instance",
    "region",
    "pricing_kind",
    "currency",
    "price_per_hour",
    "effective_from",
    "effective_to",
]


def sources_inline(model):
    """An inline over ``model.sources.through``: cited documents listed on the row's own page."""
    return type(
        f"{model.__name__}SourceInline",
        (admin.TabularInline,),
        {
            "model": model.sources.through,
            "autocomplete_fields": ["source"],
            "extra": 1,
            "verbose_name": "source",
            "verbose_name_plural": "sources (primary first)",
        },
    )


class FactAdmin(admin.ModelAdmin):
    """Common ground for rows that carry sources, a confidence and notes."""

    exclude = ["sources"]
    list_filter = ["confidence"]

    def get_inlines(self, request, obj):
        return [*self.inlines, sources_inline(self.model)]


class PricePointInline(admin.TabularInline):
    model = PricePoint
    fk_name = "model"
    autocomplete_fields = ["provider"]
    fields = [*PRICE_COLUMNS, "confidence"]
    ordering = ["provider__name", "api_model_id", "context_tier", "effective_from"]
    extra = 0
    show_change_link = True


class DiscrepancyInline(admin.TabularInline):
    """What outside data says where it disagrees with this row: read here, settled by editing the row."""

    model = Discrepancy
    fields = ["field", "curated_value", "outside_value", "source", "origin"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class TrainingRunInline(admin.TabularInline):
    model = TrainingRun
    autocomplete_fields = ["model", "hardware"]
    fields = ["slug", "model", "hardware", "chip_count", "duration_hours", "training_compute_flop", "confidence"]
    extra = 0
    show_change_link = True


class EvaluationScoreInline(admin.TabularInline):
    """A model's scores on its page; sources are edited on the score's own page (the change link)."""

    model = EvaluationScore
    fields = ["evaluation", "score", "variant", "setting", "measured_on", "measured_by", "evaluator", "confidence"]
    ordering = ["evaluation__name", "-measured_on"]
    extra = 0
    show_change_link = True


class CloudPriceInline(admin.TabularInline):
    model = CloudPrice
    autocomplete_fields = ["provider"]
    fields = CLOUD_PRICE_COLUMNS
    extra = 0
    show_change_link = True


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["title", "publisher", "kind", "published_on", "retrieved_on", "url"]
    list_filter = ["kind", "publisher"]
    search_fields = ["title", "publisher", "url"]
    date_hierarchy = "retrieved_on"


@admin.register(Organization)
class OrganizationAdmin(FactAdmin):
    list_display = ["name", "local_name", "country", "roles_display", "founded", "confidence"]
    list_filter = [
        "country",
        "is_model_developer",
        "is_chip_designer",
        "is_cloud_provider",
        "is_foundry",
        "is_application_builder",
        "confidence",
    ]
    search_fields = ["name", "local_name", "slug", "description"]
    autocomplete_fields = ["parent"]
    prepopulated_fields = {"slug": ["name"]}

    @admin.display(description="roles")
    def roles_display(self, obj):
        return ", ".join(obj.roles)


@admin.register(FoundationModel)
class FoundationModelAdmin(FactAdmin):
    list_display = [
        "name",
        "developers",
        "family",
        "release_date",
        "parameters",
        "architecture",
        "access",
        "confidence",
    ]
    list_filter = ["access", "architecture", "modality", "task", "organizations__country", "confidence"]
    search_fields = ["name", "local_name", "slug", "family", "description", "organizations__name"]
    autocomplete_fields = ["organizations", "base_model"]
    prepopulated_fields = {"slug": ["name"]}
    date_hierarchy = "release_date"
    inlines = [PricePointInline, TrainingRunInline, EvaluationScoreInline, DiscrepancyInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("organizations")

    @admin.display(description="organizations")
    def developers(self, obj):
        return ", ".join(org.name for org in obj.organizations.all())


@admin.register(Evaluation)
class EvaluationAdmin(FactAdmin):
    list_display = ["name", "scale", "scale_min", "scale_max", "higher_is_better"]
    search_fields = ["name", "slug", "measures"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(EvaluationScore)
class EvaluationScoreAdmin(FactAdmin):
    list_display = ["model", "evaluation", "score", "variant", "setting", "measured_by", "evaluator", "measured_on"]
    list_filter = ["evaluation", "measured_by", "variant", "confidence"]
    search_fields = ["model__name", "evaluation__name", "evaluator", "setting"]
    autocomplete_fields = ["model", "evaluation"]
    date_hierarchy = "measured_on"
    list_select_related = ["model", "evaluation"]


@admin.register(Hardware)
class HardwareAdmin(FactAdmin):
    list_display = ["name", "vendor", "kind", "use", "release_date", "process_nm", "bf16_flops", "memory_bytes"]
    list_filter = ["kind", "use", "vendor", "memory_type", "confidence"]
    search_fields = ["name", "slug", "family", "vendor__name", "description"]
    autocomplete_fields = ["vendor", "foundry"]
    prepopulated_fields = {"slug": ["name"]}
    date_hierarchy = "release_date"
    list_select_related = ["vendor"]
    inlines = [CloudPriceInline, TrainingRunInline, DiscrepancyInline]


@admin.register(TrainingRun)
class TrainingRunAdmin(FactAdmin):
    list_display = ["slug", "model", "hardware", "chip_count", "duration_hours", "training_compute_flop", "cost_usd"]
    list_filter = ["hardware__vendor", "confidence"]
    search_fields = ["slug", "model__name", "hardware__name"]
    autocomplete_fields = ["model", "hardware"]
    list_select_related = ["model", "hardware"]


class PriceCheckInline(admin.TabularInline):
    """The days a source still showed this price; add one when you confirm it on the provider's page."""

    model = PriceCheck
    fields = ["checked_on", "source", "origin"]
    readonly_fields = ["origin"]
    autocomplete_fields = ["source"]
    extra = 0


@admin.register(PricePoint)
class PricePointAdmin(FactAdmin):
    list_display = PRICE_COLUMNS
    list_filter = ["provider", "currency", "context_tier", "confidence"]
    search_fields = ["api_model_id", "model__name", "provider__name"]
    autocomplete_fields = ["model", "provider"]
    date_hierarchy = "effective_from"
    list_select_related = ["provider", "model"]
    inlines = [PriceCheckInline]


@admin.register(CloudPrice)
class CloudPriceAdmin(FactAdmin):
    list_display = ["hardware", *CLOUD_PRICE_COLUMNS]
    list_filter = ["provider", "pricing_kind", "currency", "confidence"]
    search_fields = ["instance_type", "hardware__name", "provider__name", "region"]
    autocomplete_fields = ["provider", "hardware"]
    list_select_related = ["provider", "hardware"]


@admin.register(Application)
class ApplicationAdmin(FactAdmin):
    list_display = ["name", "local_name", "organization", "category", "launched", "confidence"]
    list_filter = ["category", "organization", "confidence"]
    search_fields = ["name", "local_name", "slug", "description", "foundation_models__name"]
    autocomplete_fields = ["organization", "foundation_models"]
    prepopulated_fields = {"slug": ["name"]}
    list_select_related = ["organization"]


@admin.register(Concept)
class ConceptAdmin(admin.ModelAdmin):
    list_display = ["name_en", "name_ko", "slug"]
    search_fields = ["name_en", "name_ko", "slug", "summary_en", "summary_ko"]
    autocomplete_fields = ["related", "sources"]
    prepopulated_fields = {"slug": ["name_en"]}


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    """The change log of imports. "Add" leads to the upload page; runs themselves are never edited."""

    list_display = ["created_at", "file_name", "format", "table", "status", "created", "updated", "errors", "user"]
    list_filter = ["status", "format"]
    search_fields = ["file_name", "sha256"]
    date_hierarchy = "created_at"
    exclude = ["rows", "pending_file"]
    readonly_fields = [
        "created_at",
        "user",
        "file_name",
        "sha256",
        "size_bytes",
        "format",
        "table",
        "status",
        "created",
        "updated",
        "unchanged",
        "errors",
        "file_error",
        "report",
    ]

    def get_urls(self):
        from django.urls import path

        from catalog.importers import admin_views

        wrap = self.admin_site.admin_view
        return [
            path("import/", wrap(admin_views.upload_view), name="catalog_importrun_import"),
            path("<int:run_id>/confirm/", wrap(admin_views.confirm_view), name="catalog_importrun_confirm"),
            *super().get_urls(),
        ]

    def add_view(self, request, form_url="", extra_context=None):
        return redirect("admin:catalog_importrun_import")

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="What each record did")
    def report(self, run):
        return render_to_string("admin/catalog/_import_rows.html", {"run": run})


admin.site.register(UnmatchedOffering, UnmatchedOfferingAdmin)  # the curator's queue: catalog/importers/review_admin.py


class BenchmarkResultInline(admin.TabularInline):
    """A run's configurations, read-only; the raw samples stay in the API (they run to thousands of numbers)."""

    model = BenchmarkResult
    fields = [
        "backend",
        "device",
        "batch_size",
        "prompt_tokens",
        "generated_tokens",
        "repetitions",
        "ttft_s",
        "prefill_tokens_per_s",
        "tpot_s",
        "itl_p50_s",
        "itl_p99_s",
        "generation_tokens_per_s",
        "prefill_peak_fraction",
        "decode_bandwidth_fraction",
        "peak_rss_bytes",
        "warnings",
    ]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(PriceCheck)
class PriceCheckAdmin(admin.ModelAdmin):
    list_display = ["price", "checked_on", "source", "origin"]
    list_filter = ["source", "checked_on"]
    search_fields = ["price__api_model_id", "price__model__name", "price__provider__name"]
    autocomplete_fields = ["price", "source"]
    list_select_related = ["price__provider", "source"]
    date_hierarchy = "checked_on"


@admin.register(Discrepancy)
class DiscrepancyAdmin(admin.ModelAdmin):
    """Outside figures that disagree with curated ones, to review: fix the curated row, or delete the record
    once a curator has judged the outside figure wrong (a regenerated layer brings it back while it stands)."""

    list_display = ["__str__", "field", "curated_value", "outside_value", "source"]
    list_filter = ["source", "field"]
    search_fields = ["hardware__name", "model__name", "field"]
    list_select_related = ["hardware", "model", "source"]
    readonly_fields = ["hardware", "model", "field", "curated_value", "outside_value", "source", "origin"]

    def has_add_permission(self, request):
        return False


@admin.register(BenchmarkRun)
class BenchmarkRunAdmin(admin.ModelAdmin):
    """Measurements recorded by ``manage.py run_benchmark``: viewed and deleted here, never added or edited."""

    list_display = ["started_at", "preset", "cpu_model", "threads", "quick"]
    list_filter = ["preset", "quick"]
    search_fields = ["cpu_model", "preset", "weights_checksum", "command"]
    date_hierarchy = "started_at"
    readonly_fields = [
        "started_at",
        "duration_s",
        "quick",
        "threads",
        "preset",
        "parameters",
        "weights_checksum",
        "cpu_model",
        "matmul_peak_flops",
        "memory_bandwidth",
        "harness_overhead",
        "skipped",
        "warnings",
        "command",
        "model",
        "machine",
        "created_at",
    ]
    fields = readonly_fields
    inlines = [BenchmarkResultInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
