"""Request bodies are refused by their declared size before a byte of them is read.

Django reads at most Content-Length bytes of a body (and none without it), so checking that header first
bounds what any view, parser or upload handler can be made to read, spool or hold. The limits:

- requests that carry no credentials (no Authorization header, no session cookie), which includes every
  anonymous endpoint: ``ANONYMOUS_REQUEST_MAX_BYTES`` (64 KiB: an estimate's JSON is a few hundred bytes);
- requests with credentials (API writes, admin forms): ``REQUEST_MAX_BYTES`` (1 MiB);
- the admin's import upload: ``IMPORT_MAX_BYTES`` plus room for the multipart form around the file.

A body over its limit is answered 413 with a message, and nothing is read. ``LimitedUploadHandler`` holds
multipart uploads to the same limit as they stream in, for any path that reaches the parser another way.
"""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadhandler import FileUploadHandler
from django.http import HttpResponse, JsonResponse
from django.urls import Resolver404, resolve

MULTIPART_OVERHEAD_BYTES = 64 * 1024  # the form's other fields and the boundaries around the file
IMPORT_UPLOAD_URL_NAME = "catalog_importrun_import"


def declared_length(request):
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0  # as Django reads it: no body


def carries_credentials(request):
    return "HTTP_AUTHORIZATION" in request.META or settings.SESSION_COOKIE_NAME in request.COOKIES


def is_import_upload(request):
    try:
        return resolve(request.path_info).url_name == IMPORT_UPLOAD_URL_NAME
    except Resolver404:
        return False


def body_limit(request):
    """The largest body this request may send (only worked out in full for a body past the smallest limit)."""
    if declared_length(request) <= settings.ANONYMOUS_REQUEST_MAX_BYTES or not carries_credentials(request):
        return settings.ANONYMOUS_REQUEST_MAX_BYTES
    if is_import_upload(request):
        return settings.IMPORT_MAX_BYTES + MULTIPART_OVERHEAD_BYTES
    return settings.REQUEST_MAX_BYTES


def too_large_message(length, limit):
    return f"The request body is {length:,} bytes; this address accepts at most {limit:,}."


class RequestBodyLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        length, limit = declared_length(request), body_limit(request)
        if length <= limit:
            return self.get_response(request)
        message = too_large_message(length, limit)
        if request.path_info.startswith("/api/"):
            return JsonResponse({"detail": message}, status=413)
        return HttpResponse(f"<!doctype html><title>413</title><h1>Request too large</h1><p>{message}</p>", status=413)


class LimitedUploadHandler(FileUploadHandler):
    """First in FILE_UPLOAD_HANDLERS: stops a multipart body at the request's limit as it streams in."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.limit = body_limit(self.request)
        self.received = 0
        if content_length > self.limit:
            raise RequestDataTooBig(too_large_message(content_length, self.limit))

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            raise RequestDataTooBig(too_large_message(self.received, self.limit))
        return raw_data

    def file_complete(self, file_size):
        return None  # the next handler (memory or temporary file) keeps the file
