from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

from catalog.choices import Access, Architecture, DatePrecision, Modality
from catalog.models.base import NON_NEGATIVE, SlugManager, SlugNaturalKeyMixin, SourcedFact, non_negative_constraints

# Positive integer fields already carry their own database check; these are the rest.
MODEL_NUMBERS = ["parameters", "active_parameters", "training_tokens", "training_compute_flop"]


class FoundationModel(SlugNaturalKeyMixin, SourcedFact):
    """A pre-trained model. Shape fields (layers, hidden size, KV heads) feed the serving estimators."""

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=150)
    local_name = models.CharField(max_length=150, blank=True)
    family = models.CharField(max_length=80, blank=True, help_text="e.g. GPT, LLaMA, PanGu, HyperCLOVA.")
    aliases = models.JSONField(
        default=list,
        blank=True,
        help_text="Other names for this row in outside data (Epoch AI, LiteLLM ids): importers match on them.",
    )
    organizations = models.ManyToManyField(
        "catalog.Organization", related_name="foundation_models", help_text="Several for joint work."
    )
    base_model = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="derived_models",
        help_text="The model this one was fine-tuned or distilled from.",
    )
    release_date = models.DateField(null=True, blank=True)
    release_date_precision = models.CharField(max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY)
    architecture = models.CharField(max_length=20, choices=Architecture.choices, default=Architecture.DECODER)
    modality = models.CharField(max_length=20, choices=Modality.choices, default=Modality.TEXT)
    access = models.CharField(max_length=15, choices=Access.choices)
    licence = models.CharField(max_length=100, blank=True)
    parameters = models.BigIntegerField(null=True, blank=True, validators=NON_NEGATIVE)
    active_parameters = models.BigIntegerField(
        null=True, blank=True, validators=NON_NEGATIVE, help_text="Parameters used per token (mixture of experts)."
    )
    training_tokens = models.BigIntegerField(null=True, blank=True, validators=NON_NEGATIVE)
    training_compute_flop = models.FloatField("training compute (FLOP)", null=True, blank=True, validators=NON_NEGATIVE)
    context_length = models.PositiveIntegerField(null=True, blank=True, help_text="Tokens.")
    layers = models.PositiveIntegerField(null=True, blank=True)
    hidden_size = models.PositiveIntegerField(null=True, blank=True)
    attention_heads = models.PositiveIntegerField(null=True, blank=True)
    kv_heads = models.PositiveIntegerField(null=True, blank=True, help_text="Key/value heads (GQA, MQA).")
    description = models.TextField(blank=True)
    website = models.URLField(max_length=300, blank=True)

    objects = SlugManager()

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

    def clean(self):
        if None not in (self.active_parameters, self.parameters) and self.active_parameters > self.parameters:
            raise ValidationError({"active_parameters": "Active parameters cannot exceed total parameters."})
        ancestor, seen = self.base_model, {self.pk}
        while ancestor is not None:
            if ancestor.pk in seen:
                raise ValidationError({"base_model": "A model cannot descend from itself."})
            seen.add(ancestor.pk)
            ancestor = ancestor.base_model
