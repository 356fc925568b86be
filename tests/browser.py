"""What the real-browser tests share: where Chromium is, whether it must be there, and a page watcher.

CI sets REQUIRE_BROWSER=1 (see .ci/run): there a missing Chromium fails the run instead of skipping the tests.
"""

import os
import shutil

import pytest

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
