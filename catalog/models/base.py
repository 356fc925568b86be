"""Building blocks shared by every catalog table: sources, confidence, natural keys, invariants."""

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from catalog.choices import Confidence, SourceKind


class SlugManager(models.Manager):
    """Rows are addressed by slug in fixtures, URLs and the API, so fixtures move between databases."""

    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class SlugNaturalKeyMixin:
    def natural_key(self):
        return (self.slug,)


class SourceManager(models.Manager):
    def get_by_natural_key(self, url):
        return self.get(url=url)


class Source(models.Model):
    """A document a fact was taken from. Primary sources (datasheets, papers, pricing pages) first."""

    url = models.URLField(max_length=500, unique=True)
    title = models.CharField(max_length=300)
    publisher = models.CharField(max_length=200, blank=True)
    kind = models.CharField(max_length=20, choices=SourceKind.choices, default=SourceKind.OTHER)
    published_on = models.DateField(null=True, blank=True)
    retrieved_on = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)

    objects = SourceManager()

    class Meta:
        ordering = ["publisher", "title"]

    def __str__(self):
        return f"{self.publisher}: {self.title}" if self.publisher else self.title

    def natural_key(self):
        return (self.url,)


class SourcedFact(models.Model):
    """Every fact row says where it came from and how far to trust it."""

    sources = models.ManyToManyField(Source, blank=True, help_text="Primary sources first.")
    confidence = models.CharField(max_length=12, choices=Confidence.choices, default=Confidence.REPORTED)
    notes = models.TextField(
        blank=True,
        help_text="How derived or estimated values were worked out, and what other sources say.",
    )

    class Meta:
        abstract = True


# Field-level half of the non-negative rule (full_clean); the database half is ``non_negative_constraints``.
NON_NEGATIVE = [MinValueValidator(0)]


def non_negative_constraints(model_name, fields):
    """One CHECK constraint per numeric field: NULL (unknown) or >= 0."""
    return [
        models.CheckConstraint(
            condition=Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__gte": 0}),
            name=f"{model_name}_{field}_non_negative",
        )
        for field in fields
    ]
