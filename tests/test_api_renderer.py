"""The API's JSON renderer (catalog/api/renderers.py) writes what DRF's own would, faster."""

import datetime
import json
import re
import uuid
from decimal import Decimal

import pytest
from django.utils.translation import gettext_lazy
from rest_framework import renderers
from rest_framework.test import APIClient

from catalog.api.renderers import JSONRenderer

SMALL_EXPONENT = re.compile(rb"(\d)e-0(\d)")  # 1.5e-07 (the standard library) is 1.5e-7 (orjson)


def both(data, media_type=None):
    return JSONRenderer().render(data, media_type), renderers.JSONRenderer().render(data, media_type)


def test_every_kind_of_value_is_written_as_drf_writes_it():
    data = {
        "text": '한국어 "quoted" \\ tab\t',
        "separators": "a\u2028b\u2029c",
        "lazy": gettext_lazy("Search"),
        "decimal": Decimal("0.1375"),
        "date": datetime.date(2024, 2, 29),
        "datetime": datetime.datetime(2024, 2, 29, 12, 30, 1, 123456, tzinfo=datetime.UTC),
        "time": datetime.time(9, 5),
        "uuid": uuid.UUID(int=7),
        "numbers": [0, -3, 2**63 - 1, 0.1, 3.14e23, 1e16, 1.5e-7, True, None],
        1: "an integer key",
        "nested": [{"a": []}, {}],
    }
    fast, standard = both(data)
    assert SMALL_EXPONENT.sub(rb"\1e-\2", standard) == fast
    assert b"\\u2028" in fast and "\u2028".encode() not in fast
    assert json.loads(fast) == json.loads(standard)


def test_what_orjson_cannot_write_falls_back_to_drf():
    fast, standard = both({"huge": 2**70})
    assert fast == standard == b'{"huge":1180591620717411303424}'
    fast, standard = both({"a": [1, 2]}, "application/json; indent=2")
    assert fast == standard and b"\n  " in fast
    assert JSONRenderer().render(None) == b""


def test_a_nan_is_null_not_an_error():
    assert JSONRenderer().render({"x": float("nan")}) == b'{"x":null}'


@pytest.mark.django_db
@pytest.mark.usefixtures("bundled")
@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/models/?page_size=200",
        "/api/v1/hardware/nvidia-h100-sxm/",
        "/api/v1/prices/?page_size=100&ordering=-effective_from",
        "/api/v1/compare/hardware/?slugs=nvidia-h100-sxm,amd-mi300x",
        "/api/v1/estimate/tokens/?input_tokens=1000&output_tokens=500",
        "/api/v1/capability-prices/?capability=gpt-4-mmlu",
    ],
)
def test_api_answers_are_drfs_bytes(url):
    response = APIClient().get(url, HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    standard = renderers.JSONRenderer().render(response.data)
    assert response.content == SMALL_EXPONENT.sub(rb"\1e-\2", standard)
