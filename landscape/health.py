"""``/healthz`` for load balancers: answered first, before host checks, HTTPS redirects and sessions.

A load balancer probes each server by its own address over plain HTTP, so this must not depend on
ALLOWED_HOSTS or TLS; it says whether this server can reach the database, and nothing else.
"""

import logging

from django.db import DatabaseError, connection
from django.http import JsonResponse

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
