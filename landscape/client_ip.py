"""One answer to "which client sent this request", for throttling and login lockouts alike.

Behind ``DJANGO_TRUSTED_PROXY_COUNT`` proxies, each appends the address it received the request from to
X-Forwarded-For, so the client is the entry that many places from the right; anything further left is
whatever the client chose to send. With no trusted proxy the header is ignored. This is DRF's
``NUM_PROXIES`` rule, which the throttles use too.
"""

from django.conf import settings


def client_ip(request):
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if not proxies or not forwarded:
        return remote
    addresses = [address.strip() for address in forwarded.split(",") if address.strip()]
    return addresses[-min(proxies, len(addresses))] if addresses else remote
