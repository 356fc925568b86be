from django.urls import path

from catalog.benchmarking import views as benchmarks
from catalog.views import browse, capability, chart_pages, estimators, pick

app_name = "catalog"
urlpatterns = [
    path("", browse.home, name="home"),
    path("search/", browse.search, name="search"),
    path("pick/<slug:kind>/", pick.pick, name="pick"),
    path("organizations/", browse.OrganizationList.as_view(), name="organization-list"),
    path("organizations/<slug:slug>/", browse.OrganizationDetail.as_view(), name="organization-detail"),
    path("models/", browse.FoundationModelList.as_view(), name="model-list"),
    path("models/<slug:slug>/", browse.FoundationModelDetail.as_view(), name="model-detail"),
    path("hardware/", browse.HardwareList.as_view(), name="hardware-list"),
    path("hardware/<slug:slug>/", browse.HardwareDetail.as_view(), name="hardware-detail"),
    path("prices/", browse.PriceList.as_view(), name="price-list"),
    path("applications/", browse.ApplicationList.as_view(), name="application-list"),
    path("applications/<slug:slug>/", browse.ApplicationDetail.as_view(), name="application-detail"),
    path("glossary/", browse.ConceptList.as_view(), name="concept-list"),
    path("glossary/<slug:slug>/", browse.ConceptDetail.as_view(), name="concept-detail"),
    path("charts/moores-law/", chart_pages.moores_law, name="chart-moores-law"),
    path("charts/vendors/", chart_pages.vendor_comparison, name="chart-vendors"),
    path("charts/ppa/", chart_pages.ppa, name="chart-ppa"),
    path("charts/roofline/", chart_pages.roofline, name="chart-roofline"),
    path("charts/prices/", chart_pages.prices, name="chart-prices"),
    path("charts/model-scale/", chart_pages.model_scale, name="chart-model-scale"),
    path("charts/capability-prices/", capability.capability_page, name="chart-capability-prices"),
    path("compare/", chart_pages.compare, name="compare"),
    path("evaluations/", capability.EvaluationList.as_view(), name="evaluation-list"),
    path("evaluations/<slug:slug>/", capability.evaluation_detail, name="evaluation-detail"),
    path("benchmarks/", benchmarks.BenchmarkList.as_view(), name="benchmark-list"),
    path("benchmarks/<int:pk>/", benchmarks.benchmark_detail, name="benchmark-detail"),
    path("estimate/", estimators.fit_matrix, name="estimate-matrix"),
    path("estimate/tokens/", estimators.token_calculator, name="estimate-tokens"),
    path("estimate/training/", estimators.training_estimator, name="estimate-training"),
    path("estimate/<slug:model_slug>/<slug:hardware_slug>/", estimators.estimate_pair, name="estimate-pair"),
]
