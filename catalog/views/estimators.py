"""Estimator pages: the fit matrix, one model on one chip with the full working, tokens, training.

Every page is a GET form (a shareable URL), except a pasted text, which is POSTed. An invalid input shows
its message with a 400 and the defaults below it. Query counts do not grow with the rows shown.
"""

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from catalog import estimating
from catalog.estimating_text import token_rules, working
from catalog.models import FoundationModel, Hardware
from catalog.views.estimator_forms import MatrixForm, PairForm, TokenForm, TrainingForm


def bound(form_class, data):
    """A bound form when there is input, else an unbound one; and whether the input was refused."""
    form = form_class(data or None)
    invalid = form.is_bound and not form.is_valid()
    return form, invalid


def fit_matrix(request):
    """Models × chips. Bounded work per page: MAX_MATRIX_MODELS rows (paged, or the models picked) by
    MAX_MATRIX_CHIPS columns; chips left empty means each cell on the fewest chips that hold its model."""
    form, invalid = bound(MatrixForm, request.GET)
    values = form.cleaned_data if form.is_bound and not invalid else {"access": "open-weights"}
    settings = form.settings()
    metric = values.get("metric") or "tokens"
    picked_models, picked_chips = values.get("models"), values.get("hardware")
    if picked_models:
        models = picked_models.order_by("name")
    else:
        models = estimating.matrix_models(family=values.get("family", ""), access=values.get("access", ""))
    if picked_chips:
        chips = picked_chips.select_related("vendor").order_by("vendor__name", "name")
    else:
        chips = estimating.matrix_chips(
            vendor=values.get("vendor"), kind=values.get("kind", ""), priced=values.get("priced")
        )
    page = Paginator(models, estimating.MAX_MATRIX_MODELS).get_page(request.GET.get("page"))
    chips = list(chips[: estimating.MAX_MATRIX_CHIPS + 1])
    matrix = estimating.fit_matrix(
        page.object_list, chips[: estimating.MAX_MATRIX_CHIPS], settings=settings, metric=metric
    )
    for row in matrix["rows"]:
        for cell in row["cells"]:
            chosen = cell["estimate"].chips if cell["estimate"] else settings["chips"]
            cell["query"] = pair_query({**settings, "chips": chosen or 1})
    context = {
        "form": form,
        "settings": settings,
        "auto_chips": settings["chips"] is None,
        "metric": metric,
        "matrix": matrix,
        "page": page,
        "more_chips": len(chips) > estimating.MAX_MATRIX_CHIPS,
        "max_models": estimating.MAX_MATRIX_MODELS,
        "max_chips": estimating.MAX_MATRIX_CHIPS,
        "query": request.GET.urlencode(),
        "check": estimating.method_check(),
    }
    return render(request, "catalog/estimators/matrix.html", context, status=400 if invalid else 200)


def pair_query(settings, *, always=False):
    """The settings as a query string; empty when they are all the defaults (keeps the matrix small)."""
    defaults = {name: PairForm.base_fields[name].initial for name in settings}
    if settings == defaults and not always:
        return ""
    return "&".join(f"{name}={value}" for name, value in settings.items())


def estimate_pair(request, model_slug, hardware_slug):
    model = get_object_or_404(FoundationModel, slug=model_slug)
    chip = get_object_or_404(Hardware.objects.select_related("vendor"), slug=hardware_slug)
    form, invalid = bound(PairForm, request.GET)
    settings = form.settings()
    given_price = form.cleaned_data.get("price") if form.is_bound and not invalid else None
    pair = estimating.serving_pair(model, chip, settings=settings, price=given_price)
    context = {
        "form": form,
        "model": model,
        "chip": chip,
        "pair": pair,
        "estimate": pair.estimate,
        "working": working(pair.estimate) if pair.estimate else None,
        "settings": settings,
        "api_prices": estimating.current_api_prices([model.pk]).get(model.pk, []),
        "api_url": (
            reverse("api:estimate-serving")
            + f"?model={model.slug}&hardware={chip.slug}&{pair_query(settings, always=True)}"
        ),
    }
    return render(request, "catalog/estimators/pair.html", context, status=400 if invalid else 200)


TOKEN_COSTS_SHOWN = 50  # the page ranks the cheapest; every price is in the API answer it links to


def token_calculator(request):
    data = request.POST if request.method == "POST" else request.GET
    form, invalid = bound(TokenForm, data)
    values = form.values()
    counted, input_tokens, costs = estimating.token_quote(
        text=values["text"],
        family=values["family"],
        input_tokens=values["input_tokens"],
        cached_tokens=values["cached_tokens"],
        output_tokens=values["output_tokens"],
    )
    same_request = {
        "input_tokens": input_tokens,
        "cached_tokens": values["cached_tokens"],
        "output_tokens": values["output_tokens"],
    }
    context = {
        "form": form,
        "values": values,
        "input_tokens": input_tokens,
        "counted": counted,
        "counted_working": working(counted) if counted else None,
        "costs": costs[:TOKEN_COSTS_SHOWN],
        "costs_total": len(costs),
        "every_cost_url": reverse("api:estimate-tokens") + "?" + urlencode(same_request),
        "rules": token_rules(),
    }
    return render(request, "catalog/estimators/tokens.html", context, status=400 if invalid else 200)


def training_estimator(request):
    form, invalid = bound(TrainingForm, request.GET)
    data = form.cleaned_data if form.is_bound and not invalid else {}
    defaults = {name: field.initial for name, field in TrainingForm.base_fields.items()}
    model = data.get("model") or FoundationModel.objects.filter(slug="llama-3-70b").first()
    chip = data.get("hardware") or Hardware.objects.filter(slug="nvidia-h100-sxm").first()
    chips = data.get("chips") or defaults["chips"]
    utilization = data.get("utilization") or defaults["utilization"]
    precision = data.get("precision") or defaults["precision"]
    cost = estimating.chip_hour_price(chip, data.get("price"))
    estimate = None
    if model is not None:
        estimate = estimating.training_estimate(
            model, chip, chips=chips, utilization=utilization, precision=precision, price=cost.usd
        )
    if not form.is_bound:
        form = TrainingForm(initial={"model": model, "hardware": chip})
    context = {
        "form": form,
        "model": model,
        "chip": chip,
        "chips": chips,
        "utilization": utilization,
        "cloud_price": cost.offering,
        "estimate": estimate,
        "working": working(estimate) if estimate else None,
        "runs": estimating.training_comparisons(utilization=utilization, precision=precision),
    }
    return render(request, "catalog/estimators/training.html", context, status=400 if invalid else 200)
