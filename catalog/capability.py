"""Capability classes: "a score of at least T on evaluation B", the way to ask about models by what they can do.

A model belongs to a class when one of its served scores (``EvaluationScoreQuerySet.served``: not a pre-trained
checkpoint's, since prices are for the served model) reaches the threshold; for an evaluation where lower is
better, when one is at most the threshold. A model with no sourced score on B is in no class of B.

A class is written ``<evaluation>:<threshold>`` (``mmlu:70``, also ``mmlu>=70``) or named by a preset. A preset
fixes its threshold either as a number (a16z's MMLU 42) or as a reference model's best served score, read from
the catalog when used, so "GPT-4 level" is GPT-4's own recorded score and moves if a better-sourced row is added.
"""

import re
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from catalog.choices import MeasuredBy
from catalog.models import Evaluation, EvaluationScore, FoundationModel


@dataclass(frozen=True)
class Preset:
    key: str
    label: str
    evaluation: str  # slug
    threshold: Decimal | None = None  # a fixed number, or None: the reference model's best served score
    reference: tuple[str, ...] = ()  # model slugs, the first with a score is the reference
    why: str = ""


PRESETS = {
    preset.key: preset
    for preset in [
        Preset(
            "mmlu-42",
            _("About GPT-3 on MMLU"),
            "mmlu",
            Decimal(42),
            why=_('a16z\'s "LLMflation" threshold (GPT-3 175B scored 43.9 in the MMLU paper).'),
        ),
        Preset("gpt-3-5-mmlu", _("GPT-3.5 level on MMLU"), "mmlu", reference=("gpt-3-5-turbo", "gpt-3-5")),
        Preset(
            "mmlu-83", _("GPT-4 class on MMLU"), "mmlu", Decimal(83), why=_("a16z's second, GPT-4-class threshold.")
        ),
        Preset("gpt-4-mmlu", _("GPT-4 level on MMLU"), "mmlu", reference=("gpt-4",)),
        Preset(
            "gpt-4-gpqa",
            _("GPT-4 level on GPQA Diamond"),
            "gpqa-diamond",
            reference=("gpt-4",),
            why=_("The milestone of Epoch AI's 40× per year."),
        ),
        Preset("gpt-4o-gpqa", _("GPT-4o level on GPQA Diamond"), "gpqa-diamond", reference=("gpt-4o",)),
        Preset("gpt-4-kmmlu", _("GPT-4 level in Korean (KMMLU)"), "kmmlu", reference=("gpt-4",)),
        Preset(
            "claude-3-5-sonnet-swe",
            _("Claude 3.5 Sonnet level on SWE-bench Verified"),
            "swe-bench-verified",
            reference=("claude-3-5-sonnet",),
        ),
    ]
}
CUSTOM = re.compile(r"^(?P<evaluation>[a-z0-9-]{1,60})\s*(?::|>=|≥)\s*(?P<threshold>\d{1,5}(?:\.\d{1,2})?)$")
SYNTAX_HELP = _(
    "A preset (mmlu-42, gpt-3-5-mmlu, mmlu-83, gpt-4-mmlu, gpt-4-gpqa, gpt-4o-gpqa, gpt-4-kmmlu, "
    "claude-3-5-sonnet-swe) or <evaluation>:<score>, e.g. mmlu:70 or gpqa-diamond:50; add @independent "
    "(or @developer) to count only such scores, e.g. gpt-4-gpqa@independent."
)
MEASURED_BY_SUFFIX = re.compile(r"@(?P<measured_by>[a-z]+)$")


class CapabilityError(ValueError):
    """A class that cannot be read or resolved; the message says why, for a form or an API error."""


@dataclass(frozen=True)
class CapabilityClass:
    evaluation: Evaluation
    threshold: Decimal
    preset: Preset | None = None
    reference: EvaluationScore | None = None  # the score that set a reference preset's threshold
    measured_by: str = ""  # "": any score; else only developer-reported or only independent ones

    @property
    def key(self):
        key = self.preset.key if self.preset else f"{self.evaluation.slug}:{self.threshold.normalize():f}"
        return f"{key}@{self.measured_by}" if self.measured_by else key

    @property
    def comparison(self):
        return "≥" if self.evaluation.higher_is_better else "≤"

    def __str__(self):
        score = f"{self.evaluation.name} {self.comparison} {self.threshold.normalize():f}"
        if self.measured_by:
            score = f"{score}, {MeasuredBy(self.measured_by).label.lower()}"
        return f"{self.preset.label} ({score})" if self.preset else score

    def qualifying_scores(self):
        """The served scores that place a model in the class."""
        bound = "score__gte" if self.evaluation.higher_is_better else "score__lte"
        return scores_counted(self.evaluation, self.measured_by).filter(**{bound: self.threshold})

    def filter(self, queryset, model_field="pk"):
        """``queryset`` narrowed to rows whose model (``model_field``: the path to its id) is in the class:
        one EXISTS per row, whatever the number of scores."""
        return queryset.filter(Exists(self.qualifying_scores().filter(model=OuterRef(model_field))))

    def models(self):
        return self.filter(FoundationModel.objects.all())


def scores_counted(evaluation, measured_by=""):
    """The served scores on ``evaluation`` a class counts: every one, or only those of one kind of measurer."""
    scores = EvaluationScore.objects.served().filter(evaluation=evaluation)
    return scores.filter(measured_by=measured_by) if measured_by else scores


def counted_name(evaluation, measured_by):
    """The evaluation's name, with the kind of score counted when a class counts only one kind."""
    return f"{evaluation.name} ({MeasuredBy(measured_by).label.lower()})" if measured_by else evaluation.name


def reference_score(preset, evaluation, measured_by=""):
    """The reference model's best counted score on the preset's evaluation (the row, for its sources)."""
    order = "-score" if evaluation.higher_is_better else "score"
    for slug in preset.reference:
        best = (
            scores_counted(evaluation, measured_by)
            .filter(model__slug=slug)
            .select_related("model")
            .order_by(order, "measured_on")
            .first()
        )
        if best is not None:
            return best
    return None


def capability_class(text):
    """The class ``text`` names (a preset key or ``<evaluation>:<threshold>``, then optionally ``@independent`` or
    ``@developer``); CapabilityError if none."""
    text = (text or "").strip().lower()
    measured_by = ""
    suffix = MEASURED_BY_SUFFIX.search(text)
    if suffix is not None:
        measured_by = suffix["measured_by"]
        if measured_by not in MeasuredBy.values:
            raise CapabilityError(_("After @, write independent or developer."))
        text = text[: suffix.start()]
    preset = PRESETS.get(text)
    if preset is not None:
        slug, threshold = preset.evaluation, preset.threshold
    else:
        match = CUSTOM.match(text)
        if match is None:
            raise CapabilityError(_("Not a capability class. Use %(syntax)s") % {"syntax": SYNTAX_HELP})
        slug, threshold = match["evaluation"], Decimal(match["threshold"])  # the pattern admits plain decimals only
    evaluation = Evaluation.objects.filter(slug=slug).first()
    if evaluation is None:
        raise CapabilityError(_("No evaluation named “%(slug)s”.") % {"slug": slug})
    reference = None
    if threshold is None:
        reference = reference_score(preset, evaluation, measured_by)
        if reference is None:
            raise CapabilityError(
                _("The catalog has no score of %(model)s on %(evaluation)s, which this class is defined by.")
                % {"model": preset.reference[0], "evaluation": counted_name(evaluation, measured_by)}
            )
        threshold = reference.score
    out_of_scale = evaluation.out_of_scale(threshold)
    if out_of_scale:
        raise CapabilityError(
            _("The threshold %(threshold)s is %(problem)s.") % {"threshold": threshold, "problem": out_of_scale}
        )
    return CapabilityClass(evaluation, threshold, preset, reference, measured_by)


def preset_choices():
    return [(preset.key, preset.label) for preset in PRESETS.values()]
