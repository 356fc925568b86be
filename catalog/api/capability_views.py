"""Evaluations and their scores (read for everyone, written by staff), and the price-of-capability endpoint."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from catalog import filters
from catalog.api import capability_serializers as serializers
from catalog.api.views import CatalogViewSet, sourced, with_summaries
from catalog.capability_prices import capability_prices, price_against_score
from catalog.models import Evaluation, EvaluationScore
from catalog.price_charts import price_of


class EvaluationViewSet(CatalogViewSet):
    queryset = sourced(Evaluation.objects.all())
    serializer_class = serializers.EvaluationSerializer
    filterset_class = filters.EvaluationFilterSet


class EvaluationScoreViewSet(CatalogViewSet):
    lookup_field = "pk"
    queryset = sourced(with_summaries(EvaluationScore.objects.all(), "model", "evaluation"))
    serializer_class = serializers.EvaluationScoreSerializer
    filterset_class = filters.EvaluationScoreFilterSet


def score_data(score):
    if score is None:
        return None
    return {
        "score": score.score,
        "setting": score.setting,
        "measured_by": score.measured_by,
        "evaluator": score.evaluator,
        "measured_on": score.measured_on,
        "sources": [source.url for source in score.sources.all()],
    }


def step_data(date, price, kind, scores=None):
    if price is None:
        return {"date": date, **dict.fromkeys(["price", "model", "provider", "api_model_id", "context_tier"])}
    return {
        "date": date,
        "price": price_of(price, kind),
        "model": price.model.slug,
        "provider": price.provider.slug,
        "api_model_id": price.api_model_id,
        "context_tier": price.context_tier,
        "price_id": price.pk,
        "effective_from": price.effective_from,
        "score": score_data((scores or {}).get(price.model_id)),
    }


def capability_data(capability):
    reference = capability.reference
    return {
        "key": capability.key,
        "label": str(capability),
        "evaluation": capability.evaluation.slug,
        "comparison": capability.comparison,
        "threshold": capability.threshold,
        "reference": None if reference is None else {"model": reference.model.slug, **score_data(reference)},
    }


class CapabilityPricesView(generics.GenericAPIView):
    """The cheapest price in force on each date among models at or above a capability threshold, its record lows,
    the log-linear fit through them (factor per year with a 95% interval), and today's price-score frontier."""

    # A read over public data: any method other than GET is a 405 for anyone (no model permission applies).
    permission_classes = [AllowAny]
    query_serializer = serializers.CapabilityPricesQuerySerializer
    serializer_class = serializers.CapabilityPricesSerializer
    filter_backends = []
    pagination_class = None

    @extend_schema(summary="The price of a fixed capability over time", parameters=[query_serializer])
    def get(self, request):
        query = self.query_serializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        capability, kind = query.validated_data["capability"], query.validated_data["kind"]
        result = capability_prices(capability, kind=kind, dating=query.validated_data["dating"])
        fit = result.fit
        scored = price_against_score(capability.evaluation, kind=kind, measured_by=capability.measured_by)
        frontier = [row for row in scored if row.on_frontier]
        body = {
            "capability": capability_data(capability),
            "kind": kind,
            "dating": result.dating,
            "models_in_class": result.models_in_class,
            "priced_models": result.priced_models,
            "steps": [step_data(date, price, kind) for date, price in result.steps],
            "record_lows": [step_data(date, price, kind, result.scores) for date, price in result.lows],
            "fit": None
            if fit is None
            else {
                "points": fit.points,
                "factor_per_year": fit.factor_per_year,
                "interval_95": list(fit.interval) if fit.interval else None,
                "r_squared": fit.r_squared,
                "start_year": fit.start_year,
                "end_year": fit.end_year,
            },
            "frontier_today": [
                {
                    "model": row.model.slug,
                    "score": row.score,
                    "price": row.value,
                    "provider": row.price.provider.slug,
                    "api_model_id": row.price.api_model_id,
                }
                for row in frontier
            ],
        }
        return Response(self.get_serializer(body).data)
