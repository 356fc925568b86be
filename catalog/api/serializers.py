"""Serializers: one per table, reading related rows as summaries and writing them by natural key.

Every write is validated the way the admin validates it (``full_clean``: the model's ``clean()``, field
validators and the database constraints that can be checked in Python), so a payload the database would
refuse is a 400 with field messages instead of an IntegrityError.
"""

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from catalog.api.fast_read import FastReadMixin
from catalog.api.fields import LinkField, SourceField, SummaryField
from catalog.choices import Confidence
from catalog.comparisons import MAX_COMPARED, MIN_COMPARED
from catalog.models import (
    Application,
    CloudPrice,
    Concept,
    FoundationModel,
    Hardware,
    Organization,
    PricePoint,
    Source,
    TrainingRun,
)
from catalog.models.hardware import DERIVED_METRICS, HARDWARE_FIGURES

SOURCED_FIELDS = ["confidence", "notes", "origin", "sources"]


def summary(view_name, queryset, **kwargs):
    """Writable by slug, unless ``read_only``."""
    return SummaryField(view_name, queryset=None if kwargs.get("read_only") else queryset, **kwargs)


def organization_summary(**kwargs):
    return summary("api:organization-detail", Organization.objects.all(), **kwargs)


def model_summary(**kwargs):
    return summary("api:foundationmodel-detail", FoundationModel.objects.all(), **kwargs)


def hardware_summary(**kwargs):
    return summary("api:hardware-detail", Hardware.objects.all(), **kwargs)


class CleanModelSerializer(FastReadMixin, serializers.ModelSerializer):
    """Runs ``full_clean()`` on the would-be row before anything is saved; reads through the fast path."""

    def validate(self, attrs):
        attrs = super().validate(attrs)
        many_to_many = {field.name for field in self.Meta.model._meta.many_to_many}
        candidate = self._candidate(attrs, many_to_many)
        try:
            candidate.full_clean(exclude=many_to_many)
        except DjangoValidationError as error:
            messages = error.message_dict if hasattr(error, "error_dict") else {NON_FIELD_ERRORS: error.messages}
            raise serializers.ValidationError(
                {("non_field_errors" if field == NON_FIELD_ERRORS else field): text for field, text in messages.items()}
            ) from error
        return attrs

    def _candidate(self, attrs, many_to_many):
        model = self.Meta.model
        # A fresh copy: the instance being updated must not change if validation fails.
        candidate = model._default_manager.get(pk=self.instance.pk) if self.instance is not None else model()
        for name, value in attrs.items():
            if name not in many_to_many:
                setattr(candidate, name, value)
        return candidate


class SourcedSerializer(CleanModelSerializer):
    sources = SourceField(
        many=True, queryset=Source.objects.all(), allow_empty=False, help_text=_("At least one source per fact.")
    )


class SourceSerializer(CleanModelSerializer):
    class Meta:
        model = Source
        fields = ["id", "url", "title", "publisher", "kind", "published_on", "retrieved_on", "licence", "notes"]


class OrganizationSerializer(SourcedSerializer):
    url = LinkField("api:organization-detail")
    parent = organization_summary(required=False, allow_null=True)
    roles = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Organization
        fields = [
            "url",
            "slug",
            "name",
            "name_ko",
            "local_name",
            "country",
            "parent",
            "website",
            "founded",
            "description",
            "roles",
            "is_model_developer",
            "is_chip_designer",
            "is_cloud_provider",
            "is_foundry",
            "is_application_builder",
            *SOURCED_FIELDS,
        ]


class PricePointSerializer(SourcedSerializer):
    url = LinkField("api:pricepoint-detail", lookup="pk")
    model = model_summary()
    provider = organization_summary()
    blended_per_mtok = serializers.DecimalField(
        max_digits=14,
        decimal_places=6,
        read_only=True,
        help_text=_(
            "Price per 1M tokens blended at 3 input : 1 output tokens (the Artificial Analysis "
            "convention), in the row's currency: (3 x input + output) / 4."
        ),
    )
    is_current = serializers.BooleanField(read_only=True, help_text=_("In force today."))
    last_checked_on = serializers.DateField(
        read_only=True, allow_null=True, help_text=_("The latest day a source still showed this price (null: never).")
    )
    last_checked_by = serializers.URLField(
        read_only=True, allow_null=True, help_text=_("The source of that latest check.")
    )
    is_stale = serializers.BooleanField(
        read_only=True,
        help_text=_(
            "In force today but not confirmed for more than PRICE_STALE_AFTER_DAYS (or never): it may have changed."
        ),
    )

    class Meta:
        model = PricePoint
        fields = [
            "url",
            "id",
            "model",
            "provider",
            "api_model_id",
            "context_tier",
            "currency",
            "input_per_mtok",
            "output_per_mtok",
            "cached_input_per_mtok",
            "blended_per_mtok",
            "effective_from",
            "effective_to",
            "is_current",
            "last_checked_on",
            "last_checked_by",
            "is_stale",
            *SOURCED_FIELDS,
        ]


class TrainingRunSerializer(SourcedSerializer):
    url = LinkField("api:trainingrun-detail")
    model = model_summary()
    hardware = hardware_summary(required=False, allow_null=True)

    class Meta:
        model = TrainingRun
        fields = [
            "url",
            "slug",
            "model",
            "hardware",
            "chip_count",
            "duration_hours",
            "training_compute_flop",
            "utilization",
            "cost_usd",
            "start_date",
            *SOURCED_FIELDS,
        ]


class FoundationModelSerializer(SourcedSerializer):
    url = LinkField("api:foundationmodel-detail")
    organizations = organization_summary(many=True, allow_empty=False)
    base_model = model_summary(required=False, allow_null=True)

    class Meta:
        model = FoundationModel
        fields = [
            "url",
            "slug",
            "name",
            "name_ko",
            "local_name",
            "family",
            "organizations",
            "base_model",
            "release_date",
            "release_date_precision",
            "architecture",
            "modality",
            "task",
            "access",
            "licence",
            "parameters",
            "active_parameters",
            "training_tokens",
            "training_compute_flop",
            "context_length",
            "layers",
            "hidden_size",
            "attention_heads",
            "kv_heads",
            "description",
            "website",
            *SOURCED_FIELDS,
        ]


class FoundationModelDetailSerializer(FoundationModelSerializer):
    """One model with what it was trained on and what it costs today (its full history: ``/prices/``)."""

    training_runs = TrainingRunSerializer(many=True, read_only=True)
    current_prices = PricePointSerializer(many=True, read_only=True)
    price_history = LinkField("api:foundationmodel-prices", help_text=_("Every dated price of this model."))

    class Meta(FoundationModelSerializer.Meta):
        fields = [*FoundationModelSerializer.Meta.fields, "training_runs", "current_prices", "price_history"]


def derived_metric_fields():
    return {
        name: serializers.FloatField(
            read_only=True,
            allow_null=True,
            help_text=format_lazy(
                _("{description} Unit: {unit}. Derived."), description=metric.description, unit=metric.unit
            ),
        )
        for name, metric in DERIVED_METRICS.items()
    }


class HardwareSerializer(SourcedSerializer):
    url = LinkField("api:hardware-detail")
    vendor = organization_summary()
    foundry = organization_summary(required=False, allow_null=True)

    class Meta:
        model = Hardware
        fields = [
            "url",
            "slug",
            "name",
            "name_ko",
            "family",
            "form_factor",
            "vendor",
            "foundry",
            "kind",
            "use",
            "release_date",
            "release_date_precision",
            *HARDWARE_FIGURES,
            "description",
            "website",
            *SOURCED_FIELDS,
        ]

    def get_fields(self):
        # Annotations from Hardware.objects.with_derived_metrics(), not model fields: declared here.
        return {**super().get_fields(), **derived_metric_fields()}


class CloudPriceSerializer(SourcedSerializer):
    url = LinkField("api:cloudprice-detail", lookup="pk")
    provider = organization_summary()
    hardware = hardware_summary()
    price_per_accelerator_hour = serializers.DecimalField(
        max_digits=14,
        decimal_places=4,
        read_only=True,
        help_text=_("The instance price divided by its accelerators, in the row's currency."),
    )
    is_current = serializers.BooleanField(read_only=True, help_text=_("In force today."))

    class Meta:
        model = CloudPrice
        fields = [
            "url",
            "id",
            "provider",
            "hardware",
            "instance_type",
            "accelerators_per_instance",
            "region",
            "pricing_kind",
            "currency",
            "price_per_hour",
            "price_per_accelerator_hour",
            "effective_from",
            "effective_to",
            "is_current",
            *SOURCED_FIELDS,
        ]


class ApplicationSerializer(SourcedSerializer):
    url = LinkField("api:application-detail")
    organization = organization_summary()
    foundation_models = model_summary(many=True, required=False)

    class Meta:
        model = Application
        fields = [
            "url",
            "slug",
            "name",
            "name_ko",
            "local_name",
            "organization",
            "foundation_models",
            "launched",
            "launched_precision",
            "category",
            "description",
            "website",
            *SOURCED_FIELDS,
        ]


class ConceptSerializer(CleanModelSerializer):
    url = LinkField("api:concept-detail")
    related = summary("api:concept-detail", Concept.objects.all(), many=True, required=False)
    sources = SourceField(many=True, queryset=Source.objects.all(), required=False)

    class Meta:
        model = Concept
        fields = ["url", "slug", "name_en", "name_ko", "summary_en", "summary_ko", "related", "sources"]


class HardwareCompareQuerySerializer(serializers.Serializer):
    slugs = serializers.CharField(
        max_length=600,
        help_text=format_lazy(_("{min} to {max} hardware slugs, comma-separated."), min=MIN_COMPARED, max=MAX_COMPARED),
    )

    def validate_slugs(self, value):
        slugs = list(dict.fromkeys(slug.strip() for slug in value.split(",") if slug.strip()))
        if not MIN_COMPARED <= len(slugs) <= MAX_COMPARED:
            raise serializers.ValidationError(f"Give {MIN_COMPARED} to {MAX_COMPARED} different slugs.")
        known = set(Hardware.objects.filter(slug__in=slugs).values_list("slug", flat=True))
        unknown = [slug for slug in slugs if slug not in known]
        if unknown:
            raise serializers.ValidationError(f"No hardware with slug: {', '.join(unknown)}.")
        return slugs


class ComparedValueSerializer(serializers.Serializer):
    hardware = hardware_summary(read_only=True)
    value = serializers.JSONField(allow_null=True, help_text=_("A number, or an ISO date for release_date."))
    confidence = serializers.ChoiceField(choices=Confidence.choices)
    sources = SourceField(
        source="sourced.sources", many=True, read_only=True, help_text=_("The chip's, or the cloud price row's.")
    )
    derived_from = serializers.ListField(
        child=serializers.CharField(), help_text=_("Stored fields a derived figure is worked out from.")
    )


class ComparedMetricSerializer(serializers.Serializer):
    field = serializers.CharField()
    label = serializers.CharField()
    unit = serializers.CharField()
    derived = serializers.BooleanField()
    values = ComparedValueSerializer(many=True)


class HardwareComparisonSerializer(serializers.Serializer):
    hardware = HardwareSerializer(many=True)
    metrics = ComparedMetricSerializer(many=True)


class VendorStatsSerializer(serializers.Serializer):
    vendor = organization_summary(read_only=True)
    chips = serializers.IntegerField()
    best_bf16_flops = serializers.FloatField(allow_null=True, help_text=_("Highest dense BF16/FP16 FLOP/s."))
    best_bf16_flops_hardware = hardware_summary(read_only=True, allow_null=True)
    best_bf16_flops_per_watt = serializers.FloatField(allow_null=True, help_text=_("Highest BF16 FLOP/s per W."))
    best_bf16_flops_per_watt_hardware = hardware_summary(read_only=True, allow_null=True)
    largest_memory_bytes = serializers.IntegerField(allow_null=True)
    largest_memory_hardware = hardware_summary(read_only=True, allow_null=True)
    latest_release_date = serializers.DateField(allow_null=True)
    latest_release_hardware = hardware_summary(read_only=True, allow_null=True)
