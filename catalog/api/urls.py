from django.urls import path
from rest_framework.routers import DefaultRouter

from catalog.api import capability_views, estimate_views, views

router = DefaultRouter()
router.register("organizations", views.OrganizationViewSet, basename="organization")
router.register("models", views.FoundationModelViewSet, basename="foundationmodel")
router.register("hardware", views.HardwareViewSet, basename="hardware")
router.register("training-runs", views.TrainingRunViewSet, basename="trainingrun")
router.register("prices", views.PricePointViewSet, basename="pricepoint")
router.register("cloud-prices", views.CloudPriceViewSet, basename="cloudprice")
router.register("applications", views.ApplicationViewSet, basename="application")
router.register("concepts", views.ConceptViewSet, basename="concept")
router.register("sources", views.SourceViewSet, basename="source")
router.register("evaluations", capability_views.EvaluationViewSet, basename="evaluation")
router.register("evaluation-scores", capability_views.EvaluationScoreViewSet, basename="evaluationscore")
router.register("benchmarks", views.BenchmarkRunViewSet, basename="benchmarkrun")

app_name = "api"
urlpatterns = [
    path("compare/hardware/", views.HardwareComparisonView.as_view(), name="compare-hardware"),
    path("stats/vendors/", views.VendorStatsView.as_view(), name="vendor-stats"),
    path("capability-prices/", capability_views.CapabilityPricesView.as_view(), name="capability-prices"),
    path("estimate/serving/", estimate_views.ServingEstimateView.as_view(), name="estimate-serving"),
    path("estimate/training/", estimate_views.TrainingEstimateView.as_view(), name="estimate-training"),
    path("estimate/tokens/", estimate_views.TokenEstimateView.as_view(), name="estimate-tokens"),
    *router.urls,
]
