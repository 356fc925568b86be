"""Capability pages: the evaluations and their scores, and the price of a fixed capability over time."""

from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, prefetch_related_objects
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import ListView

from catalog import capability_charts, forms, thinning
from catalog.capability import PRESETS, CapabilityError, capability_class
from catalog.capability_prices import DATINGS, PUBLISHED_RATES, capability_prices, fits_by_dating, price_against_score
from catalog.models import Evaluation
from catalog.views.chart_pages import chart_page, valid_or_initial

SCORES_PER_PAGE = 50
FRONTIER_TABLE_ROWS = 20
# The classes whose decline the page sets beside the published figures: issue 19's three milestones, and the
# GPQA one counting independent scores only, as Epoch AI did (its own runs and Artificial Analysis's).
REPORTED_CLASSES = ["mmlu-42", "mmlu-83", "gpt-4-gpqa", "gpt-4-gpqa@independent"]
DEFAULT_CLASS = "mmlu-42"


class EvaluationList(ListView):
    template_name = "catalog/evaluation_list.html"
    queryset = Evaluation.objects.annotate(
        score_count=Count("scores"), model_count=Count("scores__model", distinct=True)
    ).order_by("name")
    paginate_by = 100


def evaluation_detail(request, slug):
    evaluation = get_object_or_404(Evaluation.objects.prefetch_related("sources"), slug=slug)
    order = "-score" if evaluation.higher_is_better else "score"
    scores = (
        evaluation.scores.select_related("model")
        .prefetch_related(Prefetch("sources"))
        .order_by(order, "-measured_on", "pk")
    )
    page = Paginator(scores, SCORES_PER_PAGE).get_page(request.GET.get("page"))
    presets = [preset for preset in PRESETS.values() if preset.evaluation == evaluation.slug]
    context = {
        "object": evaluation,
        "page_obj": page,
        "paginator": page.paginator,
        "is_paginated": page.has_other_pages(),
        "scores": page.object_list,
        "presets": presets,
        "api_url": reverse("api:evaluationscore-list") + f"?evaluation={evaluation.slug}",
    }
    return render(request, "catalog/evaluation_detail.html", context)


def declines():
    """The fall per year at the reported classes, both ways of dating, for the table beside the published ones."""
    rows = []
    for key in REPORTED_CLASSES:
        try:
            capability = capability_class(key)
        except CapabilityError:
            continue  # the reference model has no score (a catalog without it): no row rather than an error
        rows.append({"capability": capability, "fits": fits_by_dating(capability)})
    return rows


def capability_page(request):
    form, values = valid_or_initial(forms.CapabilityChartForm, request)
    capability = values.get("class") or capability_class(DEFAULT_CLASS)
    kind, dating = values.get("kind") or "blended", values.get("dating") or "stored"
    result = capability_prices(capability, kind=kind, dating=dating)
    scored = price_against_score(capability.evaluation, kind=kind, measured_by=capability.measured_by)
    frontier = [row for row in scored if row.on_frontier]
    prefetch_related_objects([row.model for row in frontier], "organizations")  # their colours
    # Every frontier point, a sample of the others (``catalog.thinning``): the chart stays readable and bounded.
    others = {index: row for index, row in enumerate(scored) if not row.on_frontier}
    keep = thinning.thinned((index, row.value, row.score) for index, row in others.items())
    drawn = frontier + [others[index] for index in keep]
    query = f"capability={capability.key}&kind={kind}&dating={dating}"
    return chart_page(
        request,
        "catalog/charts/capability.html",
        title=_("The price of a capability"),
        description=_(
            "How fast is the price of a fixed capability falling? The cheapest token price among the models that "
            "reach a benchmark score, over time."
        ),
        concept_slugs=["token", "inference"],
        figures={
            "capability-prices": capability_charts.capability_price_figure(result),
            "price-score": capability_charts.price_score_figure(drawn, capability, kind=kind),
        },
        form=form,
        result=result,
        capability=capability,
        frontier=frontier[:FRONTIER_TABLE_ROWS],
        frontier_total=len(frontier),
        scored_total=len(scored),
        scored_drawn=len(drawn),
        declines=declines(),
        published=PUBLISHED_RATES,
        datings=DATINGS,
        rows_url=reverse("catalog:model-list") + f"?capability={capability.key}",
        api_url=reverse("api:capability-prices") + "?" + query,
    )
