from csp.decorators import csp_update
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.http import HttpResponse
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import include, path
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerSplitView

from catalog.api.schema_view import CachedSchemaView
from landscape import language


def favicon(request):
    """Browsers ask for /favicon.ico on pages that name no icon (the admin, the browsable API)."""
    return redirect(static("catalog/favicon.svg"), permanent=True)


# Crawlers may read every page; the admin and the API (data for programs, one URL per filter) are not pages to index.
ROBOTS_TXT = "User-agent: *\nDisallow: /admin/\nDisallow: /api/\n"


def robots_txt(request):
    return HttpResponse(ROBOTS_TXT, content_type="text/plain; charset=utf-8")


urlpatterns = [
    path("favicon.ico", favicon),
    path("robots.txt", robots_txt),
    path("admin/", admin.site.urls),
    path("api/v1/", include("catalog.api.urls")),
    path("api/schema/", CachedSchemaView.as_view(), name="schema"),
    # The split view serves its start-up script as a file: the CSP allows no inline script.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    # Redoc builds its search index in a Web Worker started from a blob: URL; only this page allows that.
    path(
        "api/redoc/",
        csp_update({"worker-src": ["'self'", "blob:"]})(SpectacularRedocView.as_view(url_name="schema")),
        name="api-redoc",
    ),
    # The language switcher posts here: it keeps the choice in a cookie and returns to the same page.
    path("i18n/setlang/", language.set_language, name="set_language"),
]
# The website in English at the plain URLs and in Korean under /ko/ (see landscape/language.py).
urlpatterns += i18n_patterns(path("", include("catalog.urls")), prefix_default_language=False)

handler404 = "landscape.errors.not_found"
