from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from catalog.estimators.training import implied_utilization
from catalog.models.base import NON_NEGATIVE, SlugManager, SlugNaturalKeyMixin, SourcedFact, non_negative_constraints

TRAINING_NUMBERS = ["duration_hours", "training_compute_flop", "utilization", "cost_usd"]


class TrainingRun(SlugNaturalKeyMixin, SourcedFact):
    """How a model was trained: on what, on how many chips, for how long, with how much compute and money."""

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    model = models.ForeignKey(
        "catalog.FoundationModel", verbose_name=_("model"), on_delete=models.CASCADE, related_name="training_runs"
    )
    hardware = models.ForeignKey(
        "catalog.Hardware",
        verbose_name=_("hardware"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="training_runs",
    )
    chip_count = models.PositiveIntegerField(_("quantity of chips"), null=True, blank=True)
    duration_hours = models.FloatField(_("duration (hours)"), null=True, blank=True, validators=NON_NEGATIVE)
    training_compute_flop = models.FloatField(_("compute (FLOP)"), null=True, blank=True, validators=NON_NEGATIVE)
    utilization = models.FloatField(
        _("hardware utilization (MFU)"),
        null=True,
        blank=True,
        validators=[*NON_NEGATIVE, MaxValueValidator(1)],
        help_text=_("Fraction of peak, 0 to 1."),
    )
    cost_usd = models.DecimalField(
        _("cost (USD)"), max_digits=16, decimal_places=0, null=True, blank=True, validators=NON_NEGATIVE
    )
    start_date = models.DateField(_("start date"), null=True, blank=True)

    objects = SlugManager()

    class Meta:
        ordering = ["model__name", "slug"]
        constraints = [
            *non_negative_constraints("trainingrun", TRAINING_NUMBERS),
            models.CheckConstraint(
                condition=Q(utilization__isnull=True) | Q(utilization__lte=1), name="trainingrun_utilization_le_1"
            ),
        ]

    def __str__(self):
        on = f" on {self.chip_count or '?'} x {self.hardware}" if self.hardware_id else ""
        return f"{self.model}{on}"

    @property
    def implied_utilization(self):
        """Reported compute ÷ (chips × hours × the chip's highest dense peak): above 1 cannot be. None if unknown."""
        chip = self.hardware
        if chip is None:
            return None
        peak = max((value for value in (chip.bf16_flops, chip.fp8_flops, chip.fp32_flops) if value), default=None)
        return implied_utilization(
            flop=self.training_compute_flop, chips=self.chip_count, peak=peak, hours=self.duration_hours
        )
