"""Prices with their history: per-token API prices and cloud accelerator-hours.

A price is in force from ``effective_from`` (inclusive) to ``effective_to`` (exclusive; empty = still
current). Periods of one offering never overlap: ``clean()`` says so politely, and the database refuses
it outright (an exclusion constraint on PostgreSQL, triggers on SQLite; see migration 0002).
"""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import ExpressionWrapper, F, Q
from django.utils.translation import gettext_lazy as _

from catalog.choices import CloudPricingKind, Currency, Task
from catalog.models.base import NON_NEGATIVE, SourcedFact, non_negative_constraints
from catalog.models.price_checks import stale_before

# No per-token price listed today comes near 1,000 USD per million tokens (the dearest, o1-pro's output, is
# 600): above it a figure is a unit mistake (per token read as per million, a price per image...). The data
# tests hold the bundle to it, and the price-map importer keeps such an entry for review instead.
TOKEN_PRICE_CEILING_USD = Decimal(1000)


class EffectivePeriodQuerySet(models.QuerySet):
    def in_force_on(self, date):
        """Rows whose period contains ``date``: from <= date < to (an open end is still current)."""
        return self.filter(Q(effective_to__isnull=True) | Q(effective_to__gt=date), effective_from__lte=date)

    def current(self):
        return self.in_force_on(datetime.date.today())


class EffectivePeriod(SourcedFact):
    # Fields that identify one offering; its periods must not overlap. Set by each subclass.
    offering_fields: tuple[str, ...] = ()

    effective_from = models.DateField(_("effective from"), help_text=_("First day the price applies (inclusive)."))
    effective_to = models.DateField(
        _("effective to"),
        null=True,
        blank=True,
        help_text=_("First day the price no longer applies (exclusive). Empty: current."),
    )

    class Meta:
        abstract = True

    def clean(self):
        super().clean()
        if self.effective_from and self.effective_to and self.effective_to <= self.effective_from:
            raise ValidationError({"effective_to": "The end date must be after the start date."})
        if self.effective_from and all(self._offering_value(field) is not None for field in self.offering_fields):
            overlapping = self._overlapping_periods()
            if overlapping:
                other = overlapping[0]
                raise ValidationError(
                    f"This period overlaps the one from {other.effective_from} to "
                    f"{other.effective_to or 'now'} for the same offering."
                )

    def _offering_value(self, field):
        return getattr(self, f"{field}_id" if self._meta.get_field(field).is_relation else field)

    def _overlapping_periods(self):
        lookup = {field: self._offering_value(field) for field in self.offering_fields}
        others = type(self)._default_manager.filter(**lookup).exclude(pk=self.pk)
        others = others.filter(Q(effective_to__isnull=True) | Q(effective_to__gt=self.effective_from))
        if self.effective_to:
            others = others.filter(effective_from__lt=self.effective_to)
        return list(others[:1])

    def in_force_on(self, date):
        """Whether this period contains ``date``: the rule of ``EffectivePeriodQuerySet.in_force_on``, for rows
        already in memory."""
        return self.effective_from <= date and (self.effective_to is None or date < self.effective_to)

    @property
    def is_current(self):
        return self.in_force_on(datetime.date.today())


def period_order_constraint(model_name):
    return models.CheckConstraint(
        condition=Q(effective_to__isnull=True) | Q(effective_to__gt=F("effective_from")),
        name=f"{model_name}_period_ends_after_start",
    )


class PricePointQuerySet(EffectivePeriodQuerySet):
    def with_blended_rank(self):
        """``blended_rank``: 3 x input + output, which sorts as the blended price does (``blended_per_mtok``
        is that over 4). No division in SQL: SQLite would divide whole-number decimals as integers."""
        weights = BLENDED_INPUT_WEIGHT * F("input_per_mtok") + BLENDED_OUTPUT_WEIGHT * F("output_per_mtok")
        return self.annotate(blended_rank=ExpressionWrapper(weights, output_field=models.DecimalField()))

    def comparable(self, task=Task.CHAT):
        """USD prices of one task's models (chat and completion unless told): what a comparison of token prices
        may set side by side (an embedding's input-only price would read as the cheapest generation)."""
        return self.filter(currency="USD", model__task=task)


class PricePointManager(models.Manager.from_queryset(PricePointQuerySet)):
    def get_by_natural_key(self, provider_slug, api_model_id, context_tier, effective_from):
        return self.get(
            provider__slug=provider_slug,
            api_model_id=api_model_id,
            context_tier=context_tier,
            effective_from=effective_from,
        )


PRICE_FIELDS = ["input_per_mtok", "output_per_mtok", "cached_input_per_mtok"]

# Artificial Analysis's convention for one headline price: 3 input tokens for every output token.
BLENDED_INPUT_WEIGHT, BLENDED_OUTPUT_WEIGHT = 3, 1


def price_field(label, **kwargs):
    return models.DecimalField(
        label, max_digits=12, decimal_places=6, validators=NON_NEGATIVE, help_text=_("Per 1M tokens."), **kwargs
    )


class PricePoint(EffectivePeriod):
    """What a provider charged for one API model id, per million tokens, over one period."""

    offering_fields = ("provider", "api_model_id", "context_tier")

    model = models.ForeignKey(
        "catalog.FoundationModel", verbose_name=_("model"), on_delete=models.PROTECT, related_name="prices"
    )
    provider = models.ForeignKey(
        "catalog.Organization", verbose_name=_("provider"), on_delete=models.PROTECT, related_name="token_prices"
    )
    api_model_id = models.CharField(_("API model id"), max_length=120)
    context_tier = models.CharField(
        _("context tier"),
        max_length=40,
        default="standard",
        help_text=_("'standard', or a named tier such as 'over-200k' when long prompts cost more."),
    )
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices, default=Currency.USD)
    input_per_mtok = price_field("input price")
    output_per_mtok = price_field("output price")
    cached_input_per_mtok = price_field("cached input price", null=True, blank=True)

    objects = PricePointManager()

    class Meta:
        ordering = ["provider__name", "api_model_id", "context_tier", "effective_from"]
        constraints = [
            *non_negative_constraints("pricepoint", PRICE_FIELDS),
            period_order_constraint("pricepoint"),
            models.UniqueConstraint(
                fields=["provider", "api_model_id", "context_tier", "effective_from"],
                name="pricepoint_unique_offering_start",
            ),
        ]

    def __str__(self):
        return f"{self.provider} {self.api_model_id} ({self.context_tier}) from {self.effective_from}"

    def natural_key(self):
        return (self.provider.slug, self.api_model_id, self.context_tier, self.effective_from.isoformat())

    natural_key.dependencies = ["catalog.organization", "catalog.foundationmodel"]

    @property
    def is_stale(self):
        """In force today, and not confirmed since ``stale_before()`` (needs ``with_last_check``)."""
        last = getattr(self, "last_checked_on", None)
        return self.is_current and (last is None or last < stale_before())

    @property
    def blended_per_mtok(self):
        """Price per 1M tokens at 3 input : 1 output, in the row's currency.

        Computed in Python, not SQL: SQLite keeps whole-number decimals as integers and would divide them
        as integers.
        """
        weights = BLENDED_INPUT_WEIGHT + BLENDED_OUTPUT_WEIGHT
        blended = BLENDED_INPUT_WEIGHT * self.input_per_mtok + BLENDED_OUTPUT_WEIGHT * self.output_per_mtok
        return (blended / weights).quantize(Decimal("0.000001"))


class CloudPriceManager(models.Manager.from_queryset(EffectivePeriodQuerySet)):
    def get_by_natural_key(self, provider_slug, instance_type, region, pricing_kind, effective_from):
        return self.get(
            provider__slug=provider_slug,
            instance_type=instance_type,
            region=region,
            pricing_kind=pricing_kind,
            effective_from=effective_from,
        )


class CloudPrice(EffectivePeriod):
    """A cloud instance's hourly price; the price per accelerator-hour is derived from it."""

    offering_fields = ("provider", "instance_type", "region", "pricing_kind")

    provider = models.ForeignKey(
        "catalog.Organization", verbose_name=_("provider"), on_delete=models.PROTECT, related_name="cloud_prices"
    )
    hardware = models.ForeignKey(
        "catalog.Hardware", verbose_name=_("hardware"), on_delete=models.PROTECT, related_name="cloud_prices"
    )
    instance_type = models.CharField(
        _("instance type"), max_length=80, help_text=_("e.g. p5.48xlarge, ND H100 v5, a3-highgpu-8g.")
    )
    accelerators_per_instance = models.PositiveSmallIntegerField(_("accelerators per instance"), default=1)
    region = models.CharField(_("region"), max_length=40, help_text=_("Provider's region code, e.g. us-east-1."))
    pricing_kind = models.CharField(
        _("pricing kind"), max_length=12, choices=CloudPricingKind.choices, default=CloudPricingKind.ON_DEMAND
    )
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices, default=Currency.USD)
    price_per_hour = models.DecimalField(
        _("instance price per hour"), max_digits=12, decimal_places=4, validators=NON_NEGATIVE
    )

    objects = CloudPriceManager()

    class Meta:
        ordering = ["provider__name", "hardware__name", "instance_type", "effective_from"]
        constraints = [
            *non_negative_constraints("cloudprice", ["price_per_hour"]),
            models.CheckConstraint(
                condition=Q(accelerators_per_instance__gte=1), name="cloudprice_at_least_one_accelerator"
            ),
            period_order_constraint("cloudprice"),
            models.UniqueConstraint(
                fields=["provider", "instance_type", "region", "pricing_kind", "effective_from"],
                name="cloudprice_unique_offering_start",
            ),
        ]

    def __str__(self):
        return f"{self.provider} {self.instance_type} {self.region} ({self.pricing_kind}) from {self.effective_from}"

    def natural_key(self):
        return (
            self.provider.slug,
            self.instance_type,
            self.region,
            self.pricing_kind,
            self.effective_from.isoformat(),
        )

    natural_key.dependencies = ["catalog.organization", "catalog.hardware"]

    @property
    def price_per_accelerator_hour(self):
        return self.price_per_hour / self.accelerators_per_instance
