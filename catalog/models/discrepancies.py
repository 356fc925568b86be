"""Where an outside dataset disagrees with a curated row: recorded, shown, never applied.

The bundle's outside-data layer (``manage.py bundle_outside_data``) adds rows the curated files lack and
leaves curated rows alone. When an outside figure for a curated row differs from the curated one by more
than 1 %, the curated value stays and a ``Discrepancy`` says what the outside table claims, so a reader
and a curator can see both and decide who is right.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class DiscrepancyManager(models.Manager):
    def get_by_natural_key(self, subject, slug, field, source_url):
        row = {"hardware": {"hardware__slug": slug}, "model": {"model__slug": slug}}[subject]
        return self.get(**row, field=field, source__url=source_url)


class Discrepancy(models.Model):
    hardware = models.ForeignKey(
        "catalog.Hardware",
        verbose_name=_("hardware"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="discrepancies",
    )
    model = models.ForeignKey(
        "catalog.FoundationModel",
        verbose_name=_("model"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="discrepancies",
    )
    field = models.CharField(_("field"), max_length=60)
    curated_value = models.CharField(_("curated value"), max_length=200)
    outside_value = models.CharField(_("outside value"), max_length=200)
    source = models.ForeignKey(
        "catalog.Source",
        verbose_name=_("outside source"),
        on_delete=models.PROTECT,
        help_text=_("The dataset that says otherwise."),
    )
    origin = models.CharField(_("origin"), max_length=200, help_text=_("The input file and row."))

    objects = DiscrepancyManager()

    class Meta:
        verbose_name_plural = _("discrepancies")
        ordering = ["field"]
        constraints = [
            models.CheckConstraint(
                condition=Q(hardware__isnull=False, model__isnull=True) | Q(hardware__isnull=True, model__isnull=False),
                name="discrepancy_one_subject",
            ),
            models.UniqueConstraint(fields=["hardware", "model", "field", "source"], name="discrepancy_unique"),
        ]

    def __str__(self):
        return f"{self.subject}: {self.field}"

    @property
    def subject(self):
        return self.hardware if self.hardware_id else self.model

    @property
    def field_label(self):
        return self.subject._meta.get_field(self.field).verbose_name

    def natural_key(self):
        if self.hardware_id:
            return ("hardware", self.hardware.slug, self.field, self.source.url)
        return ("model", self.model.slug, self.field, self.source.url)

    natural_key.dependencies = ["catalog.hardware", "catalog.foundationmodel", "catalog.source"]
