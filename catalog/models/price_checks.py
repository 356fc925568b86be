"""When a price was last confirmed, and by what.

A price period says what was charged; a ``PriceCheck`` says that on a given day a given source still showed
that price (a provider's pricing page read by a curator, a dated snapshot of LiteLLM's map). Checks are
their own rows so an outside snapshot can confirm a curated price without editing it. A price in force
today whose latest check is older than ``PRICE_STALE_AFTER_DAYS`` (or that was never checked) is stale: it
may well have changed since.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext_lazy as _


class PriceCheckManager(models.Manager):
    def get_by_natural_key(self, provider_slug, api_model_id, context_tier, effective_from, checked_on, source_url):
        return self.get(
            price__provider__slug=provider_slug,
            price__api_model_id=api_model_id,
            price__context_tier=context_tier,
            price__effective_from=effective_from,
            checked_on=checked_on,
            source__url=source_url,
        )


class PriceCheck(models.Model):
    price = models.ForeignKey(
        "catalog.PricePoint", verbose_name=_("price"), on_delete=models.CASCADE, related_name="checks"
    )
    checked_on = models.DateField(_("checked on"), help_text=_("The day the source still showed this price."))
    source = models.ForeignKey(
        "catalog.Source", verbose_name=_("checked against"), on_delete=models.PROTECT, related_name="+"
    )
    origin = models.CharField(_("origin"), max_length=200, blank=True, help_text=_("The input file and row, if any."))

    objects = PriceCheckManager()

    class Meta:
        ordering = ["-checked_on"]
        constraints = [
            models.UniqueConstraint(fields=["price", "checked_on", "source"], name="pricecheck_unique"),
        ]

    def __str__(self):
        return f"{self.price} checked {self.checked_on}"

    def natural_key(self):
        return (*self.price.natural_key(), self.checked_on.isoformat(), self.source.url)

    natural_key.dependencies = ["catalog.pricepoint", "catalog.source"]


def stale_before(today=None):
    """A current price checked before this day (or never) is stale."""
    return (today or datetime.date.today()) - datetime.timedelta(days=settings.PRICE_STALE_AFTER_DAYS)


def with_last_check(prices):
    """Annotate price points with ``last_checked_on`` and ``last_checked_by`` (the source's URL)."""
    # Subqueries, not Max(): an aggregate would GROUP BY, and Django then drops the model's default ordering.
    latest = PriceCheck.objects.filter(price=OuterRef("pk")).order_by("-checked_on", "-pk")
    return prices.annotate(
        last_checked_on=Subquery(latest.values("checked_on")[:1]),
        last_checked_by=Subquery(latest.values("source__url")[:1]),
    )
