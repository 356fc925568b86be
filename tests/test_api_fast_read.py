"""The serializers' fast read path gives exactly what DRF's own ``to_representation`` gives, on real data."""

import pytest
from rest_framework import serializers as drf_serializers
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from catalog.api import views
from catalog.api.fast_read import FastReadMixin


def drf_representation(serializer, instance):
    """DRF's own per-field loop, applied to the same serializer (nested serializers included)."""
    original = FastReadMixin.to_representation
    FastReadMixin.to_representation = drf_serializers.Serializer.to_representation
    try:
        return serializer.to_representation(instance)
    finally:
        FastReadMixin.to_representation = original


VIEWSETS = [
    views.OrganizationViewSet,
    views.FoundationModelViewSet,
    views.HardwareViewSet,
    views.TrainingRunViewSet,
    views.PricePointViewSet,
    views.CloudPriceViewSet,
    views.ApplicationViewSet,
    views.ConceptViewSet,
    views.SourceViewSet,
]


@pytest.mark.django_db
@pytest.mark.usefixtures("bundled")
@pytest.mark.parametrize("viewset", VIEWSETS, ids=lambda viewset: viewset.__name__)
@pytest.mark.parametrize("action", ["list", "retrieve"])
def test_fast_path_equals_drf_for_every_bundled_row(viewset, action):
    view = viewset(action=action, format_kwarg=None, kwargs={})
    view.request = Request(APIRequestFactory().get("/api/v1/"))
    queryset = view.get_queryset()
    serializer = view.get_serializer_class()(context=view.get_serializer_context())
    rows = list(queryset)
    assert rows, "the bundled data has rows of every table"
    for row in rows:
        assert serializer.to_representation(row) == drf_representation(serializer, row)
