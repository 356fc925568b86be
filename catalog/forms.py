"""The controls of the chart and compare pages: GET forms, so every view is a shareable URL."""

from django import forms

from catalog.charts import SCALE_METRICS, VENDOR_METRICS
from catalog.comparisons import MAX_COMPARED, MIN_COMPARED
from catalog.models import FoundationModel, Hardware


def chip_choices():
    return Hardware.objects.accelerators().select_related("vendor").order_by("vendor__name", "release_date", "name")


class VendorChartForm(forms.Form):
    metric = forms.ChoiceField(
        choices=[(key, label) for key, (label, _) in VENDOR_METRICS.items()], initial="bf16_flops", required=False
    )


class ModelScaleForm(forms.Form):
    metric = forms.ChoiceField(choices=list(SCALE_METRICS.items()), initial="parameters", required=False)


class RooflineForm(forms.Form):
    chips = forms.ModelMultipleChoiceField(
        queryset=chip_choices().exclude(bf16_flops=None).exclude(memory_bandwidth=None),
        to_field_name="slug",
        required=False,
        help_text=f"Up to {MAX_COMPARED}; none picked shows the newest chip of each of the largest vendors.",
    )
    model = forms.ModelChoiceField(
        queryset=FoundationModel.objects.exclude(parameters=None).order_by("name"),
        to_field_name="slug",
        required=False,
        help_text="Marks where its prefill and decode fall.",
    )
    prompt_tokens = forms.IntegerField(min_value=1, max_value=1_000_000, initial=2048, required=False)
    batch = forms.IntegerField(min_value=1, max_value=4096, initial=1, required=False)

    def clean_chips(self):
        chips = self.cleaned_data["chips"]
        if len(chips) > MAX_COMPARED:
            raise forms.ValidationError(f"Pick at most {MAX_COMPARED} chips.")
        return chips


class PriceChartForm(forms.Form):
    models = forms.ModelMultipleChoiceField(
        queryset=FoundationModel.objects.filter(prices__isnull=False).distinct().order_by("name"),
        to_field_name="slug",
        required=False,
        help_text="Models whose price history to draw; none picked shows those with the most price changes.",
    )

    def clean_models(self):
        models = self.cleaned_data["models"]
        if len(models) > 8:
            raise forms.ValidationError("Pick at most 8 models.")
        return models


class CompareHardwareForm(forms.Form):
    chips = forms.ModelMultipleChoiceField(queryset=chip_choices(), to_field_name="slug", required=False)

    def clean_chips(self):
        chips = self.cleaned_data["chips"]
        if chips and not MIN_COMPARED <= len(chips) <= MAX_COMPARED:
            raise forms.ValidationError(f"Pick {MIN_COMPARED} to {MAX_COMPARED} chips.")
        return chips


class CompareModelsForm(forms.Form):
    models = forms.ModelMultipleChoiceField(
        queryset=FoundationModel.objects.order_by("name"), to_field_name="slug", required=False
    )

    def clean_models(self):
        models = self.cleaned_data["models"]
        if models and not MIN_COMPARED <= len(models) <= MAX_COMPARED:
            raise forms.ValidationError(f"Pick {MIN_COMPARED} to {MAX_COMPARED} models.")
        return models
