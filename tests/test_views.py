"""The website: every page renders, queries do not grow with the data, strings are escaped, nothing is external."""

import datetime
import re

import pytest
from django.contrib.staticfiles import finders
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.models import Concept, Hardware
from tests.factories import make_hardware, make_model, make_org, make_price, make_source

pytestmark = pytest.mark.django_db

XSS = "</script><script>alert(1)</script>"

PAGES = [
    "/",
    "/search/?q=gpt",
    "/organizations/",
    "/organizations/openai/",
    "/models/",
    "/models/gpt-3/",
    "/hardware/",
    "/hardware/nvidia-h100/",
    "/prices/",
    "/applications/",
    "/applications/chatgpt/",
    "/glossary/",
    "/glossary/moores-law/",
    "/charts/moores-law/",
    "/charts/vendors/",
    "/charts/vendors/?metric=memory_bandwidth",
    "/charts/ppa/",
    "/charts/roofline/",
    "/charts/roofline/?chips=nvidia-h100&chips=nvidia-a100&model=gpt-3",
    "/charts/prices/",
    "/charts/prices/?models=gpt-3&family=GPT",
    "/charts/model-scale/",
    "/charts/model-scale/?metric=training_compute_flop",
    "/compare/",
    "/compare/?chips=nvidia-h100&chips=furiosa-rngd",
    "/compare/?models=gpt-3&models=hyperclova-x",
    "/benchmarks/",  # empty: runs are in test_benchmark_pages
]


def grow(n):
    """``n`` more models, chips and prices, each linked and sourced, from an organization of their own."""
    lab = make_org(f"lab-{n}", is_chip_designer=True)
    for i in range(n):
        model = make_model(
            f"grown-{n}-{i}", org=lab, parameters=10**9 * (i + 1), release_date=datetime.date(2020 + i % 5, 1, 1)
        )
        make_price(model, lab, "2024-01-01", api_model_id=f"grown-{n}-{i}")
        make_hardware(
            f"grown-chip-{n}-{i}",
            vendor=lab,
            transistors=10**9,
            release_date=datetime.date(2021, 1, 1),
            bf16_flops=1e14,
            tdp_watts=100.0,
            die_area_mm2=100.0,
            memory_bandwidth=1e12,
        )


def queries_for(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(captured.captured_queries)


@pytest.mark.usefixtures("catalog")
@pytest.mark.parametrize("url", PAGES)
def test_page_renders_and_its_queries_do_not_grow_with_the_data(client, url):
    client.get(url)  # warm: content types, sessions
    before = queries_for(client, url)
    grow(12)
    after = queries_for(client, url)
    assert after == before, f"{url}: {before} queries with the small catalog, {after} after adding rows"
    assert after <= 15


@pytest.mark.usefixtures("catalog")
def test_an_organization_named_like_a_script_is_escaped_everywhere(client):
    evil = make_org("evil", name=XSS, local_name=XSS, is_chip_designer=True, is_model_developer=True)
    make_model("evil-model", org=evil, name=XSS, parameters=10**9, release_date=datetime.date(2024, 1, 1))
    make_hardware(
        "evil-chip",
        vendor=evil,
        name=XSS,
        kind="npu",
        transistors=10**9,
        release_date=datetime.date(2024, 1, 1),
        bf16_flops=1e14,
        tdp_watts=100.0,
        die_area_mm2=100.0,
        memory_bandwidth=1e12,
    )
    pages = [
        *PAGES,
        "/organizations/evil/",
        "/models/evil-model/",
        "/hardware/evil-chip/",
        "/search/?q=script",
        "/compare/?chips=evil-chip&chips=nvidia-h100",
        "/charts/roofline/?chips=evil-chip",
    ]
    for url in pages:
        html = client.get(url).content.decode()
        assert "<script>alert(1)" not in html, url


# A canonical or alternate-language link names a page (absolute, on this site: tests/test_seo.py) and loads nothing.
EXTERNAL_RESOURCE = re.compile(
    r"""<(?:script|img|iframe|link(?![^>]*\brel=["'](?:canonical|alternate)["']))\b[^>]*\b(?:src|href)=["'](?:https?:)?//""",
    re.I,
)


@pytest.mark.usefixtures("catalog")
@pytest.mark.parametrize("url", PAGES)
def test_no_page_loads_anything_from_outside(client, url):
    html = client.get(url).content.decode()
    assert not EXTERNAL_RESOURCE.search(html)
    assert "@import" not in html and "fonts.g" not in html


def test_stylesheet_uses_no_outside_font_or_image():
    with open(finders.find("catalog/site.css"), encoding="utf-8") as stylesheet:
        css = stylesheet.read()
    assert "url(" not in css and "@import" not in css


@pytest.mark.usefixtures("catalog")
def test_chart_pages_pass_figures_as_json_and_name_one_plotly_bundle(client):
    html = client.get("/charts/moores-law/").content.decode()
    assert html.count('data-plotly="/static/vendor/plotly-basic.min.js"') == 1
    assert html.count('<script src="/static/catalog/charts.js"') == 1
    assert '<script id="moores-law-data" type="application/json">' in html
    assert len(html) < 500_000  # plotly.js itself is never inlined


@pytest.mark.usefixtures("catalog")
class TestLists:
    def test_filters_and_sorting_live_in_the_url(self, client):
        html = client.get("/models/?country=KR&ordering=-parameters").content.decode()
        assert 'href="/models/hyperclova-x/"' in html and 'href="/models/gpt-3/"' not in html
        assert 'aria-sort="descending"' in html

    def test_a_bad_filter_is_a_400_page_with_the_message(self, client):
        response = client.get("/models/?access=leaked")
        assert response.status_code == 400
        assert "Select a valid choice" in response.content.decode()

    def test_list_links_to_the_same_rows_in_the_api(self, client):
        html = client.get("/hardware/?kind=npu").content.decode()
        # The page's own default (AI accelerators only) goes into the link: the API's default is every row.
        assert 'href="/api/v1/hardware/?kind=npu&amp;landmark_cpus=exclude"' in html
        assert 'href="/api/v1/hardware/?kind=npu&amp;landmark_cpus=exclude&amp;format=csv"' in html

    def test_pages_of_50(self, client):
        grow(60)
        html = client.get("/models/").content.decode()
        assert "Page 1 of 2" in html


@pytest.mark.usefixtures("catalog")
class TestDetails:
    def test_every_number_shows_its_confidence_and_source(self, client):
        html = client.get("/hardware/nvidia-h100/").content.decode()
        row = re.search(r"<tr><th scope=\"row\">BF16/FP16 tensor dense peak.*?</tr>", html, re.S)
        assert row, "the BF16 row is missing"
        assert "confidence-reported" in row.group(0)
        assert 'href="https://example.org/datasheet"' in row.group(0)
        assert "989 TFLOP/s" in row.group(0)

    def test_estimates_look_different_from_reported_values(self, client):
        Hardware.objects.filter(slug="nvidia-a100").update(confidence="estimated")
        html = client.get("/hardware/nvidia-a100/").content.decode()
        assert 'class="num confidence-estimated"' in html
        assert "badge confidence-estimated" in html

    def test_derived_figures_say_so_and_what_they_come_from(self, client):
        html = client.get("/hardware/nvidia-h100/").content.decode()
        row = re.search(r"<tr><th scope=\"row\">Energy efficiency</th>.*?</tr>", html, re.S)
        assert row, "the energy efficiency row is missing"
        assert '<td class="num confidence-derived">1.41 TFLOP/s per W</td>' in row.group(0)
        assert '<span class="badge confidence-derived">derived</span>' in row.group(0)
        assert "= BF16/FP16 tensor dense peak / TDP" in row.group(0)

    def test_detail_links_to_its_api_url(self, client):
        assert 'href="/api/v1/models/gpt-3/"' in client.get("/models/gpt-3/").content.decode()

    def test_model_page_shows_its_price_history(self, client):
        html = client.get("/models/gpt-3/").content.decode()
        rows = re.findall(r"<tr([^>]*)>\s*<td>OpenAI</td>\s*<td><code>davinci</code></td>(.*?)</tr>", html, re.S)
        # input, output, cached input, blended, from, to: oldest first, the open-ended one marked current
        assert [(attributes, re.findall(r"<td[^>]*>([^<]*)</td>", cells)[:6]) for attributes, cells in rows] == [
            (' class="past"', ["$60.00", "$60.00", "—", "$60.00", "Jan. 1, 2021", "Sept. 1, 2022"]),
            ("", ["$20.00", "$60.00", "—", "$30.00", "Sept. 1, 2022", "current"]),
        ]

    def test_unknown_slug_is_404(self, client):
        assert client.get("/models/nope/").status_code == 404


@pytest.mark.usefixtures("catalog")
def test_compare_refuses_one_chip_with_a_message(client):
    response = client.get("/compare/?chips=nvidia-h100")
    assert response.status_code == 400
    assert "Pick 2 to 6 chips" in response.content.decode()


@pytest.mark.usefixtures("catalog")
def test_chart_caption_comes_from_the_glossary(client):
    Concept.objects.filter(slug="moores-law").update(summary_en="Doubling every two years, observed.")
    assert "Doubling every two years, observed." in client.get("/charts/moores-law/").content.decode()


@pytest.mark.usefixtures("catalog")
def test_search_finds_across_tables(client):
    make_source()
    html = client.get("/search/?q=clova").content.decode()
    assert '<a href="/models/hyperclova-x/">HyperCLOVA X</a>' in html
    response = client.get("/search/?q=nvidia")
    found = {str(group["title"]): [hit.slug for hit in group["hits"]] for group in response.context["groups"]}
    assert found == {
        "Models": [],
        "Hardware": ["nvidia-a100", "nvidia-h100"],
        "Organizations": ["nvidia"],
        "Applications": [],
        "Glossary": [],
    }
    html = response.content.decode()
    assert '<a href="/hardware/nvidia-h100/">NVIDIA H100</a>' in html
    assert '<a href="/organizations/nvidia/">NVIDIA</a>' in html


@pytest.mark.django_db
def test_the_cheapest_price_on_the_home_page_and_the_calculator_compares_chat_models_only(client):
    lab = make_org("lab")
    chat_model = make_model("chatty-lm", org=lab, name="Chatty LM")
    embedder = make_model("embedder-x", org=lab, name="Embedder X", task="embedding")
    make_price(chat_model, lab, "2025-01-01", api_model_id="chatty-1", input_price="1.00")
    make_price(embedder, lab, "2025-01-01", api_model_id="embedder-1", input_price="0.02")
    for url in ("/", "/estimate/tokens/"):
        page = client.get(url).content.decode()
        assert "Chatty LM" in page and "Embedder X" not in page, url


@pytest.mark.django_db
def test_a_model_page_without_figures_says_so_instead_of_an_empty_facts_table(client):
    lab = make_org("lab")
    bare = make_model("bare-lm", org=lab, name="Bare LM")
    sized = make_model("sized-lm", org=lab, name="Sized LM", parameters=7_000_000_000)
    bare_page = client.get(f"/models/{bare.slug}/").content.decode()
    assert "No figures are recorded for this model yet" in bare_page and "<h2>Facts</h2>" not in bare_page
    sized_page = client.get(f"/models/{sized.slug}/").content.decode()
    assert "<h2>Facts</h2>" in sized_page and "No figures are recorded" not in sized_page
