from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models

from catalog.models.base import SlugManager, SlugNaturalKeyMixin, SourcedFact

iso_country = RegexValidator(r"^[A-Z]{2}$", "Use an ISO 3166-1 alpha-2 code in capitals, e.g. KR or US.")


class Organization(SlugNaturalKeyMixin, SourcedFact):
    """A company, lab or consortium. One organization can play several roles (Google: models, TPUs, cloud)."""

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=150)
    local_name = models.CharField(max_length=150, blank=True, help_text="Name in the local script, e.g. 네이버.")
    aliases = models.JSONField(
        default=list,
        blank=True,
        help_text="Other names for this row in outside data (Epoch AI, LiteLLM ids): importers match on them.",
    )
    country = models.CharField(max_length=2, validators=[iso_country], help_text="ISO 3166-1 alpha-2.")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="subsidiaries")
    website = models.URLField(blank=True)
    founded = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1800), MaxValueValidator(2100)]
    )
    description = models.TextField(blank=True)
    # Roles as flags rather than a JSON list: cheap to filter on every database (SQLite has no JSON contains).
    is_model_developer = models.BooleanField("model developer", default=False)
    is_chip_designer = models.BooleanField("chip designer", default=False)
    is_cloud_provider = models.BooleanField("cloud provider", default=False)
    is_foundry = models.BooleanField("foundry", default=False)
    is_application_builder = models.BooleanField("application builder", default=False)

    objects = SlugManager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def roles(self):
        return [
            field.verbose_name
            for field in self._meta.fields
            if field.name.startswith("is_") and getattr(self, field.name)
        ]
