"""Availability: ``/healthz`` for load balancers, and a 503 (not a 500) while the database is away.

``/healthz`` is answered first, before host checks, HTTPS redirects and sessions.

A load balancer probes each server by its own address over plain HTTP, so this must not depend on
ALLOWED_HOSTS or TLS. Its status says whether this server can serve: 200 when the database answers, 503
when it does not. The body also reports the shared cache; a cache outage alone keeps the 200, since the
site and the API keep serving without it (rate limits fail open, see catalog/api/throttles.py), and taking
every server out of the pool for it would turn a degraded service into none.
"""

import logging
import uuid

from django.core.cache import cache
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpResponse, JsonResponse

HEALTH_PATH = "/healthz"
logger = logging.getLogger(__name__)


def database_answers():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except DatabaseError:
        logger.warning("Health check: the database does not answer", exc_info=True)
        return False


def cache_answers():
    """A value written to the shared cache reads back (within the cache client's short socket timeouts)."""
    key, value = "healthz-probe", uuid.uuid4().hex
    try:
        cache.set(key, value, 30)
        return cache.get(key) == value
    except Exception as error:  # whatever the backend raises (redis-py's errors, DatabaseError, OSError)
        logger.warning("Health check: the cache does not answer (%s: %s)", type(error).__name__, error)
        return False


def state(up):
    return "ok" if up else "unavailable"


def verdict(database_up, cache_up):
    if not database_up:
        return "unavailable"
    return "ok" if cache_up else "degraded"


class HealthCheckMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path != HEALTH_PATH or request.method not in {"GET", "HEAD"}:
            return self.get_response(request)
        healthy, cache_up = database_answers(), cache_answers()
        body = {"status": verdict(healthy, cache_up), "database": state(healthy), "cache": state(cache_up)}
        response = JsonResponse(body, status=200 if healthy else 503)
        response["Cache-Control"] = "no-store"
        return response


class DatabaseUnavailableMiddleware:
    """A database that stops answering mid-request is a 503 with Retry-After, not a 500.

    While PostgreSQL restarts, requests fail with OperationalError; clients and load balancers should
    read that as "try again shortly". Other errors keep their 500. No traceback reaches the client either way.
    """

    RETRY_AFTER_SECONDS = 5

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.error("Database unavailable: %s %s", request.method, request.path, exc_info=exception)
        message = "The database is briefly unavailable; try again in a few seconds."
        if request.path.startswith("/api/"):
            response = JsonResponse({"detail": message}, status=503)
        else:
            response = HttpResponse(
                f"<!doctype html><title>503</title><h1>Service unavailable</h1><p>{message}</p>", status=503
            )
        response["Retry-After"] = str(self.RETRY_AFTER_SECONDS)
        return response
