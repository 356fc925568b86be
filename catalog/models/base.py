"""Building blocks shared by every catalog table: sources, confidence, natural keys, invariants."""

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from catalog.choices import Confidence, SourceKind


class SlugManager(models.Manager):
    """Rows are addressed by slug in fixtures, URLs and the API, so fixtures move between databases."""

    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class SlugNaturalKeyMixin:
    def natural_key(self):
        return (self.slug,)


def korean_name_field():
    return models.CharField(
        _("Korean name"),
        max_length=150,
        blank=True,
        help_text=_("The name Korean readers use (네이버, 엔비디아); empty where the name is written as it is."),
    )


class KoreanNameMixin:
    """Korean pages show a row's Korean name where it has one; English pages (and every URL) its name."""

    @property
    def display_name(self):
        return self.name_ko if self.name_ko and get_language() == "ko" else self.name

    @property
    def other_name(self):
        """The name in the other language (or the local script), shown beside the display name; empty if none."""
        if get_language() == "ko":
            return self.name if self.name_ko and self.name_ko != self.name else ""
        return self.name_ko or getattr(self, "local_name", "")


class SourceManager(models.Manager):
    def get_by_natural_key(self, url):
        return self.get(url=url)


class Source(models.Model):
    """A document a fact was taken from. Primary sources (datasheets, papers, pricing pages) first."""

    url = models.URLField(_("URL"), max_length=500, unique=True)
    title = models.CharField(_("title"), max_length=300)
    publisher = models.CharField(_("publisher"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=SourceKind.choices, default=SourceKind.OTHER)
    published_on = models.DateField(_("published on"), null=True, blank=True)
    retrieved_on = models.DateField(_("retrieved on"), null=True, blank=True)
    licence = models.CharField(
        _("licence"), max_length=40, blank=True, help_text=_("For a dataset the bundle copies from, e.g. CC BY 4.0.")
    )
    notes = models.TextField(_("notes"), blank=True)

    objects = SourceManager()

    class Meta:
        ordering = ["publisher", "title"]

    def __str__(self):
        return f"{self.publisher}: {self.title}" if self.publisher else self.title

    def natural_key(self):
        return (self.url,)


class SourcedFact(models.Model):
    """Every fact row says where it came from and how far to trust it."""

    sources = models.ManyToManyField(
        Source, verbose_name=_("sources"), blank=True, help_text=_("Primary sources first.")
    )
    confidence = models.CharField(
        _("confidence"), max_length=12, choices=Confidence.choices, default=Confidence.REPORTED
    )
    notes = models.TextField(
        _("notes"),
        blank=True,
        help_text=_("How derived or estimated values were worked out, and what other sources say."),
    )
    origin = models.CharField(
        _("origin"),
        max_length=200,
        blank=True,
        help_text=_("Empty for a curated row; for a row of the bundle's outside-data layer, its input file and row."),
    )

    class Meta:
        abstract = True

    @property
    def is_outside_data(self):
        return bool(self.origin)


# Field-level half of the non-negative rule (full_clean); the database half is ``non_negative_constraints``.
NON_NEGATIVE = [MinValueValidator(0)]


def zero_or_at_least_one(value):
    """Figures that divide others (FLOP/s, W, mm², byte/s, in SI base units) are 0 (treated as unknown) or at
    least 1. Below that a value is a typo, and a ratio over it overflows to infinity, which JSON cannot carry
    and PostgreSQL refuses to compute."""
    if value is not None and 0 < value < 1:
        raise ValidationError(_("Use 0 or a value of at least 1 (in SI base units)."), code="min_value")


DIVISOR = [*NON_NEGATIVE, zero_or_at_least_one]


def non_negative_constraints(model_name, fields):
    """One CHECK constraint per numeric field: NULL (unknown) or >= 0."""
    return [
        models.CheckConstraint(
            condition=Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__gte": 0}),
            name=f"{model_name}_{field}_non_negative",
        )
        for field in fields
    ]
