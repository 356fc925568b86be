"""The estimate endpoints' inputs (validated, bounded) and outputs (documented for the schema)."""

import math

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from catalog.api.fields import CapabilityField
from catalog.capability import SYNTAX_HELP
from catalog.estimating import LIMITS
from catalog.estimators.serving import DEFAULT_BATCH, DEFAULT_CONTEXT, DEFAULT_UTILIZATION, USER_PRECISIONS
from catalog.estimators.tokens import DEFAULT_FAMILY, TOKEN_RULES
from catalog.estimators.training import DEFAULT_TRAINING_UTILIZATION, TRAINING_PRECISIONS
from catalog.models import FoundationModel, Hardware

GET_TEXT_CHARACTERS = 4000  # a longer text belongs in a POST body, not a URL
TOKEN_PRICES_DEFAULT, TOKEN_PRICES_MAX = 50, 500  # the token answer's prices: its size, whatever the catalog's


def bounded_int(limit, help_text, **kwargs):
    low, high = LIMITS[limit]
    return serializers.IntegerField(min_value=low, max_value=high, help_text=help_text, **kwargs)


def bounded_float(limit, help_text, **kwargs):
    low, high = LIMITS[limit]
    return serializers.FloatField(min_value=low, max_value=high, help_text=help_text, **kwargs)


def utilization(default):
    return serializers.FloatField(
        min_value=0.01, max_value=1, default=default, help_text=_("Share of peak reached, 0.01 to 1.")
    )


def price():
    low, high = LIMITS["price"]
    return serializers.DecimalField(
        max_digits=10,
        decimal_places=4,
        min_value=low,
        max_value=high,
        required=False,
        help_text=_("USD per chip-hour. Default: the chip's cheapest current on-demand cloud price, if any."),
    )


class FiniteMixin:
    def validate(self, attrs):
        for name, value in attrs.items():
            if isinstance(value, float) and not math.isfinite(value):
                raise serializers.ValidationError({name: [_("A finite number is required.")]})
        return super().validate(attrs)


class ServingQuerySerializer(FiniteMixin, serializers.Serializer):
    model = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=FoundationModel.objects.all(),
        required=False,
        help_text=_("Model slug. Or describe a model with the numbers below (they also override its figures)."),
    )
    parameters = bounded_int("parameters", _("Total parameters."), required=False)
    active_parameters = bounded_int(
        "parameters", _("Active parameters per token (mixture of experts)."), required=False
    )
    layers = bounded_int("layers", _("Transformer layers."), required=False)
    hidden_size = bounded_int("hidden_size", _("Hidden size."), required=False)
    attention_heads = bounded_int("heads", _("Attention heads."), required=False)
    kv_heads = bounded_int("heads", _("Key/value heads."), required=False)
    hardware = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Hardware.objects.all(),
        required=False,
        help_text=_("Chip slug. Or describe a chip with the numbers below (they also override its figures)."),
    )
    memory_bytes = bounded_float("memory_bytes", _("Memory per chip, bytes."), required=False)
    memory_bandwidth = bounded_float("memory_bandwidth", _("Memory bandwidth per chip, byte/s."), required=False)
    peak_flops = bounded_float("peak_flops", _("Dense peak at the chosen precision per chip, FLOP/s."), required=False)
    precision = serializers.ChoiceField(choices=list(USER_PRECISIONS), default="bf16")
    chips = bounded_int("chips", _("Number of chips."), default=1)
    batch = bounded_int("batch", _("Sequences decoded together."), default=DEFAULT_BATCH)
    context = bounded_int("context", _("Tokens per sequence (prompt and output)."), default=DEFAULT_CONTEXT)
    utilization = utilization(DEFAULT_UTILIZATION)
    price_per_chip_hour = price()

    def validate(self, attrs):
        attrs = super().validate(attrs)
        errors = {}
        if not attrs.get("model") and not attrs.get("parameters"):
            errors["parameters"] = [_("Give a model slug or the model's parameters.")]
        elif attrs.get("model") and not (attrs.get("parameters") or attrs["model"].parameters):
            errors["model"] = [_("The catalog does not record this model's parameters: give parameters.")]
        if not attrs.get("hardware") and not (attrs.get("memory_bytes") or attrs.get("memory_bandwidth")):
            errors["memory_bandwidth"] = [_("Give a hardware slug or the chip's memory and bandwidth.")]
        total = attrs.get("parameters") or (attrs.get("model") and attrs["model"].parameters)
        if attrs.get("active_parameters") and total and attrs["active_parameters"] > total:
            errors["active_parameters"] = [_("Active parameters cannot exceed total parameters.")]
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class TrainingQuerySerializer(FiniteMixin, serializers.Serializer):
    model = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=FoundationModel.objects.all(),
        required=False,
        help_text=_("Model slug; or give parameters and tokens."),
    )
    parameters = bounded_int("parameters", _("Parameters N (active ones for a mixture of experts)."), required=False)
    tokens = bounded_int("tokens", _("Training tokens D."), required=False)
    hardware = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Hardware.objects.all(),
        required=False,
        help_text=_("Chip slug; or give peak_flops."),
    )
    peak_flops = bounded_float("peak_flops", _("Dense peak per chip at the precision, FLOP/s."), required=False)
    chips = bounded_int("training_chips", _("Number of chips K."), default=1024)
    precision = serializers.ChoiceField(choices=list(TRAINING_PRECISIONS), default="bf16")
    utilization = utilization(DEFAULT_TRAINING_UTILIZATION)
    price_per_chip_hour = price()

    def validate(self, attrs):
        attrs = super().validate(attrs)
        errors = {}
        model = attrs.get("model")
        if model is None and not (attrs.get("parameters") and attrs.get("tokens")):
            errors["parameters"] = [_("Give a model slug, or both parameters and tokens.")]
        if not attrs.get("hardware") and not attrs.get("peak_flops"):
            errors["peak_flops"] = [_("Give a hardware slug or the chip's peak_flops.")]
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class TokensQuerySerializer(FiniteMixin, serializers.Serializer):
    input_tokens = bounded_int("token_count", _("Uncached input tokens."), default=1000)
    cached_tokens = bounded_int("token_count", _("Cached input tokens."), default=0)
    output_tokens = bounded_int("token_count", _("Output tokens."), default=1000)
    text = serializers.CharField(
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        max_length=LIMITS["text_characters"],
        help_text=_("A text whose estimated token count replaces input_tokens (at most 4,000 characters in a GET)."),
    )
    family = serializers.ChoiceField(choices=list(TOKEN_RULES), default=DEFAULT_FAMILY)
    capability = CapabilityField(
        required=False, allow_blank=True, help_text=format_lazy("{} {}", _("Only models in this class."), SYNTAX_HELP)
    )
    limit = serializers.IntegerField(
        min_value=1,
        max_value=TOKEN_PRICES_MAX,
        default=TOKEN_PRICES_DEFAULT,
        help_text=format_lazy(_("How many of the cheapest prices to list, 1 to {}."), TOKEN_PRICES_MAX),
    )

    def validate_text(self, text):
        if self.context.get("method") == "GET" and len(text) > GET_TEXT_CHARACTERS:
            raise serializers.ValidationError(_("Send a text this long in a POST body."))
        return text


# -------------------------------------------------------------------------------------------- outputs


class StepSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    formula = serializers.CharField()
    substituted = serializers.CharField(help_text=_("The formula with the numbers put in."))
    value = serializers.FloatField(allow_null=True)
    unit = serializers.CharField()


class AssumptionSerializer(serializers.Serializer):
    code = serializers.CharField()
    text = serializers.CharField()


class NamedSerializer(serializers.Serializer):
    slug = serializers.CharField(allow_null=True, help_text=_("Null for numbers given in the request."))
    name = serializers.CharField()


class CloudPriceUsedSerializer(serializers.Serializer):
    provider = serializers.CharField()
    instance_type = serializers.CharField()
    region = serializers.CharField()
    accelerators_per_instance = serializers.IntegerField()
    price_per_accelerator_hour = serializers.DecimalField(max_digits=20, decimal_places=6)


class ApiPriceSerializer(serializers.Serializer):
    provider = serializers.CharField()
    api_model_id = serializers.CharField()
    context_tier = serializers.CharField()
    currency = serializers.CharField()
    input_per_mtok = serializers.DecimalField(max_digits=20, decimal_places=6)
    output_per_mtok = serializers.DecimalField(max_digits=20, decimal_places=6)
    cached_input_per_mtok = serializers.DecimalField(max_digits=20, decimal_places=6, allow_null=True)
    blended_per_mtok = serializers.DecimalField(max_digits=20, decimal_places=6)


class ServingEstimateSerializer(serializers.Serializer):
    model = NamedSerializer()
    hardware = NamedSerializer()
    precision = serializers.CharField()
    chips = serializers.IntegerField()
    batch = serializers.IntegerField()
    context = serializers.IntegerField(help_text=_("Capped at the model's context length."))
    utilization = serializers.FloatField()
    fits = serializers.BooleanField(allow_null=True, help_text=_("Null when the chip's memory is unknown."))
    weight_bytes = serializers.FloatField()
    kv_bytes = serializers.FloatField(allow_null=True)
    required_bytes = serializers.FloatField()
    available_bytes = serializers.FloatField(allow_null=True)
    chips_needed = serializers.IntegerField(allow_null=True)
    peak_field = serializers.CharField(allow_null=True)
    peak_flops = serializers.FloatField(allow_null=True)
    decode_tokens_per_s = serializers.FloatField(allow_null=True, help_text=_("Whole batch, upper bound."))
    decode_limited_by = serializers.CharField(allow_null=True)
    prefill_tokens_per_s = serializers.FloatField(allow_null=True)
    price_per_chip_hour = serializers.FloatField(allow_null=True)
    cloud_price = CloudPriceUsedSerializer(allow_null=True, help_text=_("The cloud offering priced, if any."))
    usd_per_m_output = serializers.FloatField(allow_null=True)
    usd_per_m_input = serializers.FloatField(allow_null=True)
    api_prices = ApiPriceSerializer(many=True, help_text=_("The model's current API prices, to compare."))
    steps = StepSerializer(many=True)
    assumptions = AssumptionSerializer(many=True)


class RecordedRunSerializer(serializers.Serializer):
    slug = serializers.CharField()
    hardware = serializers.CharField(allow_null=True)
    chip_count = serializers.IntegerField(allow_null=True)
    estimated_flop = serializers.FloatField(allow_null=True)
    reported_flop = serializers.FloatField(allow_null=True)
    flop_ratio = serializers.FloatField(allow_null=True)
    estimated_hours = serializers.FloatField(allow_null=True)
    reported_hours = serializers.FloatField(allow_null=True)
    hours_ratio = serializers.FloatField(allow_null=True)
    estimated_cost_usd = serializers.FloatField(allow_null=True)
    reported_cost_usd = serializers.DecimalField(max_digits=20, decimal_places=0, allow_null=True)
    cost_ratio = serializers.FloatField(allow_null=True)


class TrainingEstimateSerializer(serializers.Serializer):
    model = NamedSerializer()
    hardware = NamedSerializer()
    flop = serializers.FloatField(allow_null=True)
    flop_source = serializers.CharField(help_text=_("'6ND', 'reported', or empty when unknown."))
    chips = serializers.IntegerField()
    precision = serializers.CharField()
    utilization = serializers.FloatField()
    peak_flops = serializers.FloatField(allow_null=True)
    seconds = serializers.FloatField(allow_null=True)
    hours = serializers.FloatField(allow_null=True)
    chip_hours = serializers.FloatField(allow_null=True)
    price_per_chip_hour = serializers.FloatField(allow_null=True)
    cost_usd = serializers.FloatField(allow_null=True)
    recorded_runs = RecordedRunSerializer(many=True, help_text=_("The model's recorded runs, estimated alike."))
    steps = StepSerializer(many=True)
    assumptions = AssumptionSerializer(many=True)


class RatioSerializer(serializers.Serializer):
    script = serializers.CharField()
    script_label = serializers.CharField()
    characters_per_token = serializers.FloatField()
    basis = serializers.CharField()


class SourceLinkSerializer(serializers.Serializer):
    url = serializers.URLField()
    title = serializers.CharField()


class TokenRuleSerializer(serializers.Serializer):
    family = serializers.CharField()
    label = serializers.CharField()
    ratios = RatioSerializer(many=True)
    sources = SourceLinkSerializer(many=True)


class CharactersSerializer(serializers.Serializer):
    latin = serializers.IntegerField()
    hangul = serializers.IntegerField()
    cjk = serializers.IntegerField()


class CountedTextSerializer(serializers.Serializer):
    family = serializers.CharField()
    characters = CharactersSerializer()
    tokens = serializers.IntegerField()
    steps = StepSerializer(many=True)


class TokenCostSerializer(serializers.Serializer):
    model = NamedSerializer()
    provider = NamedSerializer()
    api_model_id = serializers.CharField()
    context_tier = serializers.CharField()
    input_usd = serializers.DecimalField(max_digits=30, decimal_places=10)
    cached_usd = serializers.DecimalField(max_digits=30, decimal_places=10)
    output_usd = serializers.DecimalField(max_digits=30, decimal_places=10)
    total_usd = serializers.DecimalField(max_digits=30, decimal_places=10)
    blended_per_mtok = serializers.DecimalField(max_digits=20, decimal_places=6)
    cached_at_input_price = serializers.BooleanField()


class TokenEstimateSerializer(serializers.Serializer):
    input_tokens = serializers.IntegerField(help_text=_("Counted from the text when one was given."))
    cached_tokens = serializers.IntegerField()
    output_tokens = serializers.IntegerField()
    counted = CountedTextSerializer(allow_null=True)
    price_count = serializers.IntegerField(
        help_text=_("How many current USD prices apply to this request; prices lists the cheapest of them.")
    )
    prices = TokenCostSerializer(
        many=True, help_text=_("The cheapest current USD prices whose tier applies, at most limit, cheapest first.")
    )
    rules = TokenRuleSerializer(many=True)
