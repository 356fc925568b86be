from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from catalog.choices import Access, Architecture, DatePrecision, Modality, Task
from catalog.models.base import (
    NON_NEGATIVE,
    KoreanNameMixin,
    SlugManager,
    SlugNaturalKeyMixin,
    SourcedFact,
    korean_name_field,
    non_negative_constraints,
)

# Positive integer fields already carry their own database check; these are the rest.
MODEL_NUMBERS = ["parameters", "active_parameters", "training_tokens", "training_compute_flop"]
# The figures a model's page lists under "Facts", each with the unit it is shown in.
MODEL_FACTS = [
    ("parameters", "count"),
    ("active_parameters", "count"),
    ("training_tokens", "count"),
    ("training_compute_flop", "FLOP"),
    ("context_length", "tokens"),
    ("layers", ""),
    ("hidden_size", ""),
    ("attention_heads", ""),
    ("kv_heads", ""),
]


class FoundationModel(KoreanNameMixin, SlugNaturalKeyMixin, SourcedFact):
    """A pre-trained model. Shape fields (layers, hidden size, KV heads) feed the serving estimators."""

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=150)
    name_ko = korean_name_field()
    local_name = models.CharField(_("local name"), max_length=150, blank=True)
    family = models.CharField(
        _("family"), max_length=80, blank=True, help_text=_("e.g. GPT, LLaMA, PanGu, HyperCLOVA.")
    )
    aliases = models.JSONField(
        _("aliases"),
        default=list,
        blank=True,
        help_text=_("Other names for this row in outside data (Epoch AI, LiteLLM ids): importers match on them."),
    )
    organizations = models.ManyToManyField(
        "catalog.Organization",
        verbose_name=_("organizations"),
        related_name="foundation_models",
        help_text=_("Several for joint work."),
    )
    base_model = models.ForeignKey(
        "self",
        verbose_name=_("base model"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="derived_models",
        help_text=_("The model this one was fine-tuned or distilled from."),
    )
    release_date = models.DateField(_("release date"), null=True, blank=True)
    release_date_precision = models.CharField(
        _("release date precision"), max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    architecture = models.CharField(
        _("architecture"), max_length=20, choices=Architecture.choices, default=Architecture.DECODER
    )
    modality = models.CharField(_("modality"), max_length=20, choices=Modality.choices, default=Modality.TEXT)
    task = models.CharField(
        _("task"),
        max_length=12,
        choices=Task.choices,
        default=Task.CHAT,
        help_text=_("What its API is used for; prices are compared within one task."),
    )
    access = models.CharField(_("access"), max_length=15, choices=Access.choices)
    licence = models.CharField(_("licence"), max_length=100, blank=True)
    parameters = models.BigIntegerField(_("parameters"), null=True, blank=True, validators=NON_NEGATIVE)
    active_parameters = models.BigIntegerField(
        _("active parameters"),
        null=True,
        blank=True,
        validators=NON_NEGATIVE,
        help_text=_("Parameters used per token (mixture of experts)."),
    )
    training_tokens = models.BigIntegerField(_("training tokens"), null=True, blank=True, validators=NON_NEGATIVE)
    training_compute_flop = models.FloatField(
        _("training compute (FLOP)"), null=True, blank=True, validators=NON_NEGATIVE
    )
    context_length = models.PositiveIntegerField(_("context length"), null=True, blank=True, help_text=_("Tokens."))
    layers = models.PositiveIntegerField(_("layers"), null=True, blank=True)
    hidden_size = models.PositiveIntegerField(_("hidden size"), null=True, blank=True)
    attention_heads = models.PositiveIntegerField(_("attention heads"), null=True, blank=True)
    kv_heads = models.PositiveIntegerField(
        _("KV heads"), null=True, blank=True, help_text=_("Key/value heads (GQA, MQA).")
    )
    description = models.TextField(_("description"), blank=True)
    website = models.URLField(_("website"), max_length=300, blank=True)

    objects = SlugManager()
    facts = MODEL_FACTS

    class Meta:
        ordering = ["-release_date", "name"]
        constraints = [
            *non_negative_constraints("foundationmodel", MODEL_NUMBERS),
            models.CheckConstraint(
                condition=Q(active_parameters__isnull=True)
                | Q(parameters__isnull=True)
                | Q(active_parameters__lte=F("parameters")),
                name="foundationmodel_active_le_total_parameters",
            ),
            models.CheckConstraint(condition=~Q(base_model=F("id")), name="foundationmodel_not_its_own_base"),
        ]

    def __str__(self):
        return self.name

    @property
    def has_facts(self):
        return any(getattr(self, field) is not None for field, _unit in self.facts)

    def clean(self):
        if None not in (self.active_parameters, self.parameters) and self.active_parameters > self.parameters:
            raise ValidationError({"active_parameters": "Active parameters cannot exceed total parameters."})
        ancestor, seen = self.base_model, {self.pk}
        while ancestor is not None:
            if ancestor.pk in seen:
                raise ValidationError({"base_model": "A model cannot descend from itself."})
            seen.add(ancestor.pk)
            ancestor = ancestor.base_model
