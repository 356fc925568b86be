from django.db import models

from catalog.models.base import SlugManager, SlugNaturalKeyMixin, Source


class Concept(SlugNaturalKeyMixin, models.Model):
    """A glossary entry, in English and Korean (the origin essay's vocabulary first)."""

    slug = models.SlugField(max_length=80, unique=True)
    name_en = models.CharField("name (English)", max_length=120)
    name_ko = models.CharField("name (Korean)", max_length=120)
    summary_en = models.TextField("explanation (English)")
    summary_ko = models.TextField("explanation (Korean)")
    related = models.ManyToManyField("self", blank=True)
    sources = models.ManyToManyField(Source, blank=True, related_name="concepts")

    objects = SlugManager()

    class Meta:
        ordering = ["name_en"]

    def __str__(self):
        return f"{self.name_en} ({self.name_ko})"
