"""The estimators as API endpoints: serving fit, training, token cost. Validated input, or a 400 that says why.

Reads for everyone under the same anonymous throttle as the rest of the API. The token endpoint also takes
a POST (a long text does not belong in a URL); it changes nothing, so it needs no account.
"""

import dataclasses

from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.renderers import BrowsableAPIRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog import estimating, token_quotes
from catalog.api import estimate_serializers as serializers
from catalog.api.renderers import JSONRenderer
from catalog.estimating_text import token_rules, working


class EstimateView(APIView):
    # Computations over public data that write nothing: any method the view lacks is a 405, for anyone.
    permission_classes = [AllowAny]
    renderer_classes = [JSONRenderer, BrowsableAPIRenderer]
    query_serializer = None  # tells the schema these operations take validated query parameters (400)

    def validated(self, data):
        query = self.query_serializer(data=data, context={"method": self.request.method})
        query.is_valid(raise_exception=True)
        return query.validated_data


def named(row, fallback):
    return {"slug": row.slug, "name": row.name} if row is not None else {"slug": None, "name": fallback}


def cloud_price_data(price):
    if price is None:
        return None
    return {
        "provider": price.provider.name,
        "instance_type": price.instance_type,
        "region": price.region,
        "accelerators_per_instance": price.accelerators_per_instance,
        "price_per_accelerator_hour": price.price_per_accelerator_hour,
    }


class ServingEstimateView(EstimateView):
    """Whether a model fits on N chips at a precision, its decode and prefill bounds, and the cost per token."""

    query_serializer = serializers.ServingQuerySerializer

    @extend_schema(
        summary="Serving fit, speed bounds and cost",
        description=(
            "Weights + KV cache against the chips' memory; decode tokens/s bound by memory bandwidth (and compute); "
            "prefill tokens/s bound by compute; USD per 1M output tokens at the chip's cheapest current on-demand "
            "cloud price (or the price given). Every step of the working and every assumption is returned."
        ),
        parameters=[serializers.ServingQuerySerializer],
        responses=serializers.ServingEstimateSerializer,
    )
    def get(self, request):
        data = self.validated(request.query_params)
        model, chip = data.get("model"), data.get("hardware")
        pair = estimating.serving_pair(
            model,
            chip,
            settings={name: data[name] for name in ("precision", "chips", "batch", "context", "utilization")},
            price=data.get("price_per_chip_hour"),
            model_figures={name: data.get(name) for name in estimating.MODEL_FIGURES},
            chip_figures={name: data.get(name) for name in ("memory_bytes", "memory_bandwidth", "peak_flops")},
        )
        estimate = pair.estimate
        api_prices = estimating.current_api_prices([model.pk]).get(model.pk, []) if model else []
        body = {
            **{field.name: getattr(estimate, field.name) for field in dataclasses.fields(estimate)},
            **working(estimate),
            "model": named(model, "hypothetical model"),
            "hardware": named(chip, "hypothetical chip"),
            "cloud_price": cloud_price_data(pair.cloud_price),
            "api_prices": api_prices,
        }
        return Response(serializers.ServingEstimateSerializer(body).data)


class TrainingEstimateView(EstimateView):
    """6 · N · D training compute, and its time and cost on K chips at a utilization and price."""

    query_serializer = serializers.TrainingQuerySerializer

    @extend_schema(
        summary="Training compute, time and cost",
        description=(
            "C = 6 · N · D (N: active parameters for a mixture of experts); T = C ÷ (K × peak × utilization); "
            "cost = K × T × price per chip-hour. With a model, its recorded training runs are estimated alike "
            "and set beside what was reported."
        ),
        parameters=[serializers.TrainingQuerySerializer],
        responses=serializers.TrainingEstimateSerializer,
    )
    def get(self, request):
        data = self.validated(request.query_params)
        model, chip, precision = data.get("model"), data.get("hardware"), data["precision"]
        estimate = estimating.training_estimate(
            model,
            chip,
            chips=data["chips"],
            utilization=data["utilization"],
            precision=precision,
            price=estimating.chip_hour_price(chip, data.get("price_per_chip_hour")).usd,
            parameters=data.get("parameters"),
            tokens=data.get("tokens"),
            peak_flops=data.get("peak_flops"),
        )
        runs = []
        if model is not None:
            rows = estimating.training_comparisons(utilization=data["utilization"], precision=precision, model=model)
            runs = [recorded_run(row) for row in rows]
        body = {
            **{field.name: getattr(estimate, field.name) for field in dataclasses.fields(estimate)},
            **working(estimate),
            "hours": estimate.hours,
            "precision": precision,
            "model": named(model, "hypothetical model"),
            "hardware": named(chip, "hypothetical chip"),
            "recorded_runs": runs,
        }
        return Response(serializers.TrainingEstimateSerializer(body).data)


def recorded_run(row):
    run = row["run"]
    return {
        "slug": run.slug,
        "hardware": run.hardware.slug if run.hardware_id else None,
        "chip_count": run.chip_count,
        "estimated_flop": row["estimate"].flop if row["estimate"].flop_source == "6ND" else None,
        "reported_flop": row["reported_flop"],
        "flop_ratio": row["flop_ratio"],
        "estimated_hours": row["hours"],
        "reported_hours": run.duration_hours,
        "hours_ratio": row["hours_ratio"],
        "estimated_cost_usd": row["cost"],
        "reported_cost_usd": run.cost_usd,
        "cost_ratio": row["cost_ratio"],
    }


class TokenEstimateView(EstimateView):
    """What one request costs at the cheapest ``limit`` current API prices, and how many prices apply; a text is
    counted by a stated rule. Ranked as the token calculator page ranks them (``token_quotes.cheapest_costs``), so a
    catalog of 100,000 prices costs an answer no more than one of 1,000."""

    query_serializer = serializers.TokensQuerySerializer
    authentication_classes = []  # nothing is written: anyone may POST, and no session means no CSRF

    @extend_schema(
        summary="Token cost at the cheapest current prices",
        parameters=[serializers.TokensQuerySerializer],
        responses=serializers.TokenEstimateSerializer,
    )
    def get(self, request):
        return self.answer(self.validated(request.query_params))

    @extend_schema(
        summary="Token cost at the cheapest current prices, for a text in the body",
        request=serializers.TokensQuerySerializer,
        responses=serializers.TokenEstimateSerializer,
    )
    def post(self, request):
        return self.answer(self.validated(request.data))

    def answer(self, data):
        counted, input_tokens, costs, price_count = token_quotes.token_quote_page(
            text=data.get("text") or "",
            family=data["family"],
            input_tokens=data["input_tokens"],
            cached_tokens=data["cached_tokens"],
            output_tokens=data["output_tokens"],
            capability=data.get("capability"),
            limit=data["limit"],
        )
        body = {
            "input_tokens": input_tokens,
            "cached_tokens": data["cached_tokens"],
            "output_tokens": data["output_tokens"],
            "counted": {**dataclasses.asdict(counted), **working(counted)} if counted else None,
            "price_count": price_count,
            "prices": [token_cost(cost) for cost in costs],
            "rules": token_rules(),
        }
        return Response(serializers.TokenEstimateSerializer(body).data)


def token_cost(cost):
    price = cost.price.key
    return {
        "model": named(price.model, ""),
        "provider": named(price.provider, ""),
        "api_model_id": price.api_model_id,
        "context_tier": price.context_tier,
        "input_usd": cost.input_usd,
        "cached_usd": cost.cached_usd,
        "output_usd": cost.output_usd,
        "total_usd": cost.total_usd,
        "blended_per_mtok": cost.blended_per_mtok,
        "cached_at_input_price": cost.cached_at_input_price,
    }
