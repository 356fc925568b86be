"""Home, lists, details and search. Lists filter and sort with the same FilterSets as the API."""

from django.db.models import Count, F, Prefetch
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import DetailView
from django_filters.views import FilterView

from catalog import filters
from catalog import search as search_rows
from catalog.choices import Task
from catalog.models import (
    Application,
    CloudPrice,
    Concept,
    Discrepancy,
    EvaluationScore,
    FoundationModel,
    Hardware,
    Organization,
    PricePoint,
    Source,
    TrainingRun,
)
from catalog.models.price_checks import with_last_check
from catalog.views import chart_pages
from catalog.views.figures import figure_context

PAGE_SIZE = 50


class CatalogListView(FilterView):
    """A filtered, sorted, paginated table; an invalid filter shows its error and no rows."""

    paginate_by = PAGE_SIZE
    api_url_name = ""  # the API list route of the same rows, e.g. "api:hardware-list"

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        if self.filterset.is_bound and not self.filterset.is_valid():
            response.status_code = 400  # the page still renders, with the filter's error message
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["api_url"] = reverse(self.api_url_name)
        context["query"] = self.request.GET.urlencode()
        return context


def sourced(queryset):
    return queryset.prefetch_related("sources")


class OrganizationList(CatalogListView):
    queryset = Organization.objects.annotate(model_count=Count("foundation_models", distinct=True)).order_by("name")
    filterset_class = filters.OrganizationFilterSet
    template_name = "catalog/organization_list.html"
    api_url_name = "api:organization-list"


class FoundationModelList(CatalogListView):
    queryset = FoundationModel.objects.prefetch_related("organizations")
    filterset_class = filters.FoundationModelFilterSet
    template_name = "catalog/model_list.html"
    api_url_name = "api:foundationmodel-list"


class HardwareList(CatalogListView):
    queryset = Hardware.objects.with_derived_metrics().select_related("vendor")
    filterset_class = filters.HardwareFilterSet
    template_name = "catalog/hardware_list.html"
    api_url_name = "api:hardware-list"


class PriceList(CatalogListView):
    queryset = with_last_check(PricePoint.objects.select_related("model", "provider"))
    filterset_class = filters.PricePointFilterSet
    template_name = "catalog/price_list.html"
    api_url_name = "api:pricepoint-list"


class ApplicationList(CatalogListView):
    queryset = Application.objects.select_related("organization").prefetch_related("foundation_models")
    filterset_class = filters.ApplicationFilterSet
    template_name = "catalog/application_list.html"
    api_url_name = "api:application-list"


class ConceptList(CatalogListView):
    queryset = Concept.objects.all()
    filterset_class = filters.ConceptFilterSet
    template_name = "catalog/concept_list.html"
    api_url_name = "api:concept-list"
    paginate_by = 100


DETAIL_LIMIT = 60  # rows of a sub-list on a detail page; the rest are one link away


def first_rows(queryset, all_url, limit=DETAIL_LIMIT):
    """The first ``limit`` rows of a detail page's sub-list, with the total and a link to all of them."""
    rows = list(queryset[: limit + 1])  # one more than shown says whether there are more
    total = queryset.count() if len(rows) > limit else len(rows)
    return {"rows": rows[:limit], "total": total, "more": total > limit, "all_url": all_url}


class OrganizationDetail(DetailView):
    template_name = "catalog/organization_detail.html"
    queryset = sourced(Organization.objects.select_related("parent")).prefetch_related("subsidiaries")

    def get_context_data(self, **kwargs):
        org, slug = self.object, self.object.slug
        return super().get_context_data(
            models=first_rows(
                org.foundation_models.order_by(F("release_date").desc(nulls_last=True), "name"),
                reverse("catalog:model-list") + f"?organization={slug}&ordering=-release_date",
            ),
            chips=first_rows(
                org.hardware.order_by(F("release_date").desc(nulls_last=True), "name"),
                reverse("catalog:hardware-list") + f"?vendor={slug}&landmark_cpus=include&ordering=-release_date",
            ),
            applications=first_rows(
                org.applications.order_by("name"), reverse("catalog:application-list") + f"?organization={slug}"
            ),
            cloud_prices=first_rows(
                org.cloud_prices.current().select_related("hardware").order_by("hardware__name", "instance_type"),
                reverse("api:cloudprice-list") + f"?provider={slug}&current=true&format=csv",
            ),
            **kwargs,
        )


class FoundationModelDetail(DetailView):
    template_name = "catalog/model_detail.html"
    queryset = sourced(FoundationModel.objects.select_related("base_model")).prefetch_related(
        "organizations",
        "derived_models",
        "applications",
        Prefetch("discrepancies", queryset=Discrepancy.objects.select_related("source")),
        Prefetch("training_runs", queryset=sourced(TrainingRun.objects.select_related("hardware"))),
        Prefetch(
            "evaluation_scores",
            queryset=sourced(EvaluationScore.objects.select_related("evaluation")).order_by(
                "evaluation__name", "-measured_on", "pk"
            ),
        ),
        Prefetch(
            "prices",
            queryset=with_last_check(sourced(PricePoint.objects.select_related("provider"))).order_by(
                "provider__name", "api_model_id", "context_tier", "effective_from"
            ),
        ),
    )


class HardwareDetail(DetailView):
    template_name = "catalog/hardware_detail.html"
    queryset = sourced(Hardware.objects.with_derived_metrics().select_related("vendor", "foundry")).prefetch_related(
        Prefetch("training_runs", queryset=TrainingRun.objects.select_related("model")),
        Prefetch("cloud_prices", queryset=sourced(CloudPrice.objects.select_related("provider"))),
        Prefetch("discrepancies", queryset=Discrepancy.objects.select_related("source")),
    )


class ApplicationDetail(DetailView):
    template_name = "catalog/application_detail.html"
    queryset = sourced(Application.objects.select_related("organization")).prefetch_related("foundation_models")


class ConceptDetail(DetailView):
    template_name = "catalog/concept_detail.html"
    queryset = sourced(Concept.objects.prefetch_related("related"))


def home(request):
    moores_law, _fits, _sampled = chart_pages.moores_law_figure()
    # Chat models only (``comparable``): an embedding's input-only price is not a cheaper chat model.
    cheapest = chart_pages.cheapest_figure(PricePoint.objects.comparable())
    headline = {"home-moores-law": moores_law, "home-cheapest": cheapest}
    context = {
        "figures": figure_context(
            headline,
            tables={
                "home-moores-law": reverse("catalog:hardware-list") + "?ordering=release_date",
                "home-cheapest": reverse("catalog:price-list") + f"?task={Task.CHAT}&ordering=blended_per_mtok",
            },
        ),
        "counts": {
            "models": FoundationModel.objects.count(),
            "chips": Hardware.objects.accelerators().count(),
            "organizations": Organization.objects.count(),
            "prices": PricePoint.objects.count(),
            "sources": Source.objects.count(),
        },
        "latest_models": FoundationModel.objects.exclude(release_date=None)
        .prefetch_related("organizations")
        .order_by("-release_date")[:6],
        "latest_chips": Hardware.objects.accelerators()
        .exclude(release_date=None)
        .select_related("vendor")
        .order_by("-release_date")[:6],
    }
    return render(request, "catalog/home.html", context)


SEARCHED = [
    (_("Models"), "catalog:model-detail", FoundationModel.objects.all()),
    (_("Hardware"), "catalog:hardware-detail", Hardware.objects.select_related("vendor")),
    (_("Organizations"), "catalog:organization-detail", Organization.objects.all()),
    (_("Applications"), "catalog:application-detail", Application.objects.all()),
    (_("Glossary"), "catalog:concept-detail", Concept.objects.all()),
]
SEARCH_LIMIT = 20


def search(request):
    """A few hits per table, best first (``catalog.search.ranked``: indexed on PostgreSQL, LIMITed)."""
    words = search_rows.clean(request.GET.get("q", ""))
    groups = []
    if words:
        for title, url_name, queryset in SEARCHED:
            hits = list(search_rows.ranked(queryset, words)[: SEARCH_LIMIT + 1])
            more = len(hits) > SEARCH_LIMIT
            groups.append({"title": title, "url_name": url_name, "hits": hits[:SEARCH_LIMIT], "more": more})
    return render(request, "catalog/search.html", {"q": words, "groups": groups})
