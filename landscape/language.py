"""The reader's language. English lives at the plain URLs, Korean under /ko/ (``i18n_patterns``).

A /ko/ link shows Korean to anyone, so links are shareable. A plain URL shows English unless the reader has
chosen Korean with the switcher (Django's ``set_language`` keeps the choice in a cookie) or, on a first
visit with no choice yet, the browser's ``Accept-Language`` prefers Korean: then it redirects to /ko/.
Django's own ``prefix_default_language=True`` would do the same but move every English URL under /en/.
"""

from django.conf import settings
from django.http import HttpResponseForbidden, HttpResponseRedirect
from django.urls import translate_url
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.http import escape_leading_slashes, url_has_allowed_host_and_scheme
from django.utils.translation import get_language_from_path, get_language_from_request
from django.views import i18n
from django.views.decorators.csrf import csrf_exempt

SAFE_METHODS = ("GET", "HEAD")


class PreferredLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        unprefixed = get_language_from_path(request.path_info) is None
        if unprefixed and request.method in SAFE_METHODS:
            preferred = get_language_from_request(request)  # the cookie, then Accept-Language, then the default
            if preferred != settings.LANGUAGE_CODE:
                # A path such as //evil.example/models/ reads as a host to urlsplit (inside translate_url):
                # escape the leading slashes first, and never answer with a target that leaves the site.
                path = escape_leading_slashes(request.get_full_path())
                target = translate_url(path, preferred)  # unchanged for the API, the admin and unknown paths
                if target != path and url_has_allowed_host_and_scheme(target, allowed_hosts=None):
                    response = HttpResponseRedirect(target)
                    patch_vary_headers(response, ("Accept-Language", "Cookie"))
                    return response
        response = self.get_response(request)
        if unprefixed:
            patch_vary_headers(response, ("Accept-Language", "Cookie"))
        return response


def cross_site(request):
    """The browser says the form was posted from another site (Fetch Metadata, or failing that Origin)."""
    fetch_site = request.META.get("HTTP_SEC_FETCH_SITE")
    if fetch_site is not None:
        return fetch_site not in ("same-origin", "none")
    origin = request.META.get("HTTP_ORIGIN")
    return origin is not None and origin not in (f"https://{request.get_host()}", f"http://{request.get_host()}")


@csrf_exempt
def set_language(request):
    """Django's ``set_language``, with ``next`` resolved in its own language.

    Django translates ``next`` by resolving it in the active language, and a /ko/ path only resolves while
    Korean is active: this request (to /i18n/) runs in English, so switching back from /ko/models/ would
    stay on the Korean page.

    The switcher is on every page, and a CSRF token in it would make every page unique to its reader and
    so uncacheable (catalog/cache/responses.py). The most a forged post could do is change a reader's
    language, and browsers mark one: a post another site made is refused by its Sec-Fetch-Site or Origin.
    """
    if request.method == "POST" and cross_site(request):
        return HttpResponseForbidden("The language can only be changed from this site.")
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    with translation.override(get_language_from_path(next_url) or settings.LANGUAGE_CODE):
        return i18n.set_language(request)
