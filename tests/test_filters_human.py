"""Filters people can type: quantities as written ("100B", "1e11", "1,750억"), site forms in words, API unchanged."""

import re
from decimal import Decimal

import pytest
from django.utils import translation
from django.utils.functional import Promise

from catalog.capability import PRESETS
from catalog.filters import FoundationModelFilterSet, HardwareFilterSet, PricePointFilterSet
from catalog.models import FoundationModel, Hardware, PricePoint
from catalog.quantities import QuantityError, QuantityField, parse_quantity
from tests.factories import make_hardware, make_model, make_org, make_price


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("100B", 10**11),
        ("1e11", 10**11),
        ("70 billion", 70 * 10**9),
        ("1.5T", 15 * 10**11),
        ("7b", 7 * 10**9),
        ("100,000,000,000", 10**11),
        ("1,750억", 175 * 10**9),
        ("1000억", 10**11),
        ("3.1e23", Decimal("3.1e23")),
        ("100000000000", 10**11),
        ("128k", 128_000),
        ("1조 7,500억", 175 * 10**10),
        (" 2 M ", 2 * 10**6),
    ],
)
def test_quantities_as_people_write_them(text, expected):
    assert parse_quantity(text) == expected


@pytest.mark.parametrize(
    "text", ["", "abc", "70 bilion", "1,75", "1 2", "5억 3조", "-5", "1e999999999", "7BB", "1" * 81, "NaN", "inf"]
)
def test_garbage_is_refused(text):
    with pytest.raises(QuantityError):
        parse_quantity(text)


def test_units_come_off_but_a_lone_b_stays_the_billion():
    units = ("B/s", "B", "FLOP/s")
    assert parse_quantity("80 GB", units=units) == 80 * 10**9
    assert parse_quantity("3.35 TB/s", units=units) == Decimal("3.35e12")
    assert parse_quantity("989 TFLOP/s", units=units) == Decimal("989e12")
    assert parse_quantity("100B", units=units) == 10**11


def test_the_field_says_how_to_write_a_number():
    field = QuantityField(integer=True, required=False)
    assert field.clean("70B") == 70 * 10**9 and isinstance(field.clean("1.5T"), int)
    assert field.clean("") is None
    with translation.override("en"), pytest.raises(Exception, match="Enter a number such as 70B or 1e11"):
        field.clean("seventy")  # the message in English whatever language an earlier request left active


@pytest.fixture
def sized(db):
    lab = make_org("lab", name="Lab")
    return {
        size: make_model(f"m-{size}", org=lab, name=f"M {size}", parameters=size * 10**9, access="open-weights")
        for size in (7, 70, 175)
    }


@pytest.mark.parametrize("value", ["100B", "1e11", "100 billion", "1000억", "100,000,000,000", "100000000000"])
def test_the_api_reads_plain_numbers_and_people_s_numbers_alike(client, sized, value):
    response = client.get("/api/v1/models/", {"parameters_min": value}, HTTP_HOST="127.0.0.1")
    assert response.status_code == 200
    assert [row["slug"] for row in response.json()["results"]] == ["m-175"]


def test_every_quantity_filter_reads_the_same_spellings(sized):
    FoundationModel.objects.filter(slug="m-70").update(
        active_parameters=12 * 10**9, training_tokens=15 * 10**12, training_compute_flop=6.3e24, context_length=128_000
    )
    for data in (
        {"active_parameters_max": "20B"},
        {"training_tokens_min": "10T"},
        {"training_compute_min": "1e24"},
        {"context_length_min": "128k"},
    ):
        filterset = FoundationModelFilterSet(data, queryset=FoundationModel.objects.all())
        assert [model.slug for model in filterset.qs] == ["m-70"], data


def test_nonsense_is_a_400_with_a_clear_message_not_a_500(client, sized):
    api = client.get("/api/v1/models/", {"parameters_min": "lots"}, HTTP_HOST="127.0.0.1")
    assert api.status_code == 400 and "Enter a number such as 70B or 1e11" in api.content.decode()
    page = client.get("/models/", {"parameters_min": "lots"}, HTTP_HOST="127.0.0.1")
    assert page.status_code == 400 and "Enter a number such as 70B or 1e11" in page.content.decode()


def test_the_hardware_figures_read_units(db):
    make_hardware("big", memory_bytes=192 * 10**9, memory_bandwidth=5.3e12, bf16_flops=1.3e15)
    make_hardware("small", memory_bytes=16 * 10**9, memory_bandwidth=0.8e12, bf16_flops=2e14)
    for data in ({"min_memory_bytes": "80 GB"}, {"min_memory_bandwidth": "3 TB/s"}, {"min_bf16_flops": "1 PFLOP/s"}):
        assert [chip.slug for chip in HardwareFilterSet(data, queryset=Hardware.objects.all()).qs] == ["big"], data


@pytest.mark.django_db
def test_the_schema_keeps_number_types_and_names(client):
    schema = client.get("/api/schema/?format=json", HTTP_HOST="127.0.0.1").json()
    parameters = {p["name"]: p for p in schema["paths"]["/api/v1/models/"]["get"]["parameters"]}
    assert parameters["parameters_min"]["schema"]["type"] == "integer"
    assert "70B" in parameters["parameters_min"]["description"]
    hardware = {p["name"]: p for p in schema["paths"]["/api/v1/hardware/"]["get"]["parameters"]}
    assert hardware["min_memory_bytes"]["schema"]["type"] == "number"
    assert "Repeat for several" in hardware["vendor"]["description"]  # the API's words stay the API's


def form_html(response):
    html = response.content.decode()
    return html[
        html.index('<form method="get" class="filter-form">') : html.index("</form>", html.index("filter-form"))
    ]


@pytest.mark.django_db
class TestSiteForms:
    def test_labels_in_words_and_no_raw_ordering_box(self, client, catalog):
        html = form_html(client.get("/prices/", HTTP_HOST="127.0.0.1"))
        assert "Repeat for several" not in html and "slug" not in html.lower().replace('name="', "")
        assert "effective_after /" not in html and "prefix '-'" not in html
        assert "Took effect" in html and ">Model" in html
        assert 'name="ordering"' not in html  # the table headers sort
        assert 'type="checkbox"' in html  # no Ctrl-click lists

    def test_a_sort_order_from_the_headers_survives_a_filter_submit(self, client, catalog):
        html = form_html(client.get("/prices/?ordering=-input_per_mtok", HTTP_HOST="127.0.0.1"))
        assert re.search(r'<input type="hidden" name="ordering" value="-input_per_mtok"', html)

    def test_korean_pages_show_korean_choice_and_sort_labels(self, catalog):
        with translation.override("ko"):
            filterset = FoundationModelFilterSet(queryset=FoundationModel.objects.all())
            labels = [str(label) for _value, label in filterset.filters["ordering"].extra["choices"]]
            access = [str(label) for _value, label in filterset.filters["access"].extra["choices"]]
        assert "출시일 (내림차순)" in labels
        assert "오픈 웨이트" in access
        # Every sort label is marked for translation (a lazy string), the prices' too (their verbose names are not).
        prices = PricePointFilterSet(queryset=PricePoint.objects.all()).filters["ordering"].extra["choices"]
        assert all(isinstance(label, Promise) for _value, label in prices)


class TestHardwareDefault:
    @pytest.fixture
    def chips(self, db):
        make_hardware("npu-1", kind="npu")
        make_hardware("gpu-1", kind="gpu")
        make_hardware("intel-4004", kind="cpu")

    def slugs_on_page(self, client, query=""):
        html = client.get(f"/hardware/{query}", HTTP_HOST="127.0.0.1").content.decode()
        return set(re.findall(r'href="/hardware/([a-z0-9-]+)/"', html))

    def test_the_site_lists_ai_accelerators_unless_asked(self, client, chips):
        assert self.slugs_on_page(client) == {"npu-1", "gpu-1"}
        assert self.slugs_on_page(client, "?landmark_cpus=include") == {"npu-1", "gpu-1", "intel-4004"}
        assert self.slugs_on_page(client, "?landmark_cpus=only") == {"intel-4004"}

    def test_the_api_lists_every_row_unless_asked(self, client, chips):
        every = client.get("/api/v1/hardware/", HTTP_HOST="127.0.0.1").json()
        assert {row["slug"] for row in every["results"]} == {"npu-1", "gpu-1", "intel-4004"}
        some = client.get("/api/v1/hardware/?landmark_cpus=exclude", HTTP_HOST="127.0.0.1").json()
        assert {row["slug"] for row in some["results"]} == {"npu-1", "gpu-1"}

    def test_the_page_s_api_link_asks_for_the_rows_it_shows(self, client, chips):
        html = client.get("/hardware/", HTTP_HOST="127.0.0.1").content.decode()
        assert 'href="/api/v1/hardware/?landmark_cpus=exclude"' in html


def test_a_50_row_price_page_lists_only_the_chosen_options(client, db):
    """With 30 models and 5 providers, the form holds no <option> per model: only the ones chosen."""
    provider = make_org("provider", name="Provider")
    models = [make_model(f"model-{n:02}", name=f"Model {n:02}") for n in range(30)]
    for model in models:
        make_price(model, provider, "2024-01-01", api_model_id=model.slug)
    html = form_html(client.get("/prices/", HTTP_HOST="127.0.0.1"))
    # The "current" choice and the capability presets (a fixed list); never one per model or provider.
    assert html.count("<option") <= 3 + len(PRESETS) + 1
    assert "Model 07" not in html
    chosen = form_html(client.get("/prices/?model=model-07&model=model-11", HTTP_HOST="127.0.0.1"))
    assert "Model 07" in chosen and "Model 11" in chosen and "Model 12" not in chosen


def test_the_no_javascript_text_box_takes_names_or_slugs(client, db):
    provider = make_org("provider", name="Provider")
    one, two, three = (make_model(f"m{n}", name=f"Model {n}") for n in (1, 2, 3))
    for model in (one, two, three):
        make_price(model, provider, "2024-01-01", api_model_id=model.slug)
    html = client.get("/prices/", {"model": "m1, Model 2"}, HTTP_HOST="127.0.0.1").content.decode()
    rows = re.findall(r"<code>([^<]+)</code>", html)
    assert sorted(rows) == ["m1", "m2"]


@pytest.mark.django_db
def test_the_cheapest_large_chat_model_today_is_one_query_on_the_prices(api):
    """Task: "the cheapest chat model of 100B+ parameters per 1M tokens today", by model size, task and blended
    price (3 input : 1 output), in the API and on the price list alike."""
    lab = make_org("lab")
    big_cheap_in = make_model("big-a", org=lab, parameters=400 * 10**9)
    big_cheap_blend = make_model("big-b", org=lab, parameters=120 * 10**9)
    small = make_model("small", org=lab, parameters=8 * 10**9)
    embedder = make_model("embedder", org=lab, parameters=300 * 10**9, task="embedding")
    # input 0.50 / output 4.00 -> blended 1.375; input 1.00 / output 1.00 -> blended 1.00 (cheaper blended)
    make_price(big_cheap_in, lab, "2024-01-01", api_model_id="a", input_price="0.50")
    cheapest = make_price(big_cheap_blend, lab, "2024-01-01", api_model_id="b", input_price="1.00")
    cheapest.output_per_mtok = Decimal("1.00")
    cheapest.save()
    make_price(small, lab, "2024-01-01", api_model_id="s", input_price="0.01")
    make_price(embedder, lab, "2024-01-01", api_model_id="e", input_price="0.01")
    make_price(big_cheap_blend, lab, "2023-01-01", "2024-01-01", api_model_id="old", input_price="0.01")
    query = "?task=chat&model_parameters_min=100B&current=true&ordering=blended_per_mtok"
    answer = api.get(f"/api/v1/prices/{query}").json()
    assert [row["api_model_id"] for row in answer["results"]] == ["b", "a"]
    descending = api.get(
        "/api/v1/prices/?task=chat&model_parameters_min=1e11&current=true&ordering=-blended_per_mtok"
    ).json()
    assert [row["api_model_id"] for row in descending["results"]] == ["a", "b"]
