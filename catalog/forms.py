"""The controls of the chart and compare pages: GET forms, so every view is a shareable URL."""

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from catalog.capability import CapabilityError, capability_class
from catalog.capability_prices import DATINGS
from catalog.charts import SCALE_METRICS, VENDOR_METRICS
from catalog.choices import Task
from catalog.comparisons import MAX_COMPARED, MIN_COMPARED
from catalog.filtering import CapabilityField, capability_widget
from catalog.models import Evaluation, FoundationModel, Hardware
from catalog.price_charts import GROUPINGS, PRICE_KINDS
from catalog.widgets import PickerChoiceField, PickerMultipleChoiceField

MAX_PRICE_MODELS = 8


def chip_choices():
    return Hardware.objects.accelerators().select_related("vendor").order_by("vendor__name", "release_date", "name")


class VendorChartForm(forms.Form):
    metric = forms.ChoiceField(
        label=_("Metric"),
        choices=[(key, label) for key, (label, _unit) in VENDOR_METRICS.items()],
        initial="bf16_flops",
        required=False,
    )


class ModelScaleForm(forms.Form):
    metric = forms.ChoiceField(
        label=_("Metric"), choices=list(SCALE_METRICS.items()), initial="parameters", required=False
    )


class RooflineForm(forms.Form):
    chips = PickerMultipleChoiceField(
        kind="accelerators",
        queryset=chip_choices().with_roofline(),
        required=False,
        label=_("Chips"),
        help_text=format_lazy(_("Up to {max}; none picked shows four chips of different vendors."), max=MAX_COMPARED),
    )
    model = PickerChoiceField(
        kind="sized-models",
        queryset=FoundationModel.objects.exclude(parameters=None).order_by("name"),
        required=False,
        label=_("Model"),
        help_text=_("Marks where its prefill and decode fall."),
    )
    prompt_tokens = forms.IntegerField(
        label=_("Prompt tokens"), min_value=1, max_value=1_000_000, initial=2048, required=False
    )
    batch = forms.IntegerField(label=_("Batch size"), min_value=1, max_value=4096, initial=1, required=False)

    def clean_chips(self):
        chips = self.cleaned_data["chips"]
        if len(chips) > MAX_COMPARED:
            raise forms.ValidationError(_("Pick at most %(max)s chips.") % {"max": MAX_COMPARED})
        return chips


def price_kind_field():
    return forms.ChoiceField(
        label=_("Price"),
        choices=list(PRICE_KINDS.items()),
        initial="blended",
        required=False,
        widget=forms.RadioSelect,
        help_text=_("Blended = (3 × input + output) / 4."),
    )


class PriceChartForm(forms.Form):
    # Field order is the page's: what to compare (task), which price, how to group, then the picker.
    task = forms.ChoiceField(
        label=_("Task"),
        choices=Task.choices,
        initial=Task.CHAT,
        required=False,
        help_text=_("Prices are compared within one task: an embedding is not a cheaper chat model."),
    )
    kind = price_kind_field()
    group = forms.ChoiceField(
        label=_("Lines"), choices=list(GROUPINGS.items()), initial="model", required=False, widget=forms.RadioSelect
    )
    models = PickerMultipleChoiceField(
        kind="models",
        queryset=FoundationModel.objects.filter(prices__isnull=False).distinct().order_by("name"),
        required=False,
        label=_("Models"),
        help_text=format_lazy(
            _("Up to {max}; none picked shows the models of the task with the most price changes."),
            max=MAX_PRICE_MODELS,
        ),
    )

    def clean_models(self):
        models = self.cleaned_data["models"]
        if len(models) > MAX_PRICE_MODELS:
            raise forms.ValidationError(_("Pick at most %(max)s models.") % {"max": MAX_PRICE_MODELS})
        return models


class CompareHardwareForm(forms.Form):
    chips = PickerMultipleChoiceField(kind="accelerators", queryset=chip_choices(), required=False, label=_("Chips"))

    def clean_chips(self):
        chips = self.cleaned_data["chips"]
        if chips and not MIN_COMPARED <= len(chips) <= MAX_COMPARED:
            raise forms.ValidationError(
                _("Pick %(min)s to %(max)s chips.") % {"min": MIN_COMPARED, "max": MAX_COMPARED}
            )
        return chips


class CompareModelsForm(forms.Form):
    models = PickerMultipleChoiceField(
        kind="models", queryset=FoundationModel.objects.order_by("name"), required=False, label=_("Models")
    )

    def clean_models(self):
        models = self.cleaned_data["models"]
        if models and not MIN_COMPARED <= len(models) <= MAX_COMPARED:
            raise forms.ValidationError(
                _("Pick %(min)s to %(max)s models.") % {"min": MIN_COMPARED, "max": MAX_COMPARED}
            )
        return models


class CapabilityChartForm(forms.Form):
    """A class from the presets, or one's own: an evaluation and a threshold (which then win over the preset)."""

    capability = CapabilityField(
        label=_("Capability"), initial="mmlu-42", widget=capability_widget(), help_text=_("A ready-made level.")
    )
    evaluation = PickerChoiceField(
        kind="evaluations",
        queryset=Evaluation.objects.all(),
        required=False,
        label=_("Or your own: evaluation"),
        help_text=_("e.g. MMLU, GPQA Diamond, KMMLU."),
    )
    threshold = forms.DecimalField(
        label=_("Score at least"), required=False, min_value=0, max_value=100_000, decimal_places=2
    )
    independent = forms.BooleanField(
        label=_("Independent scores only"),
        required=False,
        help_text=_("Count only scores measured by someone other than the model's developer."),
    )
    kind = price_kind_field()
    dating = forms.ChoiceField(
        label=_("Date prices"),
        help_text=_("A price read from a price map's snapshot starts on the snapshot's date unless back-dated."),
        choices=list(DATINGS.items()),
        initial="stored",
        required=False,
        widget=forms.RadioSelect,
    )

    def clean(self):
        data = super().clean()
        evaluation, threshold = data.get("evaluation"), data.get("threshold")
        if (evaluation is None) != (threshold is None):
            raise forms.ValidationError(_("Give both an evaluation and a score, or neither."))
        chosen = data.get("capability")
        if evaluation is not None:
            text = f"{evaluation.slug}:{threshold.normalize():f}"
        else:
            text = chosen.key if chosen else "mmlu-42"
        if data.get("independent") and "@" not in text:
            text += "@independent"
        try:
            data["class"] = capability_class(text)
        except CapabilityError as error:
            self.add_error("threshold" if evaluation is not None else "capability", str(error))
        return data
