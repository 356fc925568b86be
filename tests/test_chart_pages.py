"""Chart pages: what the controls draw, what the page says about the figure, and the defaults."""

import datetime
import json

import pytest

from catalog.models import Concept
from catalog.views import chart_pages
from tests.factories import make_hardware, make_model, make_org, make_price


def figure_data(response, element_id):
    """The figure JSON a page hands to charts.js."""
    html = response.content.decode()
    start = html.index(f'<script id="{element_id}-data" type="application/json">')
    body = html[html.index(">", start) + 1 : html.index("</script>", start)]
    return json.loads(body)


@pytest.fixture
def prices():
    lab = make_org("openai", name="OpenAI", country="US")
    gpt4 = make_model("gpt-4", org=lab, name="GPT-4", family="GPT")
    make_price(gpt4, lab, "2023-03-14", "2024-06-01", api_model_id="gpt-4-0314", input_price="30.00")
    make_price(gpt4, lab, "2023-06-13", api_model_id="gpt-4-0613", input_price="20.00")
    make_price(gpt4, lab, "2023-11-06", api_model_id="gpt-4-1106-preview", input_price="10.00")
    mini = make_model("gpt-4o-mini", org=lab, name="GPT-4o mini", family="GPT")
    make_price(mini, lab, "2024-07-18", api_model_id="gpt-4o-mini", input_price="0.15")
    embedder = make_model("embedder", org=lab, name="Embedder", task="embedding")
    make_price(embedder, lab, "2022-12-15", api_model_id="text-embedding-ada-002", input_price="0.10")
    make_price(embedder, lab, "2024-01-25", api_model_id="text-embedding-3-small", input_price="0.02")
    return lab


@pytest.mark.django_db
class TestPricePage:
    def test_default_is_one_blended_line_per_chat_model_never_an_embedding(self, client, prices):
        response = client.get("/charts/prices/", HTTP_HOST="127.0.0.1")
        assert response.status_code == 200
        lines = figure_data(response, "price-history")["data"]
        # the chat model with the most price periods; the embedder has as many but another task
        assert [line["name"] for line in lines] == ["GPT-4"]
        assert "blended" in figure_data(response, "price-history")["layout"]["yaxis"]["title"]["text"]
        cheapest = figure_data(response, "cheapest")["data"][0]
        assert not any("embedding" in (row or [""])[1] for row in cheapest["customdata"])

    def test_says_how_fast_the_cheapest_line_fell_with_its_two_ends(self, client, prices):
        response = client.get("/charts/prices/?models=gpt-4&models=gpt-4o-mini", HTTP_HOST="127.0.0.1")
        text = " ".join(response.content.decode().split())
        # $23.50 blended, (3 x 30 + 4) / 4, in March 2023 to $1.11, (3 x 0.15 + 4) / 4, in July 2024: 21x in 1.35 years
        assert "from $23.50 (GPT-4, March 2023) to $1.11 (GPT-4o mini, July 2024), 21.1× lower in 1.3 years" in text
        assert "about <strong>9.6× cheaper per year</strong>" in text

    def test_one_control_switches_to_output_prices(self, client, prices):
        response = client.get("/charts/prices/?kind=output&models=gpt-4", HTTP_HOST="127.0.0.1")
        (line,) = figure_data(response, "price-history")["data"]
        assert set(line["y"]) == {4.0}  # output prices never changed in this history
        assert "per 1M output tokens" in line["hovertemplate"]

    def test_lines_per_family(self, client, prices):
        response = client.get("/charts/prices/?group=family&models=gpt-4", HTTP_HOST="127.0.0.1")
        (line,) = figure_data(response, "price-history")["data"]
        assert line["name"] == "GPT"
        assert min(y for y in line["y"] if y is not None) == pytest.approx((3 * 0.15 + 4) / 4)

    def test_the_reader_picks_the_task_and_a_model_of_another_task_is_left_out_and_named(self, client, prices):
        response = client.get("/charts/prices/?task=embedding&models=gpt-4&models=embedder", HTTP_HOST="127.0.0.1")
        (line,) = figure_data(response, "price-history")["data"]
        assert line["name"] == "Embedder"
        html = response.content.decode()
        assert "Left out, because they belong to another task:" in html and "GPT-4" in html
        assert response.context["task_label"] == "Embedding"

    def test_too_many_models_is_a_400_with_the_message(self, client, prices):
        query = "&".join(["models=gpt-4"] * 2 + [f"models=m{i}" for i in range(9)])
        lab = make_org("lab")
        for index in range(9):
            make_price(make_model(f"m{index}", org=lab), lab, "2024-01-01", api_model_id=f"m{index}")
        response = client.get(f"/charts/prices/?{query}", HTTP_HOST="127.0.0.1")
        assert response.status_code == 400
        assert "Pick at most 8 models." in response.content.decode()


@pytest.mark.django_db
def test_chart_pages_put_the_chart_before_the_glossary(client, prices):
    Concept.objects.create(
        slug="token", name_en="Token", name_ko="토큰", summary_en="A unit of text.", summary_ko="단위."
    )
    html = client.get("/charts/prices/", HTTP_HOST="127.0.0.1").content.decode()
    assert html.index('data-figure="price-history-data"') < html.index('<details class="chart-notes">')
    assert html.index('<details class="chart-notes">') < html.index("A unit of text.")


@pytest.mark.django_db
def test_ppa_page_says_how_many_chips_are_drawn_and_why_others_are_left_out(client):
    vendor = make_org("nvidia", name="NVIDIA")
    make_hardware("full", vendor=vendor, kind="gpu", bf16_flops=1e15, tdp_watts=700.0, die_area_mm2=800.0)
    make_hardware("no-area", vendor=vendor, kind="gpu", bf16_flops=1e15, tdp_watts=700.0)
    make_hardware("bare", vendor=vendor, kind="gpu")
    response = client.get("/charts/ppa/", HTTP_HOST="127.0.0.1")
    assert response.context["coverage"] == {
        "drawn": 1,
        "left_out": 2,
        "no_die_area": 2,
        "no_power": 1,
        "no_throughput": 1,
    }
    html = response.content.decode()
    assert "1 chip drawn." in html and "2 chips are left out" in html
    assert 'href="/hardware/?ordering=die_area_mm2"' in html


@pytest.mark.django_db
def test_compare_names_the_figures_it_does_not_score(client):
    vendor = make_org("nvidia", name="NVIDIA")
    for slug, tdp in (("a", 300.0), ("b", 700.0)):
        make_hardware(slug, vendor=vendor, kind="gpu", bf16_flops=1e15, tdp_watts=tdp)
    response = client.get("/compare/?chips=a&chips=b", HTTP_HOST="127.0.0.1")
    assert response.status_code == 200
    assert "TDP" in response.context["unscored"]
    bars = figure_data(response, "compare-hardware")["data"][0]
    assert "TDP" not in bars["x"]


@pytest.mark.django_db
def test_the_home_card_on_serving_leads_to_the_serving_estimator(client):
    html = client.get("/", HTTP_HOST="127.0.0.1").content.decode()
    card = html[html.index("Which chip can serve which model?") - 200 :]
    assert card[: card.index("Which chip")].rstrip().endswith('<a href="/estimate/"><strong>')


@pytest.mark.django_db
def test_roofline_defaults_are_four_distinct_vendors_and_llama_3_70b(client):
    defaults = {}
    for slug in chart_pages.DEFAULT_ROOFLINE_CHIPS:
        vendor_slug = slug.split("-")[0]
        vendor = make_org(vendor_slug, name=vendor_slug.title())
        defaults[slug] = make_hardware(slug, vendor=vendor, kind="gpu", bf16_flops=1e15, memory_bandwidth=3e12)
    make_hardware(
        "nvidia-b200",
        vendor=defaults["nvidia-h100-sxm"].vendor,
        kind="gpu",
        bf16_flops=2e15,
        memory_bandwidth=8e12,
        release_date=datetime.date(2025, 1, 1),
    )
    make_model("llama-3-70b", name="Llama 3 70B", access="open-weights", parameters=70 * 10**9)
    make_model("newer-dense", access="open-weights", parameters=10**9, release_date=datetime.date(2026, 1, 1))
    response = client.get("/charts/roofline/", HTTP_HOST="127.0.0.1")
    lines = [trace["name"] for trace in figure_data(response, "roofline")["data"] if "Ridge" in trace["hovertemplate"]]
    assert lines == chart_pages.DEFAULT_ROOFLINE_CHIPS
    assert response.context["subject"].slug == "llama-3-70b"
    vendors = {chip.vendor_id for chip in chart_pages.default_roofline_chips()}
    assert len(vendors) == 4


@pytest.mark.django_db
def test_the_vendor_chart_draws_the_highest_chips_only_and_says_so(client, monkeypatch):
    monkeypatch.setattr(chart_pages, "VENDOR_CHART_CHIPS", 3)
    vendor = make_org("chipco", name="ChipCo")
    for number in range(5):
        make_hardware(f"npu-{number}", vendor=vendor, bf16_flops=(number + 1) * 1e14)
    response = client.get("/charts/vendors/", HTTP_HOST="127.0.0.1")
    bars = [name for trace in figure_data(response, "vendors")["data"] for name in trace["y"]]
    assert sorted(bars) == ["npu-2", "npu-3", "npu-4"]  # the three highest, whatever the table's size
    assert "The 3 highest of the 5 chips with this figure" in response.content.decode()
