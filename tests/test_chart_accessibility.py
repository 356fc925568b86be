"""Every chart's markup, for readers who cannot see it (WCAG 1.1.1 and 4.1.2), without a browser.

A plot is not an image to assistive technology: plotly.js puts its toolbar's buttons inside it, and an interactive
control inside ``role="img"`` is hidden or garbled (axe-core's nested-interactive). So each chart is a ``<figure>``
named by its own ``<figcaption>``, no two alike on a page, with a link just below it to the rows it draws as a
table: its text alternative, one click away. tests/test_browser_layout.py runs axe-core itself in Chromium.
"""

from html.parser import HTMLParser

import pytest

from tests.chart_urls import CHART_PAGES

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Figures(HTMLParser):
    """Each ``<figure>``: its aria-labelledby, its caption's id and text, its plots' roles and its links; and every
    id on the page."""

    def __init__(self):
        super().__init__()
        self.figures, self.ids, self.figure, self.in_caption, self.depth = [], set(), None, False, 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag == "figure":
            self.figure = {"labelledby": attrs.get("aria-labelledby"), "caption_id": None, "caption": ""}
            self.figure.update(plots=[], links=[])
            self.figures.append(self.figure)
            self.depth = 0
        if self.figure is None:
            return
        if tag == "figcaption":
            self.figure["caption_id"], self.in_caption = attrs.get("id"), True
        elif "data-figure" in attrs:
            self.figure["plots"].append(attrs)
        elif tag == "a" and not self.in_caption:
            self.figure["links"].append(attrs.get("href"))
        if tag not in VOID:
            self.depth += 1

    def handle_endtag(self, tag):
        if self.figure is None:
            return
        if tag == "figcaption":
            self.in_caption = False
        self.depth -= 1
        if tag == "figure":
            self.figure = None

    def handle_data(self, data):
        if self.in_caption:
            self.figure["caption"] += data


@pytest.fixture(scope="module")
def run_recorded(django_db_setup, django_db_blocker, bundled):
    from catalog.benchmarking.store import record_run
    from tests.benchmark_reports import benchmark_report

    with django_db_blocker.unblock():
        return record_run(report=benchmark_report())


def chart_problems(html, path):
    parsed = Figures()
    parsed.feed(html)
    plotted = [figure for figure in parsed.figures if figure["plots"]]
    problems = [] if plotted else [f"{path}: no chart"]
    captions = [" ".join(figure["caption"].split()) for figure in plotted]
    for figure, caption in zip(plotted, captions, strict=True):
        plot = figure["plots"][0]
        name = f"{path} #{plot['id']}"
        if any("role" in plot or "aria-label" in plot for plot in figure["plots"]):
            problems.append(f"{name}: the plot has a role or a label of its own (plotly's buttons are inside it)")
        if not caption or not figure["caption_id"] or figure["labelledby"] != figure["caption_id"]:
            problems.append(f"{name}: the figure is not named by its own caption ({figure})")
        if captions.count(caption) > 1:
            problems.append(f"{name}: another chart on the page has the caption {caption!r}")
        tables = [href for href in figure["links"] if href]
        if not tables:
            problems.append(f"{name}: no link to the chart's rows")
        anchors = [href for href in tables if href.startswith("#")]
        problems += [f"{name}: {href} is not on the page" for href in anchors if href[1:] not in parsed.ids]
    return problems


@pytest.mark.django_db
def test_every_chart_is_a_figure_named_by_its_own_caption_with_its_rows_a_click_away(client, bundled, run_recorded):
    problems = []
    for path in [*CHART_PAGES, "/benchmarks/", f"/benchmarks/{run_recorded.pk}/"]:
        response = client.get(path)
        assert response.status_code == 200, path
        problems += chart_problems(response.content.decode(), path)
    assert problems == [], "\n".join(problems)


@pytest.mark.django_db
def test_the_chart_pages_link_each_chart_to_rows_that_answer(client, bundled):
    """A chart's table link leads somewhere that answers 200 (an anchor on the page is checked above)."""
    for path in CHART_PAGES:
        parsed = Figures()
        parsed.feed(client.get(path).content.decode())
        for figure in parsed.figures:
            for href in figure["links"]:
                if href and not href.startswith("#"):
                    assert client.get(href).status_code == 200, (path, href)


def test_the_check_finds_an_image_role_a_shared_caption_and_a_missing_table_link():
    figure = (
        '<figure aria-labelledby="{id}-c"><figcaption id="{id}-c">Prices</figcaption>'
        '<div id="{id}" data-figure="{id}-data"{extra}></div>{link}</figure>'
    )
    good = figure.format(id="a", extra="", link='<p><a href="#a-c">table</a></p>')
    assert chart_problems(good, "/") == []
    problems = chart_problems(good + figure.format(id="b", extra=' role="img"', link=""), "/")
    assert any("#b: the plot has a role" in problem for problem in problems)
    assert any("#b: another chart on the page has the caption 'Prices'" in problem for problem in problems)
    assert any("#b: no link to the chart's rows" in problem for problem in problems)
