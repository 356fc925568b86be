"""The response cache: anonymous reads answered from the shared cache, keyed by the data version.

A knowledge base is read thousands of times for every write. An anonymous GET (or HEAD) of a page or an
API endpoint is stored in the shared cache (Redis in production) under a key made of what decides the
answer: the path and normalised query, host and scheme (API links are absolute), the language, the
``Accept`` header (the API's format), the UTC date (pages show what is in force today), the code release
and the data version (catalog/cache/data_version.py). A write anywhere moves the version, so a stored
answer is never served after the data it shows has changed, on any app server.

Every such answer carries an ``ETag`` made from the same key, and a matching ``If-None-Match`` is answered
304 before anything is looked up or rendered. ``Cache-Control`` lets browsers keep nothing unvalidated
(``max-age=0``: they revalidate, cheaply) and a CDN in front keep it ``RESPONSE_CACHE_CDN_SECONDS``.

What is never stored: a request with a session (a signed-in reader), an ``Authorization`` header or any
cookie besides the CSRF and language ones; a response that is not a plain 200, sets a cookie, carries a
CSRF token (the token belongs to one reader), streams, is larger than ``RESPONSE_CACHE_MAX_BYTES`` or says
``private``/``no-store``/``no-cache`` itself (the admin's pages).

The cache is an optimisation: when it fails (Redis down or slow), the request is answered uncached.
"""

import gzip
import hashlib
import logging
import time
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError
from django.http import HttpResponse, HttpResponseNotModified
from django.middleware.gzip import GZipMiddleware, re_accepts_gzip
from django.utils import timezone
from django.utils.cache import parse_etags, patch_vary_headers
from django.utils.http import urlencode
from django.utils.text import compress_string

from catalog.cache import data_version

logger = logging.getLogger(__name__)

SAFE_METHODS = ("GET", "HEAD")
# What the answer may depend on besides the URL; part of the key and named in Vary for caches in front.
VARY = ("Accept", "Accept-Language", "Cookie")
NOT_STORABLE_CACHE_CONTROL = ("private", "no-store", "no-cache")
LONGEST_ACCEPT = 200  # characters of the Accept header kept in the key; a longer one is not cached
RELEASE_SOURCES = ("catalog", "landscape", "templates", "locale")
RELEASE_SUFFIXES = {".py", ".html", ".txt", ".mo", ".js", ".css", ".json", ".yaml"}
# Settings from the environment that change what a page shows: a restart with another value is a new release.
OUTPUT_SETTINGS = ("PRICE_STALE_AFTER_DAYS", "DEBUG", "LANGUAGE_CODE")


@lru_cache(maxsize=1)
def release():
    """The code release: ``LANDSCAPE_RELEASE`` when the deploy sets it, else a digest of the source; with
    the settings that shape the output.

    Part of every key, so a deploy that changes a template or the code never serves an older rendering;
    servers running the same code agree on it, so their ETags agree.
    """
    digest = hashlib.sha256(repr([getattr(settings, name) for name in OUTPUT_SETTINGS]).encode())
    if settings.LANDSCAPE_RELEASE:
        digest.update(settings.LANDSCAPE_RELEASE.encode())
        return digest.hexdigest()[:16]
    root = Path(settings.BASE_DIR)
    for folder in RELEASE_SOURCES:
        for path in sorted((root / folder).rglob("*")):
            if path.suffix in RELEASE_SUFFIXES and path.is_file():
                digest.update(str(path.relative_to(root)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def anonymous(request):
    if "HTTP_AUTHORIZATION" in request.META:
        return False
    harmless = {settings.CSRF_COOKIE_NAME, settings.LANGUAGE_COOKIE_NAME}
    return set(request.COOKIES) <= harmless


def cacheable_request(request):
    return (
        request.method in SAFE_METHODS
        and anonymous(request)
        and len(request.META.get("HTTP_ACCEPT", "")) <= LONGEST_ACCEPT
        and not request.path.startswith(settings.RESPONSE_CACHE_EXCLUDED_PATHS)
    )


def cache_key(request, version):
    query = urlencode(sorted(request.GET.lists()), doseq=True)
    parts = (
        request.scheme,
        request.get_host(),
        request.path,
        query,
        getattr(request, "LANGUAGE_CODE", ""),
        request.META.get("HTTP_ACCEPT", ""),
    )
    digest = hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]
    return f"response:{release()}:{version}:{timezone.now().date().isoformat()}:{digest}"


def etag_for(key):
    # Weak: the bytes differ with compression (GZipMiddleware would weaken a strong one anyway).
    return f'W/"{hashlib.sha256(key.encode()).hexdigest()[:32]}"'


def revalidated(request, etag):
    """``If-None-Match`` names this answer (compared weakly, as RFC 9110 says for If-None-Match)."""
    offered = parse_etags(request.META.get("HTTP_IF_NONE_MATCH", ""))
    return "*" in offered or etag.removeprefix("W/") in {tag.removeprefix("W/") for tag in offered}


def storable(request, response):
    cache_control = response.get("Cache-Control", "")
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_USED")
        and not any(word in cache_control for word in NOT_STORABLE_CACHE_CONTROL)
        and len(response.content) <= settings.RESPONSE_CACHE_MAX_BYTES
    )


class OutageLog:
    """A cache that is down fails every request: say so once a minute, not once a request."""

    INTERVAL_SECONDS = 60
    last = 0.0

    @classmethod
    def warn(cls, action, error):
        now = time.monotonic()
        if now - cls.last >= cls.INTERVAL_SECONDS:
            cls.last = now
            logger.warning("Response cache %s failed, answering uncached (%s: %s)", action, type(error).__name__, error)


def cache_get(key):
    try:
        return cache.get(key)
    except Exception as error:  # whatever the backend raises: redis-py's errors, DatabaseError, OSError
        OutageLog.warn("read", error)
        return None


def cache_set(key, value):
    try:
        cache.set(key, value, settings.RESPONSE_CACHE_SECONDS)
    except Exception as error:
        OutageLog.warn("write", error)


def mark_cacheable(response, etag):
    response["ETag"] = etag
    response["Cache-Control"] = f"public, max-age=0, s-maxage={settings.RESPONSE_CACHE_CDN_SECONDS}"
    existing = {value.strip().lower() for value in response.get("Vary", "").split(",") if value.strip()}
    missing = [header for header in VARY if header.lower() not in existing]
    if missing:
        response["Vary"] = ", ".join(filter(None, [response.get("Vary", ""), *missing]))
    return response


def stored_form(response):
    """What the cache keeps of an answer: status, headers, and the body gzipped once here (when that is smaller),
    so a hit is neither compressed again per client nor a large read from the cache (the 505 KB OpenAPI schema
    is 31 KB gzipped). The rare client that does not accept gzip gets it decompressed."""
    content = response.content
    compressed = compress_string(content, max_random_bytes=GZipMiddleware.max_random_bytes)
    if len(compressed) < len(content):
        return response.status_code, list(response.items()), compressed, True
    return response.status_code, list(response.items()), content, False


def replay(stored, request):
    status, headers, body, is_gzipped = stored
    send_gzipped = is_gzipped and re_accepts_gzip.search(request.META.get("HTTP_ACCEPT_ENCODING", ""))
    response = HttpResponse(body if send_gzipped or not is_gzipped else gzip.decompress(body), status=status)
    for name, value in headers:
        response[name] = value
    if send_gzipped:  # GZipMiddleware leaves an answer that has a Content-Encoding alone
        response["Content-Encoding"] = "gzip"
        patch_vary_headers(response, ("Accept-Encoding",))
    response["Content-Length"] = str(len(response.content))
    return response


class ResponseCacheMiddleware:
    """Place after the locale middleware (the key needs the language) and before sessions and the views."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not settings.RESPONSE_CACHE_ENABLED or not cacheable_request(request):
            return self.get_response(request)
        try:
            version = data_version.current()
        except DatabaseError:
            return self.get_response(request)  # the view's own query then meets the outage and answers 503
        key = cache_key(request, version)
        etag = etag_for(key)
        if revalidated(request, etag):
            return mark_cacheable(HttpResponseNotModified(), etag)
        stored = cache_get(key)
        if stored is not None:
            response = replay(stored, request)
            response["X-Cache"] = "hit"
            return mark_cacheable(response, etag)
        response = self.get_response(request)
        if not storable(request, response):
            return response
        cache_set(key, stored_form(response))
        response["X-Cache"] = "miss"
        return mark_cacheable(response, etag)
