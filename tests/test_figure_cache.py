"""Chart figures cached by the data version (catalog/cache/figures.py): built once per write, never stale.

The response cache is off here, so every request runs its view and only the figure can come from the cache.
"""

from unittest import mock

import pytest

from catalog import price_charts
from catalog.cache import responses
from tests.factories import make_model, make_org, make_price

pytestmark = [pytest.mark.django_db, pytest.mark.response_cache]


@pytest.fixture(autouse=True)
def figures_only(settings):
    settings.RESPONSE_CACHE_ENABLED = False
    settings.FIGURE_CACHE_ENABLED = True


@pytest.fixture
def lab():
    lab = make_org("figure-lab", name="Figure Lab")
    make_price(make_model("first-lm", org=lab, name="First LM"), lab, "2024-01-01", input_price="5.00")
    return lab


@pytest.fixture
def builds():
    """How many times the cheapest-price line has been read from the prices."""
    with mock.patch.object(price_charts, "cheapest_steps_in", wraps=price_charts.cheapest_steps_in) as spy:
        yield spy


def page(client, path="/", **query):
    response = client.get(path, query)
    assert response.status_code == 200
    return response.content.decode()


def test_a_figure_is_built_once_until_the_next_write(client, lab, builds):
    assert "First LM" in page(client) and "First LM" in page(client)
    assert builds.call_count == 1
    make_price(
        make_model("second-lm", org=lab, name="Second LM"), lab, "2024-06-01", api_model_id="two", input_price="0.10"
    )
    assert "Second LM" in page(client)  # the cheaper price is on the line at once
    assert builds.call_count == 2


def test_each_language_has_its_own_figure_and_signed_in_readers_share_them(client, admin_client, lab, builds):
    page(client)
    page(client, "/ko/")
    assert builds.call_count == 2  # the labels differ
    page(admin_client)  # never served from the response cache, but the figure is the same
    assert builds.call_count == 2


def test_the_price_chart_keeps_its_class_line_whichever_models_are_picked(client, lab, builds):
    other = make_model("other-lm", org=lab, name="Other LM")
    make_price(other, lab, "2024-03-01", api_model_id="other", input_price="3.00")
    page(client, "/charts/prices/", models="first-lm")
    page(client, "/charts/prices/", models="other-lm")
    assert builds.call_count == 1
    page(client, "/charts/prices/", models="other-lm", kind="input")
    page(client, "/charts/prices/", models="other-lm", family="Nothing")  # another class: nothing in it
    assert builds.call_count == 3


def test_a_cache_that_fails_means_figures_built_per_request_not_errors(client, lab, builds):
    broken = mock.Mock(side_effect=ConnectionError("redis is down"))
    responses.OutageLog.last = 0.0
    with mock.patch.object(responses.cache, "get", broken), mock.patch.object(responses.cache, "set", broken):
        assert "First LM" in page(client) and "First LM" in page(client)
    assert builds.call_count == 2


def test_the_figure_cache_can_be_turned_off(client, lab, builds, settings):
    settings.FIGURE_CACHE_ENABLED = False
    page(client)
    page(client)
    assert builds.call_count == 2


def test_the_token_calculators_count_of_prices_is_read_once_per_write(client, lab):
    from catalog import token_quotes

    def total():
        response = client.get("/api/v1/estimate/tokens/", {"input_tokens": 1000, "output_tokens": 100})
        assert response.status_code == 200
        return response.json()["price_count"]

    with mock.patch.object(token_quotes, "Window", wraps=token_quotes.Window) as census:
        assert total() == total() == 1
        assert census.call_count == 1
        make_price(make_model("second-lm", org=lab, name="Second LM"), lab, "2024-06-01", api_model_id="two")
        assert total() == 2
        assert census.call_count == 2
