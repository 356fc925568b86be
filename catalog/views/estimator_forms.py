"""The estimator pages' controls: GET forms (shareable URLs), except pasted text, which is POSTed."""

from django import forms
from django.utils.translation import gettext_lazy as _

from catalog.choices import Access, HardwareKind
from catalog.estimating import LIMITS, precision_choices
from catalog.estimating_text import FAMILY_LABELS
from catalog.estimators.serving import DEFAULT_BATCH, DEFAULT_CONTEXT, DEFAULT_UTILIZATION
from catalog.estimators.tokens import DEFAULT_FAMILY
from catalog.estimators.training import DEFAULT_TRAINING_UTILIZATION, TRAINING_PRECISIONS
from catalog.filtering import CapabilityField, capability_widget
from catalog.models import FoundationModel, Hardware, Organization
from catalog.widgets import PickerChoiceField, PickerMultipleChoiceField


def bounded_int(name, label, initial, **kwargs):
    low, high = LIMITS[name]
    return forms.IntegerField(label=label, min_value=low, max_value=high, initial=initial, required=False, **kwargs)


def utilization_field(initial):
    return forms.FloatField(
        label=_("Utilization"),
        min_value=0.01,
        max_value=1,
        initial=initial,
        required=False,
        help_text=_("Share of peak FLOP/s and memory bandwidth reached, 0.01 to 1."),
    )


def price_field():
    low, high = LIMITS["price"]
    return forms.DecimalField(
        label=_("Price per chip-hour (USD)"),
        min_value=low,
        max_value=high,
        max_digits=10,
        decimal_places=4,
        required=False,
        help_text=_("Empty: the chip's cheapest current on-demand cloud price, if the catalog has one."),
    )


class ServingForm(forms.Form):
    precision = forms.ChoiceField(label=_("Precision"), choices=precision_choices, initial="bf16", required=False)
    chips = bounded_int("chips", _("Chips"), 1)
    batch = bounded_int("batch", _("Batch size"), DEFAULT_BATCH)
    context = bounded_int(
        "context", _("Context (tokens per sequence)"), DEFAULT_CONTEXT, help_text=_("Prompt and output together.")
    )
    utilization = utilization_field(DEFAULT_UTILIZATION)

    def settings(self):
        """The estimator's keyword arguments: the cleaned values, the defaults where a field was left empty."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return {
            name: data.get(name) if data.get(name) not in (None, "") else self.base_fields[name].initial
            for name in ("precision", "chips", "batch", "context", "utilization")
        }


class PairForm(ServingForm):
    price = price_field()


class MatrixForm(ServingForm):
    """The matrix's settings. Chips left empty: each cell on the fewest chips that hold its model."""

    chips = forms.IntegerField(
        label=_("Chips per model"),
        min_value=LIMITS["chips"][0],
        max_value=LIMITS["chips"][1],
        required=False,
        help_text=_("Empty: for each pair, the fewest chips (1, 2, 4, 8…) whose memory holds the model."),
    )
    models = PickerMultipleChoiceField(
        kind="sized-models",
        queryset=FoundationModel.objects.filter(parameters__gt=0),
        label=_("Models"),
        required=False,
        help_text=_("Type names to compare these models only (the family and access filters then do not apply)."),
    )
    hardware = PickerMultipleChoiceField(
        kind="accelerators",
        queryset=Hardware.objects.accelerators(),
        label=_("Chips"),
        required=False,
        help_text=_("Type names to show these chips only."),
    )
    metric = forms.ChoiceField(
        label=_("Colour by"),
        choices=[("tokens", _("Decode tokens/s")), ("cost", _("USD per 1M output tokens"))],
        initial="tokens",
        required=False,
    )
    family = forms.CharField(
        label=_("Model family or series"),
        max_length=80,
        required=False,
        help_text=_("e.g. Llama 3 (finds 3, 3.1, 3.2, 3.3), Qwen, EXAONE."),
    )
    access = forms.ChoiceField(
        label=_("Model access"), choices=[("", _("Any")), *Access.choices], initial="open-weights", required=False
    )
    vendor = PickerChoiceField(
        kind="vendors",
        label=_("Chip vendor"),
        queryset=Organization.objects.filter(hardware__isnull=False).distinct(),
        required=False,
    )
    kind = forms.ChoiceField(label=_("Chip kind"), choices=[("", _("Any")), *HardwareKind.choices], required=False)
    priced = forms.BooleanField(label=_("Only chips with a cloud price"), required=False)
    capability = CapabilityField(
        widget=capability_widget(), help_text=_("Only models whose sourced score reaches this level.")
    )

    # The question most readers bring (which chips serve these models, how fast, at what cost) stays in view;
    # the rest folds away, so on a phone the matrix is not pushed below a 13-field form.
    MAIN_FIELDS = ("models", "family", "capability", "metric", "batch", "chips")

    def main_fields(self):
        return [self[name] for name in self.MAIN_FIELDS]

    def more_fields(self):
        return [field for field in self if field.name not in self.MAIN_FIELDS]

    def more_given(self):
        """Whether the folded fields hold anything the reader typed (or an error): then they open."""
        return self.is_bound and any(self.data.get(field.html_name) or field.errors for field in self.more_fields())

    def clean_kind(self):
        kind = self.cleaned_data["kind"]
        if kind == HardwareKind.CPU:
            raise forms.ValidationError(_("CPUs are not in the matrix."))
        return kind


class TrainingForm(forms.Form):
    model = PickerChoiceField(
        kind="sized-models",
        label=_("Model"),
        queryset=FoundationModel.objects.exclude(parameters=None),
        required=False,
    )
    hardware = PickerChoiceField(
        kind="accelerators",
        label=_("Chip"),
        queryset=Hardware.objects.accelerators().select_related("vendor"),
        required=False,
    )
    chips = bounded_int("training_chips", _("Chips (K)"), 1024)
    precision = forms.ChoiceField(
        label=_("Precision"),
        choices=[(key, label) for key, label in precision_choices() if key in TRAINING_PRECISIONS],
        initial="bf16",
        required=False,
    )
    utilization = utilization_field(DEFAULT_TRAINING_UTILIZATION)
    price = price_field()


class TokenForm(forms.Form):
    input_tokens = bounded_int("token_count", _("Input tokens (uncached)"), 1000)
    cached_tokens = bounded_int("token_count", _("Cached input tokens"), 0)
    output_tokens = bounded_int("token_count", _("Output tokens"), 1000)
    family = forms.ChoiceField(
        label=_("Tokenizer family"),
        choices=list(FAMILY_LABELS.items()),
        initial=DEFAULT_FAMILY,
        required=False,
        help_text=_("Only used to count a pasted text."),
    )
    text = forms.CharField(
        label=_("Or paste a text"),
        widget=forms.Textarea(attrs={"rows": 6, "cols": 60}),
        max_length=LIMITS["text_characters"],
        required=False,
        help_text=_("Its estimated token count replaces the input tokens."),
    )
    capability = CapabilityField(
        widget=capability_widget(), help_text=_("Only the prices of models whose sourced score reaches this level.")
    )

    def values(self):
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        values = {}
        for name in ("input_tokens", "cached_tokens", "output_tokens", "family", "text", "capability"):
            value = data.get(name)
            values[name] = value if value not in (None, "") else self.base_fields[name].initial
        values["text"] = values["text"] or ""
        return values
