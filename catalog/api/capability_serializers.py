"""Serializers of the capability evaluations (benchmarks and scores) and of the price-of-capability answer."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from catalog.api.fields import CapabilityField, LinkField
from catalog.api.serializers import SOURCED_FIELDS, SourcedSerializer, model_summary, summary
from catalog.capability_prices import DATINGS
from catalog.models import Evaluation, EvaluationScore
from catalog.price_charts import PRICE_KINDS


class EvaluationSerializer(SourcedSerializer):
    url = LinkField("api:evaluation-detail")
    # The model's ``url`` (the defining paper) under another name: ``url`` is the row's own API link here.
    definition = serializers.URLField(
        source="url", max_length=300, help_text=_("The paper or page that defines the evaluation.")
    )

    class Meta:
        model = Evaluation
        fields = [
            "url",
            "slug",
            "name",
            "name_ko",
            "measures",
            "scale",
            "scale_min",
            "scale_max",
            "higher_is_better",
            "definition",
            *SOURCED_FIELDS,
        ]


class EvaluationScoreSerializer(SourcedSerializer):
    url = LinkField("api:evaluationscore-detail", lookup="pk")
    model = model_summary()
    evaluation = summary("api:evaluation-detail", Evaluation.objects.all())

    class Meta:
        model = EvaluationScore
        fields = [
            "url",
            "id",
            "model",
            "evaluation",
            "score",
            "variant",
            "setting",
            "measured_on",
            "measured_by",
            "evaluator",
            *SOURCED_FIELDS,
        ]


class CapabilityPricesQuerySerializer(serializers.Serializer):
    capability = CapabilityField()
    kind = serializers.ChoiceField(choices=list(PRICE_KINDS), default="blended", help_text=_("Which price."))
    dating = serializers.ChoiceField(
        choices=list(DATINGS),
        default="stored",
        help_text=_(
            "stored: price periods as recorded; release: each offering's first known price back-dated to its "
            "model's release (Epoch AI's method)."
        ),
    )


class ScoreSummarySerializer(serializers.Serializer):
    score = serializers.DecimalField(max_digits=7, decimal_places=2)
    setting = serializers.CharField()
    measured_by = serializers.CharField()
    evaluator = serializers.CharField()
    measured_on = serializers.DateField()
    sources = serializers.ListField(child=serializers.URLField())


class PricedStepSerializer(serializers.Serializer):
    date = serializers.DateField()
    price = serializers.DecimalField(
        max_digits=14, decimal_places=6, allow_null=True, help_text=_("USD per 1M tokens; null: nothing in force.")
    )
    model = serializers.CharField(allow_null=True, help_text=_("Slug of the model that sets the price."))
    provider = serializers.CharField(allow_null=True)
    api_model_id = serializers.CharField(allow_null=True)
    context_tier = serializers.CharField(allow_null=True)
    price_id = serializers.IntegerField(allow_null=True, help_text=_("The price row (GET /api/v1/prices/<id>/)."))
    effective_from = serializers.DateField(allow_null=True, help_text=_("The stored start of that price row."))
    score = ScoreSummarySerializer(allow_null=True, required=False, help_text=_("The score that qualified it."))


class FitSerializer(serializers.Serializer):
    points = serializers.IntegerField(help_text=_("Record lows fitted."))
    factor_per_year = serializers.FloatField(help_text=_("Times cheaper each year (>1: a fall)."))
    interval_95 = serializers.ListField(
        child=serializers.FloatField(),
        allow_null=True,
        help_text=_("95 percent interval of the factor; null with 2 points."),
    )
    r_squared = serializers.FloatField()
    start_year = serializers.FloatField()
    end_year = serializers.FloatField()


class FrontierSerializer(serializers.Serializer):
    model = serializers.CharField()
    score = serializers.DecimalField(max_digits=7, decimal_places=2)
    price = serializers.DecimalField(max_digits=14, decimal_places=6)
    provider = serializers.CharField()
    api_model_id = serializers.CharField()


class ReferenceSerializer(ScoreSummarySerializer):
    model = serializers.CharField(help_text=_("The reference model's slug."))


class CapabilitySummarySerializer(serializers.Serializer):
    key = serializers.CharField(help_text=_("The class as the capability parameter takes it."))
    label = serializers.CharField()
    evaluation = serializers.CharField(help_text=_("The evaluation's slug."))
    comparison = serializers.CharField(help_text=_("≥, or ≤ where lower scores are better."))
    threshold = serializers.DecimalField(max_digits=7, decimal_places=2)
    reference = ReferenceSerializer(
        allow_null=True, help_text=_("The score that set a reference preset's threshold; null for a number.")
    )


class CapabilityPricesSerializer(serializers.Serializer):
    capability = CapabilitySummarySerializer()
    kind = serializers.CharField()
    dating = serializers.CharField()
    models_in_class = serializers.IntegerField()
    priced_models = serializers.IntegerField(help_text=_("Models of the class with a price in the history."))
    steps = PricedStepSerializer(many=True, help_text=_("Each date the cheapest price in force changes."))
    record_lows = PricedStepSerializer(many=True, help_text=_("The steps that set a new low: what is fitted."))
    fit = FitSerializer(allow_null=True)
    frontier_today = FrontierSerializer(
        many=True, help_text=_("Today's price-score Pareto frontier on the evaluation: no model cheaper and better.")
    )
