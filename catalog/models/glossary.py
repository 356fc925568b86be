from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from catalog.models.base import SlugManager, SlugNaturalKeyMixin, Source


class Concept(SlugNaturalKeyMixin, models.Model):
    """A glossary entry, in English and Korean (the origin essay's vocabulary first)."""

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=120)
    name_ko = models.CharField(_("name (Korean)"), max_length=120)
    summary_en = models.TextField(_("explanation (English)"))
    summary_ko = models.TextField(_("explanation (Korean)"))
    related = models.ManyToManyField("self", verbose_name=_("related"), blank=True)
    sources = models.ManyToManyField(Source, verbose_name=_("sources"), blank=True, related_name="concepts")

    objects = SlugManager()

    class Meta:
        ordering = ["name_en"]

    def __str__(self):
        return f"{self.name_en} ({self.name_ko})"

    # The glossary is bilingual by design: each page shows its own language first and the other beside it.
    @property
    def display_name(self):
        return self.name_ko if get_language() == "ko" else self.name_en

    @property
    def other_name(self):
        return self.name_en if get_language() == "ko" else self.name_ko

    @property
    def summary(self):
        return self.summary_ko if get_language() == "ko" else self.summary_en

    @property
    def other_summary(self):
        return self.summary_en if get_language() == "ko" else self.summary_ko
