"""Availability: ``/healthz`` for load balancers, and a 503 (not a 500) while the database is away.

``/healthz`` is answered first, before host checks, HTTPS redirects and sessions.

A load balancer probes each server by its own address over plain HTTP, so this must not depend on
ALLOWED_HOSTS or TLS; it says whether this server can reach the database, and nothing else.
"""

import logging

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


class HealthCheckMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path != HEALTH_PATH or request.method not in {"GET", "HEAD"}:
            return self.get_response(request)
        healthy = database_answers()
        response = JsonResponse({"status": "ok" if healthy else "unavailable"}, status=200 if healthy else 503)
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
