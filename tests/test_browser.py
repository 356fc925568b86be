"""A real browser (headless Chromium via Playwright) opens every chart page of the bundled catalog.

Each plot must finish drawing with the number of points the server sent, and the console must stay
free of errors. Set SCREENSHOT_DIR to keep a full-page screenshot of each page.
"""

import json
import os
from pathlib import Path

import pytest
from django.core.management import call_command

from catalog.models import Hardware
from tests.browser import draw_every_plot, draw_plot, needs_chromium, watch

pytestmark = [needs_chromium(), pytest.mark.django_db(transaction=True)]

CHART_PAGES = [
    "/",
    "/charts/moores-law/",
    "/charts/vendors/",
    "/charts/ppa/",
    "/charts/roofline/",
    "/charts/prices/",
    "/charts/model-scale/",
    "/compare/?chips=nvidia-h100-sxm&chips=google-tpu-v5p&chips=furiosa-rngd",
]

# Counts of what plotly drew, per plot: marker points, bars, and line paths.
DRAWN = """(element) => ({
  traces: element.data.length,
  points: element.querySelectorAll('.scatterlayer .points path.point').length,
  bars: element.querySelectorAll('.barlayer path').length,
  lines: element.querySelectorAll('.scatterlayer .js-line').length,
})"""


def expected_counts(figure):
    """What the figure JSON the server sent should produce on screen."""
    points = bars = lines = 0
    for trace in figure["data"]:
        if trace.get("visible") == "legendonly":
            continue  # listed in the legend, drawn on a click
        if trace.get("type") == "bar":
            bars += len(trace.get("y", []))  # plotly keeps an empty bar for an unknown value
        elif "markers" in trace.get("mode", ""):
            points += len([y for y in trace.get("y", []) if y is not None])
        if "lines" in trace.get("mode", ""):
            lines += 1
    return {"traces": len(figure["data"]), "points": points, "bars": bars, "lines": lines}


@pytest.fixture
def bundled(transactional_db):
    call_command("load_bundled_data", verbosity=0)


@pytest.mark.parametrize("path", CHART_PAGES)
def test_every_chart_draws_the_points_it_was_sent_without_console_errors(browser, live_server, bundled, path):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    problems = []
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on(
        "request",
        lambda request: request.url.startswith(live_server.url) or problems.append(f"outside request: {request.url}"),
    )
    response = page.goto(f"{live_server.url}{path}")
    assert response.status == 200
    plots = page.locator("[data-figure]")
    for index in range(plots.count()):
        plot = plots.nth(index)
        element_id = draw_plot(page, plot)
        sent = json.loads(page.locator(f"#{plot.get_attribute('data-figure')}").text_content())
        drawn = plot.evaluate(DRAWN)
        expected = expected_counts(sent)
        assert drawn["traces"] == expected["traces"], element_id
        assert drawn["points"] == expected["points"], (element_id, drawn, expected)
        assert drawn["bars"] == expected["bars"], (element_id, drawn, expected)
        assert drawn["lines"] >= expected["lines"], (element_id, drawn, expected)
        assert expected["points"] + expected["bars"] + expected["lines"] > 0, f"{element_id} is empty"
    if os.environ.get("SCREENSHOT_DIR"):
        folder = Path(os.environ["SCREENSHOT_DIR"])
        folder.mkdir(parents=True, exist_ok=True)
        name = path.split("?")[0].strip("/").replace("/", "-") or "home"
        page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
    page.close()
    assert problems == []


def test_moores_law_plots_every_chip_with_a_count_and_a_date(browser, live_server, bundled):
    expected = Hardware.objects.exclude(transistors=None).exclude(release_date=None).count()
    page = browser.new_page()
    page.goto(f"{live_server.url}/charts/moores-law/")
    draw_plot(page, page.locator("#moores-law"))
    assert page.locator("#moores-law .scatterlayer .points path.point").count() == expected
    assert expected > Hardware.objects.filter(kind="cpu").count() > 0  # landmark CPUs and accelerators
    page.close()


def test_api_docs_work_under_the_content_security_policy(browser, live_server, bundled):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    problems = watch(page, live_server)
    response = page.goto(f"{live_server.url}/api/docs/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_selector(".opblock-tag", timeout=20_000)  # Swagger UI fetched the schema and drew it
    assert page.locator(".opblock").count() > 40
    page.goto(f"{live_server.url}/api/redoc/")
    page.wait_for_selector("[role=search], .menu-content", timeout=20_000)  # Redoc drew its menu
    page.close()
    # Redoc's bundle always shows Redocly's logo from its CDN: the policy must block that request, and
    # nothing else may go wrong.
    logo = "https://cdn.redoc.ly/redoc/logo-mini.svg"
    assert any(logo in problem and "violates the following Content Security Policy" in problem for problem in problems)
    assert [problem for problem in problems if logo not in problem] == [], "\n".join(problems)


def test_admin_works_under_the_content_security_policy(browser, live_server, bundled, django_user_model):
    django_user_model.objects.create_superuser("root", "root@example.org", "correct horse battery staple")
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    problems = watch(page, live_server)
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "root")
    page.fill("#id_password", "correct horse battery staple")
    page.click("input[type=submit]")
    page.wait_for_selector("#site-name")
    page.goto(f"{live_server.url}/admin/catalog/hardware/")
    page.wait_for_selector("#result_list")
    page.click("#action-toggle")  # admin JavaScript: select every row
    assert page.locator("input.action-select:checked").count() > 10
    page.goto(f"{live_server.url}/admin/catalog/hardware/add/")
    page.wait_for_selector("#hardware_form")
    page.close()
    assert problems == [], "\n".join(problems)


def test_benchmark_pages_draw_every_chart_under_the_policy(browser, live_server, bundled):
    from catalog.benchmarking.store import record_run
    from tests.benchmark_reports import benchmark_report

    run = record_run(report=benchmark_report())
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    problems = watch(page, live_server)
    for path in ("/benchmarks/", f"/benchmarks/{run.pk}/"):
        assert page.goto(f"{live_server.url}{path}").status == 200
        plots = page.locator("[data-figure]")
        assert plots.count() >= 1
        draw_every_plot(page)
    assert plots.count() == 5  # the run: ITL and TTFT distributions, rates by prompt, roofline, catalog chips
    page.close()
    assert problems == [], "\n".join(problems)


def test_a_korean_chart_page_draws_korean_axis_titles(browser, live_server, bundled, tmp_path):
    """The Korean Moore's-law page in a real browser: plotly draws the translated titles; a screenshot is kept."""
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="ko-KR")
    problems = watch(page, live_server)
    assert page.goto(f"{live_server.url}/ko/charts/moores-law/").status == 200
    poster_title = page.locator("#moores-law .poster-xtitle").text_content()
    assert poster_title == "출시일"  # the poster, before plotly, in Korean too
    draw_plot(page, page.locator("#moores-law"))
    x_title = page.locator("#moores-law .g-xtitle text").text_content()
    y_title = page.locator("#moores-law .g-ytitle text").text_content()
    assert x_title == "출시일"  # "Release date"
    assert "트랜지스터" in y_title  # "Transistors per chip (log scale)"
    legend = page.locator("#moores-law .legendtext").all_text_contents()
    assert any("AI 가속기" in text for text in legend), legend
    toolbar = [page.locator("#moores-law .modebar-btn").nth(i).get_attribute("data-title") for i in range(3)]
    assert "PNG로 저장" in toolbar, toolbar  # plotly's own toolbar, registered in Korean by charts.js
    folder = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    shot = folder / "ko-charts-moores-law.png"
    page.screenshot(path=str(shot), full_page=True)
    page.close()
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert problems == [], "\n".join(problems)


def test_plotly_is_fetched_only_once_a_reader_reaches_for_a_chart(browser, live_server, bundled):
    """A chart page shows its charts' posters, drawn on the server: a phone loads the page without plotly.js,
    scrolled or not, until the reader touches a chart. Then one bundle comes, and plotly replaces that poster."""
    page = browser.new_page(viewport={"width": 390, "height": 700}, has_touch=True)
    problems = watch(page, live_server)
    fetched = []
    page.on("request", lambda request: "plotly-" in request.url and fetched.append(request.url))
    assert page.goto(f"{live_server.url}/", wait_until="load").status == 200
    page.wait_for_timeout(1000)  # the load event has passed
    plots = page.locator("[data-figure]")
    assert plots.count() == 2 and page.locator("[data-figure] .poster").count() == 2
    for index in range(2):
        plots.nth(index).scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    assert fetched == [] and page.locator("[data-rendered]").count() == 0
    plots.nth(1).tap()
    page.wait_for_selector("#home-cheapest[data-rendered='true']", timeout=20_000)
    assert len(fetched) == 1
    assert page.locator("#home-cheapest .poster").count() == 0  # plotly's chart replaced it
    assert page.locator("#home-moores-law .poster").count() == 1  # the other chart waits for its reader
    page.close()
    assert problems == [], "\n".join(problems)


def test_the_interactive_chart_button_draws_the_chart_and_keeps_the_keyboard_focus(browser, live_server, bundled):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    problems = watch(page, live_server)
    assert page.goto(f"{live_server.url}/charts/prices/", wait_until="load").status == 200
    button = page.locator("#price-history ~ .chart-activate")
    button.focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("#price-history[data-rendered='true']", timeout=20_000)
    assert page.evaluate("document.activeElement.id") == "price-history"
    assert page.locator("#price-history ~ .chart-activate").count() == 0
    assert page.locator("#cheapest[data-rendered]").count() == 0  # the page's other chart still waits
    page.close()
    assert problems == [], "\n".join(problems)


# Each tick label's text and centre, in the poster and in plotly's drawing of the same figure.
TICK_CENTRES = """(element) => Array.from(element.querySelectorAll(
    '.poster-xtick, .poster-ytick, .xtick text, .ytick text')).filter((node) => node.textContent.trim())
  .map((node) => {
    const r = node.getBoundingClientRect();
    const axis = node.matches('.poster-xtick, .xtick text') ? 'x' : 'y';
    return [axis, node.textContent.trim(), axis === 'x' ? (r.left + r.right) / 2 : (r.top + r.bottom) / 2];
  })"""


@pytest.mark.parametrize(
    "path, width",
    [("/charts/prices/", 1280), ("/charts/prices/", 390), ("/charts/moores-law/", 1280), ("/charts/ppa/", 390)],
)
def test_a_poster_puts_the_ticks_where_plotly_draws_them(browser, live_server, bundled, path, width):
    """The poster is the chart's first view, not a sketch: each tick label plotly draws (with the figure's own
    tick values) sits within a few pixels of the poster's, on a desktop and on a phone."""
    page = browser.new_page(viewport={"width": width, "height": 900})
    problems = watch(page, live_server)
    assert page.goto(f"{live_server.url}{path}", wait_until="load").status == 200
    plot = page.locator("[data-poster]").first
    plot_id = plot.get_attribute("id")
    plot.scroll_into_view_if_needed()
    poster = {(axis, text): centre for axis, text, centre in plot.evaluate(TICK_CENTRES)}
    draw_plot(page, plot)
    page.wait_for_timeout(300)
    drawn = {(axis, text): centre for axis, text, centre in page.locator(f"#{plot_id}").evaluate(TICK_CENTRES)}
    shared = [key for key in drawn if key in poster]  # date axes: plotly may pick other ticks than years
    assert len([key for key in shared if key[0] == "y"]) >= 3, (poster, drawn)
    far = {key: (poster[key], drawn[key]) for key in shared if abs(poster[key] - drawn[key]) > 12}
    assert far == {}, far
    page.close()
    assert problems == [], "\n".join(problems)
