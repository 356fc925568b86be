"""What the real-browser tests share: where Chromium is, whether it must be there, and a page watcher.

CI sets REQUIRE_BROWSER=1 (see .ci/run): there a missing Chromium fails the run instead of skipping the tests.
"""

import os
import shutil

import pytest
from django.conf import settings

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
REQUIRED = os.environ.get("REQUIRE_BROWSER", "").lower() in ("1", "true", "yes")


def needs_chromium():
    """The marks for a module of browser tests: skip without Chromium, except where it is required."""
    if CHROMIUM is None and REQUIRED:
        pytest.fail("REQUIRE_BROWSER is set but Chromium is not installed (Debian: apt-get install chromium)")
    return pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (Debian: apt-get install chromium)")


def watch(page, live_server):
    """Console errors (CSP refusals among them), page errors, failed responses and requests leaving the site."""
    problems = []
    inside = (live_server.url, f"blob:{live_server.url}")
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("response", lambda r: r.status < 400 or problems.append(f"{r.status}: {r.url}"))
    page.on(
        "request",
        lambda request: request.url.startswith(inside) or problems.append(f"outside request: {request.url}"),
    )
    return problems


# axe-core 4.14.1, fetched by the install step (``make install``); the one place its location is named.
AXE_JS = settings.BASE_DIR / "vendor" / "axe.min.js"
# WCAG 2.0, 2.1 and 2.2 at levels A and AA, and Deque's best practices.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa", "best-practice"]


def draw_plot(page, plot, timeout=20_000):
    """Bring a plot into view, reach for it if it shows a poster (a poster's chart draws only when a reader
    hovers or touches it, catalog/chart_posters.py), and wait until plotly drew it; its element id."""
    plot.scroll_into_view_if_needed()  # a chart below the fold without a poster draws only then
    if plot.get_attribute("data-poster") is not None:
        plot.hover()
    plot_id = plot.get_attribute("id")
    page.wait_for_selector(f"#{plot_id}[data-rendered='true']", timeout=timeout)
    return plot_id


def draw_every_plot(page, timeout=20_000):
    """Draw each plot on the page (``draw_plot``); the plots' element ids, in page order."""
    plots = page.locator("[data-figure]")
    return [draw_plot(page, plots.nth(index), timeout) for index in range(plots.count())]


def axe_violations(page):
    """axe-core's violations of ``AXE_TAGS`` on the page as drawn: one entry per rule, its id, impact and help, then
    the offending nodes' selectors and what to fix (the first five).

    The site's Content-Security-Policy refuses inline scripts, which is what ``add_script_tag`` would add, so
    axe's source is evaluated through the DevTools protocol instead (which the policy does not govern).
    """
    if not AXE_JS.exists():
        pytest.fail(f"{AXE_JS} is missing: `make install` fetches it")
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    result = page.evaluate(
        """(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})
             .then((r) => r.violations.map((v) => ({
               id: v.id, impact: v.impact, help: v.help,
               nodes: v.nodes.map((n) => [n.target.join(' '), (n.failureSummary || '').replace(/\\s+/g, ' ')]),
             })))""",
        AXE_TAGS,
    )
    found = []
    for violation in result:
        nodes = violation["nodes"]
        lines = [f"axe {violation['id']} ({violation['impact']}): {violation['help']}"]
        lines += [f"    {target}: {summary}" for target, summary in nodes[:5]]
        lines += [f"    … and {len(nodes) - 5} more"] if len(nodes) > 5 else []
        found.append("\n".join(lines))
    return found
