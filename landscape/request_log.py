"""Every log line a request causes carries its request id, in the format of gunicorn's own error log.

``RequestIdMiddleware`` (first in MIDDLEWARE) gives each request an id, taken from a trusted proxy's
``X-Request-ID`` when there is one (so the proxy's log and ours meet) or made up, and returns it in the
response's ``X-Request-ID``; gunicorn's access line ends with it too (gunicorn.conf.py). The logging filter
puts it on every record made while the request runs. Configured by settings.LOGGING: warnings and errors
(an unhandled exception, a cache or database outage) go to stderr, which gunicorn collects.
"""

import contextvars
import logging
import re
import uuid

from django.conf import settings
from django.core.signals import request_finished
from django.dispatch import receiver

request_id = contextvars.ContextVar("request_id", default="-")
# What a proxy's id may look like: short, and nothing that could forge a log line.
PROXY_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        offered = request.META.get("HTTP_X_REQUEST_ID", "") if settings.TRUSTED_PROXY_COUNT else ""
        request.id = offered if PROXY_REQUEST_ID.fullmatch(offered) else uuid.uuid4().hex
        # Kept until the response is finished, not just until this middleware returns: Django logs a
        # 4xx or 5xx ("Not Found: /x", "Internal Server Error: /y") after the whole chain has run.
        request_id.set(request.id)
        response = self.get_response(request)
        response["X-Request-ID"] = request.id
        return response


@receiver(request_finished)
def forget_request_id(**kwargs):
    request_id.set("-")


class RequestIdFilter(logging.Filter):
    def filter(self, record):
        record.request_id = request_id.get()
        return True
