"""What each page tells search engines: a description of its own subject in its own language, a title of its
own, and its address in each language (``hreflang``), on every page type of the bundled catalog."""

import re
from html.parser import HTMLParser

import pytest
from django.test import RequestFactory
from django.utils import translation

from catalog.models import Concept, FoundationModel, Hardware
from catalog.templatetags.page_meta import language_urls, meta_description
from tests.factories import make_model, make_org

HANGUL = re.compile(r"[\uac00-\ud7a3]")
ORIGIN = "http://testserver"
# The description base.html gives a page that says nothing of its own: no page should show it.
NAMED_AFTER_THEIR_OBJECT = {
    "organization-detail",
    "model-detail",
    "hardware-detail",
    "application-detail",
    "glossary-term",
    "evaluation-detail",
}
SITE_DEFAULT = (
    "An open, sourced catalog of foundation models, the AI chips they run on and what they cost, with the trends: "
    "Moore's law, chip efficiency and falling token prices."
)


@pytest.fixture(scope="module")
def bundled(bundled, django_db_blocker):
    """The bundled data (conftest) and two benchmark runs, so there are two run pages to tell apart."""
    from catalog.benchmarking.store import record_run
    from tests.benchmark_reports import benchmark_report

    with django_db_blocker.unblock():
        record_run(report=benchmark_report())
        record_run(report=benchmark_report(started_at="2026-12-01T08:00:00+00:00", cpu_model="Other CPU @ 2.0GHz"))


def page_types():
    """Every page type, as English paths; detail types with several objects, so their descriptions can differ."""
    from catalog.models import BenchmarkRun

    runs = [f"/benchmarks/{pk}/" for pk in BenchmarkRun.objects.order_by("pk").values_list("pk", flat=True)]
    return {
        "home": ["/"],
        "search": ["/search/", "/search/?q=clova", "/search/?q=llama"],
        "organization-list": ["/organizations/"],
        "organization-detail": ["/organizations/naver/", "/organizations/openai/", "/organizations/nvidia/"],
        "model-list": ["/models/"],
        "model-detail": ["/models/gpt-3/", "/models/hyperclova-x/", "/models/llama-3-70b/"],
        "hardware-list": ["/hardware/"],
        "hardware-detail": ["/hardware/nvidia-h100-sxm/", "/hardware/rebellions-atom/", "/hardware/furiosa-rngd/"],
        "price-list": ["/prices/"],
        "application-list": ["/applications/"],
        "application-detail": ["/applications/a-dot/", "/applications/chatgpt/"],
        "glossary": ["/glossary/"],
        "glossary-term": ["/glossary/moores-law/", "/glossary/arithmetic-intensity/"],
        "chart-moores-law": ["/charts/moores-law/"],
        "chart-vendors": ["/charts/vendors/"],
        "chart-ppa": ["/charts/ppa/"],
        "chart-roofline": ["/charts/roofline/"],
        "chart-prices": ["/charts/prices/"],
        "chart-model-scale": ["/charts/model-scale/"],
        "chart-capability-prices": ["/charts/capability-prices/"],
        "compare": ["/compare/"],
        "evaluation-list": ["/evaluations/"],
        "evaluation-detail": ["/evaluations/gpqa-diamond/", "/evaluations/mmlu/"],
        "benchmark-list": ["/benchmarks/"],
        "benchmark-run": runs,
        "estimate-matrix": ["/estimate/"],
        "estimate-tokens": ["/estimate/tokens/"],
        "estimate-training": ["/estimate/training/"],
        "estimate-pair": ["/estimate/llama-3-70b/nvidia-h100-sxm/", "/estimate/hyperclova-x/rebellions-atom/"],
    }


class Head(HTMLParser):
    """The head's title, meta descriptions, canonical link and language alternates."""

    def __init__(self):
        super().__init__()
        self.title, self.descriptions, self.canonical, self.alternates = None, [], [], {}
        self.in_title = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "title":
            self.in_title, self.title = True, ""
        elif tag == "meta" and attributes.get("name") == "description":
            self.descriptions.append(attributes.get("content"))
        elif tag == "link" and attributes.get("rel") == "canonical":
            self.canonical.append(attributes["href"])
        elif tag == "link" and attributes.get("rel") == "alternate" and "hreflang" in attributes:
            assert attributes["hreflang"] not in self.alternates, attributes
            self.alternates[attributes["hreflang"]] = attributes["href"]

    def handle_endtag(self, tag):
        if tag == "title":
            self.in_title = False

    def handle_data(self, data):
        if self.in_title:
            self.title += data


def head_of(client, path, **extra):
    response = client.get(path, **extra)
    assert response.status_code == 200, path
    parser = Head()
    parser.feed(response.content.decode())  # HTMLParser unescapes attribute values and text
    return parser


def all_paths():
    return [(kind, path) for kind, paths in page_types().items() for path in paths]


@pytest.mark.django_db
@pytest.mark.usefixtures("bundled")
@pytest.mark.parametrize("language", ["en", "ko"])
def test_every_page_has_one_description_and_title_of_its_own(client, language):
    prefix = "/ko" if language == "ko" else ""
    with translation.override(language):
        site_default = translation.gettext(SITE_DEFAULT)
    descriptions, titles = {}, {}
    for kind, path in all_paths():
        head = head_of(client, prefix + path)
        assert len(head.descriptions) == 1, path
        description = head.descriptions[0]
        assert description and description.strip() == description, path
        assert len(description) <= 160, (path, description)
        assert description != site_default, f"{path} says nothing of its own"
        assert "<" not in description and "&" not in description.replace(" & ", ""), (path, description)
        if language == "ko":
            assert HANGUL.search(description), (path, description)
            # A detail page's title is the object's name, which may have no Korean form ("GPQA Diamond").
            assert kind in NAMED_AFTER_THEIR_OBJECT or HANGUL.search(head.title), (path, head.title)
        descriptions.setdefault(description, []).append(path)
        titles.setdefault(head.title, []).append(path)
    assert {text: paths for text, paths in descriptions.items() if len(paths) > 1} == {}
    assert {text: paths for text, paths in titles.items() if len(paths) > 1} == {}


@pytest.mark.django_db
@pytest.mark.usefixtures("bundled")
def test_a_korean_page_describes_itself_in_korean_and_an_english_one_in_english(client):
    for path in ["/", "/models/hyperclova-x/", "/hardware/furiosa-rngd/", "/charts/prices/"]:
        english = head_of(client, path).descriptions[0]
        korean = head_of(client, f"/ko{path}").descriptions[0]
        assert english != korean
        assert not HANGUL.search(english), english
        assert len(HANGUL.findall(korean)) >= 5, korean


@pytest.mark.django_db
@pytest.mark.usefixtures("bundled")
def test_detail_descriptions_name_the_object_and_its_key_facts(client):
    model = head_of(client, "/models/gpt-3/").descriptions[0]
    name = FoundationModel.objects.get(slug="gpt-3").name
    assert model.startswith(f"{name}, a foundation model by OpenAI, released May 28, 2020; "), model
    assert "175B parameters" in model
    chip = head_of(client, "/hardware/nvidia-h100-sxm/").descriptions[0]
    assert chip.startswith(f"{Hardware.objects.get(slug='nvidia-h100-sxm').name}: GPU by NVIDIA, released ")
    assert "TFLOP/s BF16 peak" in chip and "80 GB of memory" in chip
    organization = head_of(client, "/organizations/naver/").descriptions[0]
    assert organization.startswith("NAVER (South Korea): model developer") and "founded 1999" in organization
    concept = Concept.objects.get(slug="moores-law")
    glossary = head_of(client, "/glossary/moores-law/").descriptions[0]
    assert glossary.startswith(f"{concept.name_en} ({concept.name_ko}): {concept.summary_en[:40]}")
    korean_glossary = head_of(client, "/ko/glossary/moores-law/").descriptions[0]
    assert korean_glossary.startswith(f"{concept.name_ko} ({concept.name_en}): {concept.summary_ko[:20]}")
    korean_chip = head_of(client, "/ko/hardware/furiosa-rngd/").descriptions[0]
    assert ": 퓨리오사AI의 NPU, 2024년 8월 출시; BF16 최대 256 TFLOP/s, 메모리 48 GB" in korean_chip, korean_chip
    korean_model = head_of(client, "/ko/models/gpt-3/").descriptions[0]
    assert ": 오픈AI의 파운데이션 모델, 2020년 5월 28일 출시; 파라미터 1,750억개" in korean_model, korean_model


@pytest.mark.django_db
@pytest.mark.usefixtures("bundled")
def test_every_page_names_itself_in_each_language(client):
    for _kind, path in all_paths():
        english, korean = f"{ORIGIN}{path}", f"{ORIGIN}/ko{path}"
        expected = {"en": english, "ko": korean, "x-default": english}
        for url in (english, korean):
            head = head_of(client, url.removeprefix(ORIGIN))
            assert head.alternates == expected, url
            assert head.canonical == [url], url


@pytest.mark.django_db
@pytest.mark.usefixtures("bundled")
def test_language_links_keep_the_query_in_one_order_and_the_scheme_and_host_of_the_request(client, settings):
    settings.ALLOWED_HOSTS = ["landscape.example"]
    shuffled = "/models/?ordering=-parameters&country=KR&country=US"
    in_order = "?country=KR&country=US&ordering=-parameters"
    for path in (shuffled, "/models/?country=KR&country=US&ordering=-parameters"):
        head = head_of(client, path, secure=True, HTTP_HOST="landscape.example")
        assert head.canonical == [f"https://landscape.example/models/{in_order}"]
        assert head.alternates == {
            "en": f"https://landscape.example/models/{in_order}",
            "ko": f"https://landscape.example/ko/models/{in_order}",
            "x-default": f"https://landscape.example/models/{in_order}",
        }
    korean = head_of(client, "/ko/search/?q=%ED%95%9C%EA%B5%AD", secure=True, HTTP_HOST="landscape.example")
    assert korean.canonical == ["https://landscape.example/ko/search/?q=%ED%95%9C%EA%B5%AD"]
    assert korean.alternates["en"] == "https://landscape.example/search/?q=%ED%95%9C%EA%B5%AD"


@pytest.mark.django_db
def test_a_page_outside_the_language_prefixes_gets_no_language_links():
    factory = RequestFactory()
    with translation.override("en"):  # as in a request to a plain URL
        assert language_urls(factory.get("/api/docs/")) == {}
        assert language_urls(factory.get("/admin/login/")) == {}
        assert language_urls(factory.get("/glossary/")) == {
            "en": "http://testserver/glossary/",
            "ko": "http://testserver/ko/glossary/",
        }


@pytest.mark.django_db
@pytest.mark.usefixtures("bundled")
def test_a_later_page_of_a_list_has_a_title_of_its_own(client):
    first = head_of(client, "/models/").title
    second = head_of(client, "/models/?page=2").title
    assert first != second and "2" in second
    assert "2" in head_of(client, "/ko/models/?page=2").title


@pytest.mark.django_db
@pytest.mark.usefixtures("bundled")
def test_names_from_the_database_are_escaped_and_long_text_is_cut_at_a_word(client):
    evil = make_org("evil", name='"><script>alert(1)</script> & Co', is_model_developer=True)
    make_model("evil-model", org=evil, name='Model "X" <b>')
    html = client.get("/models/evil-model/").content.decode()
    assert "<script>alert(1)" not in html and "<b>" not in html
    head = head_of(client, "/models/evil-model/")
    assert head.descriptions[0].startswith('Model "X" <b>, a foundation model by "><script>alert(1)</script> & Co')
    Concept.objects.create(
        slug="long", name_en="Long", name_ko="긴 용어", summary_en="word & more " * 40, summary_ko="낱말 " * 80
    )
    for path in ("/glossary/long/", "/ko/glossary/long/"):
        description = head_of(client, path).descriptions[0]
        assert len(description) <= 160 and description.endswith("…"), description
        assert description[-2] != " "  # cut at a word, with no space before the ellipsis


def test_the_description_filter_makes_one_line_of_escaped_plain_text():
    assert meta_description("  <strong>Fast</strong>\n chips &amp; models ") == "Fast chips &amp; models"
    cut = meta_description("a&amp;b " * 40, length=20)
    assert str(cut) == "a&amp;b a&amp;b a&amp;b a&amp;b a&amp;b…"  # entities whole, counted as one character
    assert len("a&b a&b a&b a&b a&b…") <= 20
    assert meta_description("x" * 200, length=20) == "x" * 19 + "…"  # one long word: cut inside it


@pytest.mark.django_db
def test_robots_txt_lets_crawlers_read_the_pages_and_not_the_admin_or_the_api(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert lines[0] == "User-agent: *"
    assert set(lines[1:]) == {"Disallow: /admin/", "Disallow: /api/"}
    assert client.get("/ko/robots.txt").status_code == 404  # one file, at the root only
