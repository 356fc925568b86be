"""Every page type in a real browser at a desktop width, a phone width and 320 px, in English and Korean.

What a reader would notice at once: a page wider than the screen (at 320 CSS px that fails WCAG 1.4.10, reflow:
only a wide data table may scroll, inside its own box), a chart legend lying on an axis's tick labels, a log axis
with no decade labelled (so $75 reads as $8), an error in the console (a script or a style refused by the content
security policy among them). At the desktop width and at 320 px, axe-core checks each page, charts drawn, against
WCAG 2.x A and AA and its best practices (tests/browser.py). Set SCREENSHOT_DIR to keep one screenshot per page
type and width (CI keeps them as artefacts).
"""

import os
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.browser import axe_violations, draw_every_plot, needs_chromium, watch

pytestmark = [needs_chromium(), pytest.mark.django_db(transaction=True)]

DESKTOP, PHONE, REFLOW = 1440, 390, 320  # REFLOW: WCAG 1.4.10's 320 CSS px
AXE_WIDTHS = (DESKTOP, REFLOW)

PAGE_TYPES = {
    "home": "/",
    "model-list": "/models/",
    "model-detail": "/models/llama-3-70b/",
    "hardware-list": "/hardware/",
    "hardware-detail": "/hardware/nvidia-h100-sxm/",
    "organization-list": "/organizations/",
    "organization-detail": "/organizations/openai/",
    "price-list": "/prices/",
    "application-list": "/applications/",
    "application-detail": "/applications/a-dot/",
    "glossary": "/glossary/",
    "glossary-term": "/glossary/arithmetic-intensity/",
    "search": "/search/?q=llama",
    "compare": "/compare/?chips=nvidia-h100-sxm&chips=amd-mi300x&chips=google-tpu-v5p",
    "compare-models": "/compare/?models=llama-3-70b&models=gpt-4o",
    "compare-nothing-picked": "/compare/",
    "chart-moores-law": "/charts/moores-law/",
    "chart-vendors": "/charts/vendors/",
    "chart-ppa": "/charts/ppa/",
    "chart-roofline": "/charts/roofline/",
    "chart-prices": "/charts/prices/",
    "chart-model-scale": "/charts/model-scale/",
    "chart-capability-prices": "/charts/capability-prices/?capability=gpt-4-gpqa",
    "evaluation-list": "/evaluations/",
    "evaluation-detail": "/evaluations/gpqa-diamond/",
    "estimate-matrix": "/estimate/",
    "estimate-tokens": "/estimate/tokens/",
    "estimate-training": "/estimate/training/",
    "estimate-pair": "/estimate/llama-3-70b/nvidia-h100-sxm/",
    "ko-home": "/ko/",
    "ko-chart-prices": "/ko/charts/prices/",
    "ko-chart-capability-prices": "/ko/charts/capability-prices/",
    "ko-estimate-tokens": "/ko/estimate/tokens/",
    "ko-hardware-list": "/ko/hardware/",
}

# For each drawn plot: the legend's box, every tick label's box, and for each log axis the tick labels that
# sit on a power of ten. Plotly keeps the ticks it drew in the axis's `_vals` (x is log10 of the value).
PLOT_GEOMETRY = """(element) => {
  const box = (node) => { const r = node.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
  const legend = element.querySelector('.legend .bg');
  const layout = element._fullLayout;
  const logAxes = Object.keys(layout).filter((key) => /^[xy]axis\\d*$/.test(key) && layout[key].type === 'log');
  return {
    legend: legend && legend.getBoundingClientRect().width > 0 ? box(legend) : null,
    ticks: Array.from(element.querySelectorAll('.xtick text, .ytick text')).filter((t) => t.textContent).map(box),
    logAxes: logAxes.map((key) => ({
      axis: key,
      decades: (layout[key]._vals || []).filter((tick) => tick.text && Math.abs(tick.x - Math.round(tick.x)) < 1e-9)
        .map((tick) => tick.text),
    })),
  };
}"""


def overlaps(a, b, tolerance=1.0):
    return a[0] < b[2] - tolerance and b[0] < a[2] - tolerance and a[1] < b[3] - tolerance and b[1] < a[3] - tolerance


def layout_problems(page, name):
    """What is wrong with the page as drawn; empty when nothing is."""
    problems = []
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.viewport_size["width"]
    if width > viewport:
        wide = page.evaluate(
            """(viewport) => Array.from(document.querySelectorAll('main *'))
                 .filter((node) => node.getBoundingClientRect().right > viewport + 1 && !node.closest('.table-wrap'))
                 .slice(0, 3).map((node) => node.tagName + '.' + node.className)""",
            viewport,
        )
        problems.append(f"{name}: the document is {width} px wide in a {viewport} px window ({wide})")
    # Before the charts draw: each poster leaves its plot room (a long legend must not crowd it out).
    for plot_id, height in page.evaluate(
        """() => Array.from(document.querySelectorAll('[data-poster]'))
             .map((plot) => [plot.id, plot.querySelector('.poster-area').getBoundingClientRect().height])"""
    ):
        if height < 100:
            problems.append(f"{name} #{plot_id}: the poster's plot is {height:.0f} px tall")
    for plot_id in draw_every_plot(page):
        geometry = page.locator(f"#{plot_id}").evaluate(PLOT_GEOMETRY)
        if geometry["legend"] and any(overlaps(geometry["legend"], tick) for tick in geometry["ticks"]):
            problems.append(f"{name} #{plot_id}: the legend lies on the axis tick labels")
        for axis in geometry["logAxes"]:
            if not axis["decades"]:
                problems.append(f"{name} #{plot_id}: log axis {axis['axis']} labels no power of ten")
    return problems


@pytest.fixture
def run_recorded(transactional_db):
    from catalog.benchmarking.store import record_run
    from tests.benchmark_reports import benchmark_report

    call_command("load_bundled_data", verbosity=0)
    return record_run(report=benchmark_report())


@pytest.mark.parametrize("width", [DESKTOP, PHONE, REFLOW])
def test_every_page_type_fits_the_screen_with_readable_charts_and_a_clean_console(
    browser, live_server, run_recorded, width
):
    pages = {**PAGE_TYPES, "benchmark-list": "/benchmarks/", "benchmark-run": f"/benchmarks/{run_recorded.pk}/"}
    page = browser.new_page(viewport={"width": width, "height": 900})
    console = watch(page, live_server)
    problems = []
    folder = Path(os.environ["SCREENSHOT_DIR"]) / "pages" if os.environ.get("SCREENSHOT_DIR") else None
    for name, path in pages.items():
        response = page.goto(f"{live_server.url}{path}")
        if response.status != 200:
            problems.append(f"{name}: {path} answered {response.status}")
            continue
        if width in AXE_WIDTHS and page.locator("[data-poster]").count():  # the charts' posters, then the charts
            problems += [f"{name} (posters): {violation}" for violation in axe_violations(page)]
        problems += layout_problems(page, name)
        if width in AXE_WIDTHS:
            problems += [f"{name}: {violation}" for violation in axe_violations(page)]
        problems += [f"{name}: {message}" for message in console]
        console.clear()
        if folder:
            folder.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(folder / f"{name}-{width}.png"))
    page.close()
    assert problems == [], "\n".join(problems)
