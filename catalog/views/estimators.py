"""Estimator pages: the fit matrix, one model on one chip with the full working, tokens, training.

Every page is a GET form (a shareable URL), except a pasted text, which is POSTed. An invalid input shows
its message with a 400 and the defaults below it. Query counts do not grow with the rows shown.
"""

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _

from catalog import estimating
from catalog.estimating_text import token_rules, working
from catalog.figures import FIGURES
from catalog.models import FoundationModel, Hardware, PricePoint, TrainingRun
from catalog.models.price_checks import with_last_check
from catalog.token_quotes import token_quote_page
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
        models = estimating.matrix_models(
            family=values.get("family", ""), access=values.get("access", ""), capability=values.get("capability")
        )
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
    counted, input_tokens, shown, total = token_quote_page(
        text=values["text"],
        family=values["family"],
        input_tokens=values["input_tokens"],
        cached_tokens=values["cached_tokens"],
        output_tokens=values["output_tokens"],
        capability=values["capability"],
        limit=TOKEN_COSTS_SHOWN,
    )
    same_request = {
        "input_tokens": input_tokens,
        "cached_tokens": values["cached_tokens"],
        "output_tokens": values["output_tokens"],
        **({"capability": values["capability"].key} if values["capability"] else {}),
    }
    with_last_checks([cost.price.key for cost in shown])
    context = {
        "form": form,
        "values": values,
        "input_tokens": input_tokens,
        "counted": counted,
        "counted_working": working(counted) if counted else None,
        "costs": shown,
        "costs_total": total,
        "every_cost_url": reverse("api:estimate-tokens") + "?" + urlencode(same_request),
        "rules": token_rules(),
    }
    return render(request, "catalog/estimators/tokens.html", context, status=400 if invalid else 200)


def with_last_checks(prices):
    """Give the price points shown their ``last_checked_on`` (one query for all, whatever their number)."""
    checks = dict(
        with_last_check(PricePoint.objects.filter(pk__in=[price.pk for price in prices])).values_list(
            "pk", "last_checked_on"
        )
    )
    for price in prices:
        price.last_checked_on = checks.get(price.pk)


TRAINING_RUNS_SHOWN = 20  # the chosen model's runs, then the newest complete ones; the API lists every run


def why_not_estimated(row, what):
    """Why a run's estimated time or cost is missing, in words for the cell's title."""
    run = row["run"]
    if not run.chip_count:
        return _("The run's chip count is not recorded.")
    if not run.hardware_id:
        return _("The run's chip is not recorded.")
    if row["estimate"].flop is None:
        return _("Neither 6 · N · D nor a reported training compute is known for this model.")
    if row["hours"] is None:
        return _("The chip's peak FLOP/s at this precision is not recorded.")
    return _("The catalog has no current on-demand cloud price for this chip.") if what == "cost" else ""


def described_runs(rows):
    """The runs shown, each with its estimated cells formatted or the reason they are missing."""
    for row in rows:
        estimate = row["estimate"]
        row["flop_text"] = FIGURES["flop"].format(estimate.flop) if estimate.flop_source == "6ND" else ""
        row["flop_missing"] = _("The model's parameters or training tokens are not recorded.")
        row["hours_text"] = FIGURES["duration_hours"].format(row["hours"])
        row["hours_missing"] = why_not_estimated(row, "hours")
        row["cost_text"] = FIGURES["cost_usd"].format(row["cost"])
        row["cost_missing"] = why_not_estimated(row, "cost")
    return rows


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
    shown = estimating.runs_worth_comparing(model, TRAINING_RUNS_SHOWN)
    runs = estimating.training_comparisons(utilization=utilization, precision=precision, runs=shown)
    context = {
        "form": form,
        "model": model,
        "chip": chip,
        "chips": chips,
        "utilization": utilization,
        "cloud_price": cost.offering,
        "estimate": estimate,
        "working": working(estimate) if estimate else None,
        "runs": described_runs(runs),
        "runs_total": TrainingRun.objects.count(),
    }
    return render(request, "catalog/estimators/training.html", context, status=400 if invalid else 200)
