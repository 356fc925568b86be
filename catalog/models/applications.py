from django.db import models
from django.utils.translation import gettext_lazy as _

from catalog.choices import DatePrecision
from catalog.models.base import KoreanNameMixin, SlugManager, SlugNaturalKeyMixin, SourcedFact, korean_name_field


class Application(KoreanNameMixin, SlugNaturalKeyMixin, SourcedFact):
    """A product built on foundation models (ChatGPT, SKT's A. (에이닷), Microsoft 365 Copilot...)."""

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=150)
    name_ko = korean_name_field()
    local_name = models.CharField(_("local name"), max_length=150, blank=True)
    organization = models.ForeignKey(
        "catalog.Organization", verbose_name=_("organization"), on_delete=models.PROTECT, related_name="applications"
    )
    foundation_models = models.ManyToManyField(
        "catalog.FoundationModel", verbose_name=_("foundation models"), blank=True, related_name="applications"
    )
    launched = models.DateField(_("launched"), null=True, blank=True)
    launched_precision = models.CharField(
        _("launched precision"), max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    category = models.CharField(
        _("category"), max_length=80, blank=True, help_text=_("assistant, productivity, image editing...")
    )
    description = models.TextField(_("description"), blank=True)
    website = models.URLField(_("website"), max_length=300, blank=True)

    objects = SlugManager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name
