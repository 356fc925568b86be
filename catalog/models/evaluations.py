"""Capability evaluations: benchmarks such as MMLU or GPQA Diamond, and the sourced scores models got on them.

Not to be confused with the bundled micro-model benchmark (``catalog.models.benchmarks``), which measures
latency on the local machine: an *evaluation* measures what a model can do, and every score cites the document
that reports it. Where the developer and an independent evaluator disagree, both are rows, told apart by
``measured_by`` and ``evaluator``.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Max, Q
from django.utils.translation import gettext_lazy as _

from catalog.choices import EvaluationScale, MeasuredBy, ScoreVariant
from catalog.models.base import KoreanNameMixin, SlugManager, SlugNaturalKeyMixin, SourcedFact, korean_name_field


class Evaluation(KoreanNameMixin, SlugNaturalKeyMixin, SourcedFact):
    """A capability benchmark: what it measures, on what scale, and where it is defined."""

    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_ko = korean_name_field()
    measures = models.TextField(_("what it measures"))
    scale = models.CharField(_("scale"), max_length=10, choices=EvaluationScale.choices)
    scale_min = models.DecimalField(_("lowest possible score"), max_digits=7, decimal_places=2, default=Decimal(0))
    scale_max = models.DecimalField(
        _("highest possible score"),
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Empty for an open rating scale."),
    )
    higher_is_better = models.BooleanField(_("higher is better"), default=True)
    url = models.URLField(_("link"), max_length=300, help_text=_("The paper or page that defines it."))

    objects = SlugManager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(scale_max__isnull=True) | Q(scale_max__gt=models.F("scale_min")),
                name="evaluation_scale_max_above_min",
            ),
        ]

    def __str__(self):
        return self.name

    def out_of_scale(self, score):
        """Why ``score`` cannot be a score on this evaluation, or '' if it can."""
        if score < self.scale_min:
            return f"below the lowest possible score ({self.scale_min})"
        if self.scale_max is not None and score > self.scale_max:
            return f"above the highest possible score ({self.scale_max})"
        return ""


class EvaluationScoreQuerySet(models.QuerySet):
    def served(self):
        """Scores of a model as it is served (as released or its chat tune), not of its pre-trained checkpoint:
        what a capability class counts, since prices are for the served model."""
        return self.exclude(variant=ScoreVariant.BASE)

    def best_by_model(self, evaluation):
        """{model id: highest served score on ``evaluation``} (an ``Evaluation`` or its slug)."""
        rows = self.served().filter(
            **({"evaluation": evaluation} if isinstance(evaluation, Evaluation) else {"evaluation__slug": evaluation})
        )
        return dict(rows.values("model").annotate(best=Max("score")).values_list("model", "best"))


class EvaluationScoreManager(models.Manager.from_queryset(EvaluationScoreQuerySet)):
    def get_by_natural_key(self, model_slug, evaluation_slug, variant, setting, evaluator, measured_on):
        return self.get(
            model__slug=model_slug,
            evaluation__slug=evaluation_slug,
            variant=variant,
            setting=setting,
            evaluator=evaluator,
            measured_on=measured_on,
        )


class EvaluationScore(SourcedFact):
    """One model's score on one evaluation, in one setting, as one party measured and reported it."""

    model = models.ForeignKey(
        "catalog.FoundationModel",
        verbose_name=_("model"),
        on_delete=models.CASCADE,
        related_name="evaluation_scores",
    )
    evaluation = models.ForeignKey(
        Evaluation, verbose_name=_("evaluation"), on_delete=models.PROTECT, related_name="scores"
    )
    score = models.DecimalField(
        _("score"), max_digits=7, decimal_places=2, help_text=_("Percent (0–100), or the rating, as the scale says.")
    )
    variant = models.CharField(
        _("variant"),
        max_length=12,
        choices=ScoreVariant.choices,
        default=ScoreVariant.AS_RELEASED,
        help_text=_("Which checkpoint was evaluated, where the model row covers a base model and its chat tune."),
    )
    setting = models.CharField(
        _("setting"),
        max_length=100,
        blank=True,
        help_text=_("How it was run: shots, chain of thought, pass@k, the harness or scaffold."),
    )
    measured_on = models.DateField(
        _("measured on"), help_text=_("When the score was published (or the leaderboard snapshot's date).")
    )
    measured_by = models.CharField(_("measured by"), max_length=12, choices=MeasuredBy.choices)
    evaluator = models.CharField(
        _("evaluator"), max_length=100, help_text=_("Who ran it: the developer's name, or e.g. Epoch AI, LMArena.")
    )

    objects = EvaluationScoreManager()

    class Meta:
        ordering = ["evaluation__name", "-score"]
        constraints = [
            models.UniqueConstraint(
                fields=["model", "evaluation", "variant", "setting", "evaluator", "measured_on"],
                name="evaluationscore_unique_measurement",
            ),
        ]

    def __str__(self):
        return f"{self.model} on {self.evaluation}: {self.score}"

    def natural_key(self):
        return (
            self.model.slug,
            self.evaluation.slug,
            self.variant,
            self.setting,
            self.evaluator,
            self.measured_on.isoformat(),
        )

    natural_key.dependencies = ["catalog.foundationmodel", "catalog.evaluation"]

    def clean(self):
        super().clean()
        if self.score is not None and self.evaluation_id is not None:
            problem = self.evaluation.out_of_scale(self.score)
            if problem:
                raise ValidationError({"score": f"{self.score} is {problem} of {self.evaluation}."})
