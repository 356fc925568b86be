"""One answer to "which client sent this request", for throttling and login lockouts alike.

Behind ``DJANGO_TRUSTED_PROXY_COUNT`` proxies, each appends the address it received the request from to
X-Forwarded-For, so the client is the entry that many places from the right; anything further left is
whatever the client chose to send. With no trusted proxy the header is ignored. That is DRF's
``NUM_PROXIES`` rule (settings set it from the same variable), which the API throttles apply; the admin's
login lockout (django-axes) asks the same function here, so both count the same client.
"""

from rest_framework.throttling import BaseThrottle


def client_ip(request):
    return BaseThrottle().get_ident(request)
