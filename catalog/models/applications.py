from django.db import models

from catalog.choices import DatePrecision
from catalog.models.base import SlugManager, SlugNaturalKeyMixin, SourcedFact


class Application(SlugNaturalKeyMixin, SourcedFact):
    """A product built on foundation models (ChatGPT, SKT's A. (에이닷), Microsoft 365 Copilot...)."""

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=150)
    local_name = models.CharField(max_length=150, blank=True)
    organization = models.ForeignKey("catalog.Organization", on_delete=models.PROTECT, related_name="applications")
    foundation_models = models.ManyToManyField("catalog.FoundationModel", blank=True, related_name="applications")
    launched = models.DateField(null=True, blank=True)
    launched_precision = models.CharField(max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY)
    category = models.CharField(max_length=80, blank=True, help_text="assistant, productivity, image editing...")
    description = models.TextField(blank=True)
    website = models.URLField(max_length=300, blank=True)

    objects = SlugManager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name
