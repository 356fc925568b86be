"""English and Korean: every page in both languages, the catalog complete, the switcher, names and numbers.

English lives at the plain URLs, Korean under /ko/. The Korean catalog is the source of "known English UI
strings": a Korean page that still shows one of its msgids as a whole text, label or chart title has
missed a translation. Templates are also read directly, so text never marked for translation fails too.
"""

import datetime
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from catalog import formatting
from catalog.models import Concept, Hardware, Organization, Source

CATALOG = Path(settings.BASE_DIR) / "locale" / "ko" / "LC_MESSAGES" / "django.po"
HANGUL = re.compile(r"[\uac00-\ud7a3]")
KOREAN_ACCEPT = "ko-KR,ko;q=0.9,en-US;q=0.8,en;q=0.7"


@pytest.fixture(scope="module")
def bundled(bundled, django_db_blocker):
    """The bundled data (conftest) and one benchmark run, so the benchmark pages have something to show."""
    from catalog.benchmarking.store import record_run
    from tests.benchmark_reports import benchmark_report

    with django_db_blocker.unblock():
        record_run(report=benchmark_report())
    return


def site_pages():
    """One of every kind of page, as paths without a language prefix (English)."""
    from catalog.models import BenchmarkRun

    run = BenchmarkRun.objects.order_by("pk").first()
    return [
        "/",
        "/search/?q=clova",
        "/organizations/",
        "/organizations/naver/",
        "/models/",
        "/models/gpt-3/",
        "/models/hyperclova-x/",
        "/hardware/",
        "/hardware/nvidia-h100-sxm/",
        "/hardware/rebellions-atom/",
        "/prices/",
        "/applications/",
        "/applications/a-dot/",
        "/glossary/",
        "/glossary/moores-law/",
        "/charts/moores-law/",
        "/charts/vendors/",
        "/charts/ppa/",
        "/charts/roofline/",
        "/charts/prices/",
        "/charts/model-scale/",
        "/compare/",
        "/compare/?chips=nvidia-h100-sxm&chips=furiosa-rngd&models=gpt-3&models=hyperclova-x",
        "/benchmarks/",
        f"/benchmarks/{run.pk}/",
        "/estimate/",
        "/estimate/llama-3-70b/nvidia-h100-sxm/?chips=2",
        "/estimate/hyperclova-x/rebellions-atom/",
        "/estimate/tokens/?input_tokens=1000&output_tokens=500",
        "/estimate/training/?model=gpt-3&hardware=nvidia-v100-sxm2-32gb&chips=1024",
    ]


# ------------------------------------------------------------------------------------ the catalog


def korean_catalog():
    return polib.pofile(str(CATALOG))


def test_the_korean_catalog_has_no_empty_fuzzy_or_obsolete_entry():
    catalog = korean_catalog()
    assert len(catalog) > 300  # the whole interface, not a sample
    assert [entry.msgid for entry in catalog if entry.fuzzy] == []
    assert [entry.msgid for entry in catalog.obsolete_entries()] == []
    empty = [
        entry.msgid
        for entry in catalog
        if not entry.obsolete
        and (not entry.msgstr if not entry.msgid_plural else not all(entry.msgstr_plural.values()))
    ]
    assert empty == []


def test_the_compiled_catalog_matches_the_source():
    """The committed .mo is what `make messages` compiles from the .po (else Korean pages show stale text)."""
    compiled = {(entry.msgctxt, entry.msgid): entry.msgstr for entry in polib.mofile(str(CATALOG.with_suffix(".mo")))}
    source = {(entry.msgctxt, entry.msgid): entry.msgstr for entry in korean_catalog() if not entry.msgid_plural}
    assert compiled.items() >= source.items()


def test_placeholders_survive_translation():
    """A translation that drops or renames %(name)s or {name} would raise or show the wrong number."""
    pattern = re.compile(r"%\(\w+\)(?:\.\d+)?[sdfgi]|\{\w*\}|%s|%\{[^}]*\}")
    broken = [
        (entry.msgid, entry.msgstr)
        for entry in korean_catalog()
        if not entry.msgid_plural and sorted(pattern.findall(entry.msgid)) != sorted(pattern.findall(entry.msgstr))
    ]
    assert broken == []


# ------------------------------------------------------------------------------ rendered pages


class VisibleText(HTMLParser):
    """The text a reader sees or hears in the page's language: text nodes outside script and style, and
    labelling attributes. Content marked as another language (``<span lang="en">Moore's law</span>`` beside
    the Korean term) is left out: it is meant to be in that language."""

    LABELS = ("title", "aria-label", "placeholder", "alt")
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self):
        super().__init__()
        self.texts, self.skipping, self.html_lang, self.languages = [], 0, None, []

    def foreign(self):
        marked = [language for language in self.languages if language is not None]
        return bool(marked) and marked[-1] != self.html_lang

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "html":
            self.html_lang = attributes.get("lang")
        elif tag not in self.VOID:
            self.languages.append(attributes.get("lang"))
        if tag in ("script", "style"):
            self.skipping += 1
        if not self.foreign():
            self.texts += [attributes[name] for name in self.LABELS if attributes.get(name)]

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.skipping -= 1
        if tag not in self.VOID and tag != "html" and self.languages:
            self.languages.pop()

    def handle_data(self, data):
        text = " ".join(data.split())
        if text and not self.skipping and not self.foreign():
            self.texts.append(text)


def visible(html):
    parser = VisibleText()
    parser.feed(html)
    return parser


def figure_titles(html):
    """Every chart's axis titles, from the figure JSON handed to the browser."""
    titles = []
    for blob in re.findall(r'<script id="[^"]+" type="application/json">(.*?)</script>', html, re.S):
        figure = json.loads(blob)
        layout = figure.get("layout", {})
        for axis in ("xaxis", "yaxis"):
            title = layout.get(axis, {}).get("title", {})
            text = title.get("text") if isinstance(title, dict) else title
            if text:
                titles.append(text)
    return titles


def english_ui_strings():
    """The catalog's msgids that Korean shows differently: seeing one on a Korean page is a miss."""
    return {
        " ".join(entry.msgid.split())
        for entry in korean_catalog()
        if entry.msgstr and entry.msgstr != entry.msgid and re.search(r"[A-Za-z]{2}", entry.msgid)
    }


@pytest.mark.django_db
@pytest.mark.usefixtures("bundled")
def test_every_page_renders_in_both_languages_and_korean_pages_leave_no_ui_string_in_english(client):
    # A cited document keeps its own title ("Moore's law", Wikipedia): data, not interface.
    untranslated = english_ui_strings() - set(Source.objects.values_list("title", flat=True))
    misses = []
    for path in site_pages():
        english = client.get(path)
        assert english.status_code == 200, path
        assert visible(english.content.decode()).html_lang == "en", path
        korean = client.get(f"/ko{path}")
        assert korean.status_code == 200, path
        html = korean.content.decode()
        page = visible(html)
        assert page.html_lang == "ko", path
        misses += [(path, text) for text in page.texts if text in untranslated]
        misses += [(path, f"chart title: {title}") for title in figure_titles(html) if not HANGUL.search(title)]
    assert misses == []


@pytest.mark.django_db
@pytest.mark.usefixtures("bundled")
def test_korean_chart_pages_title_their_axes_in_korean(client):
    html = client.get("/ko/charts/moores-law/").content.decode()
    titles = figure_titles(html)
    assert "출시일" in titles  # "Release date"
    assert all(HANGUL.search(title) for title in titles), titles
    english = figure_titles(client.get("/charts/moores-law/").content.decode())
    assert "Release date" in english


# Words that read the same in both languages: acronyms, units, the product's name, formula symbols.
SAME_IN_BOTH = {
    *("Landscape", "API", "JSON", "CSV", "CPU", "GPU", "TTFT", "TPOT", "ITL", "p50", "p90", "p99"),
    *("nm", "W", "s", "h", "N", "D", "FLOP", "FLOP/s", "B", "B/s", "USD"),
}
DJANGO_MARKUP = re.compile(
    r"\{%\s*blocktranslate.*?\{%\s*endblocktranslate\s*%\}|\{%\s*comment\s*%\}.*?\{%\s*endcomment\s*%\}"
    r"|\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}",
    re.S,
)


class TemplateText(VisibleText):
    """A template's literal text; any element with a ``lang`` attribute is marked as another language."""

    def foreign(self):
        return any(language is not None for language in self.languages)


def untranslated_template_text(source):
    """Literal words left in a template once every tag, variable and translation block is taken out."""
    parser = TemplateText()
    parser.feed(DJANGO_MARKUP.sub(" ", source))
    return [
        text
        for text in parser.texts
        if any(
            re.search("[A-Za-z]", word) and word.strip(".,:;()·—") not in SAME_IN_BOTH and not word.startswith("/")
            for word in text.split()
        )
        or re.search(r"[\uac00-\ud7a3]", text)
    ]


def test_template_text_all_goes_through_translation():
    """Every word a template shows is marked for translation, so Korean pages cannot miss one silently."""
    templates = [
        path
        for path in (Path(settings.BASE_DIR) / "templates").rglob("*.html")
        if "drf_spectacular" not in path.parts  # third-party UI shell: no text of ours
    ]
    leftovers = {
        str(path.relative_to(settings.BASE_DIR)): untranslated_template_text(path.read_text()) for path in templates
    }
    assert {name: texts for name, texts in leftovers.items() if texts} == {}


def test_the_template_check_catches_literal_text():
    assert untranslated_template_text("<p>{% translate 'Models' %}</p><h2>Sources</h2>") == ["Sources"]
    assert untranslated_template_text('<input placeholder="Search">') == ["Search"]
    assert untranslated_template_text("{% blocktranslate %}By {{ x }}{% endblocktranslate %} · 42 W") == []
    assert (
        untranslated_template_text('<p>API: <a href="/api/v1/">/api/v1/</a> <span lang="en">Glossary</span></p>') == []
    )
    assert untranslated_template_text("<p>용어집</p>") == ["용어집"]  # Korean belongs in the catalog too


# ------------------------------------------------------------------------- the language switcher


@pytest.mark.django_db
@pytest.mark.usefixtures("bundled")
def test_the_switcher_keeps_the_current_page_and_its_query(client):
    path = "/models/?country=KR&ordering=-parameters"
    html = client.get(path).content.decode()
    assert f'action="{reverse("set_language")}"' in html
    assert 'name="next" type="hidden" value="/models/?country=KR&amp;ordering=-parameters"' in html

    to_korean = client.post(reverse("set_language"), {"language": "ko", "next": path})
    assert to_korean.status_code == 302
    assert to_korean["Location"] == "/ko/models/?country=KR&ordering=-parameters"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ko"
    # The choice is kept: a plain URL now sends this reader to the Korean page.
    kept = client.get("/hardware/nvidia-h100-sxm/")
    assert (kept.status_code, kept["Location"]) == (302, "/ko/hardware/nvidia-h100-sxm/")

    back = client.post(reverse("set_language"), {"language": "en", "next": "/ko/models/gpt-3/"})
    assert back["Location"] == "/models/gpt-3/"
    assert client.get("/models/gpt-3/").status_code == 200  # English chosen: no redirect


@pytest.mark.django_db
@pytest.mark.usefixtures("bundled")
def test_a_first_visit_follows_accept_language_and_korean_links_stay_korean(client):
    redirected = client.get("/glossary/?ordering=name_ko", HTTP_ACCEPT_LANGUAGE=KOREAN_ACCEPT)
    assert (redirected.status_code, redirected["Location"]) == (302, "/ko/glossary/?ordering=name_ko")
    assert "Accept-Language" in redirected["Vary"]
    assert client.get("/glossary/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").status_code == 200
    # A shared /ko/ link shows Korean whatever the browser prefers.
    shared = client.get("/ko/glossary/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert shared.status_code == 200 and 'lang="ko"' in shared.content.decode()
    # The API, the admin and the health check are not pages: no redirect.
    assert client.get("/api/v1/models/", HTTP_ACCEPT_LANGUAGE=KOREAN_ACCEPT).status_code == 200
    assert client.get("/healthz", HTTP_ACCEPT_LANGUAGE=KOREAN_ACCEPT).status_code == 200


@pytest.mark.django_db
def test_a_post_to_a_plain_url_is_never_redirected(client):
    response = client.post("/models/", HTTP_ACCEPT_LANGUAGE=KOREAN_ACCEPT)
    assert response.status_code == 405  # handled by the view, not bounced to a GET of /ko/


# ------------------------------------------------------------------------------- names and search


@pytest.mark.django_db
@pytest.mark.usefixtures("bundled")
def test_korean_pages_show_korean_names_and_english_pages_show_them_beside(client):
    korean = client.get("/ko/organizations/rebellions/").content.decode()
    assert "<h1>리벨리온" in korean
    english = client.get("/organizations/rebellions/").content.decode()
    assert "<h1>Rebellions" in english and "리벨리온" in english
    chip = client.get("/ko/hardware/rebellions-atom/").content.decode()
    assert "리벨리온 아톰" in chip


@pytest.mark.django_db
@pytest.mark.usefixtures("bundled")
def test_the_glossary_leads_with_the_page_language_and_shows_the_other(client):
    concept = Concept.objects.get(slug="moores-law")
    korean = client.get("/ko/glossary/moores-law/").content.decode()
    english = client.get("/glossary/moores-law/").content.decode()
    assert korean.index(escape(concept.name_ko)) < korean.index(escape(concept.name_en))
    assert english.index(escape(concept.name_en)) < english.index(escape(concept.name_ko))
    for summary in (concept.summary_ko, concept.summary_en):
        assert escape(summary) in korean


@pytest.mark.django_db
@pytest.mark.usefixtures("bundled")
@pytest.mark.parametrize(
    ("query", "expected"),
    [("네이버", "/organizations/naver/"), ("리벨리온", "/organizations/rebellions/"), ("엑사원", "/models/exaone-")],
)
def test_search_finds_entries_by_their_korean_name(client, query, expected):
    for prefix in ("", "/ko"):
        html = client.get(f"{prefix}/search/", {"q": query}).content.decode()
        assert f'href="{prefix}{expected}' in html, (prefix, query)


@pytest.mark.django_db
@pytest.mark.usefixtures("bundled")
def test_the_api_searches_korean_names_and_returns_them(api):
    body = api.get("/api/v1/hardware/", {"search": "아톰"}).json()
    assert [row["slug"] for row in body["results"]] == ["rebellions-atom"]
    assert body["results"][0]["name_ko"] == Hardware.objects.get(slug="rebellions-atom").name_ko
    organizations = api.get("/api/v1/organizations/", {"search": "네이버"}).json()["results"]
    assert "naver" in [row["slug"] for row in organizations]


@pytest.mark.django_db
@pytest.mark.usefixtures("bundled")
def test_korean_names_are_in_the_data_where_the_issue_names_them():
    names = dict(
        Organization.objects.filter(slug__in=["naver", "rebellions", "furiosaai"]).values_list("slug", "name_ko")
    )
    assert names == {"naver": "네이버", "rebellions": "리벨리온", "furiosaai": "퓨리오사AI"}
    assert Organization.objects.exclude(name_ko="").count() > 40


# --------------------------------------------------------------------------------- numbers, dates


@pytest.mark.parametrize(
    ("value", "english", "korean"),
    [
        (1.75e11, "175B", "1,750억"),
        (1.2e12, "1.2T", "1.2조"),
        (7.8e9, "7.8B", "78억"),
        (6.7e6, "6.7M", "670만"),
        (1.5e13, "15T", "15조"),
        (12_345, "12,345", "12,345"),
        (3.15e23, "3.15e23", "3.15e23"),
        (None, "", ""),
    ],
)
def test_large_counts_read_the_way_each_language_says_them(value, english, korean):
    with translation.override("en"):
        assert formatting.count(value) == english
    with translation.override("ko"):
        assert formatting.count(value) == korean


@pytest.mark.parametrize(
    ("precision", "english", "korean"),
    [("day", "May 13, 2024", "2024년 5월 13일"), ("month", "May 2024", "2024년 5월"), ("year", "2024", "2024년")],
)
def test_dates_show_their_precision_in_each_language(precision, english, korean):
    day = datetime.date(2024, 5, 13)
    with translation.override("en"):
        assert formatting.when(day, precision) == english
    with translation.override("ko"):
        assert formatting.when(day, precision) == korean


@pytest.mark.django_db
@pytest.mark.usefixtures("bundled")
def test_a_korean_model_page_formats_its_numbers_and_dates_for_korean_readers(client):
    html = client.get("/ko/models/gpt-3/").content.decode()
    assert "1,750억" in html  # 175 billion parameters
    assert "2020년 5월" in html
    english = client.get("/models/gpt-3/").content.decode()
    assert "175B" in english and "2020" in english


@pytest.mark.django_db
def test_the_api_schema_describes_fields_in_korean_on_request(api):
    english = api.get("/api/schema/", {"format": "json"}).content.decode()
    korean = api.get("/api/schema/", {"format": "json", "lang": "ko"}).content.decode()
    assert "At least one source per fact." in english
    assert "At least one source per fact." not in korean
    assert json.loads(korean)["paths"].keys() == json.loads(english)["paths"].keys()
