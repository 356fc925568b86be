"""Token authentication with a limit on wrong tokens per client, so keys cannot be guessed at speed.

DRF authenticates before it throttles, so a wrong token is a 401 that no throttle ever counts. Here each
failure is counted against the client's address (in the shared cache, so every server sees it) and, past
``API_TOKEN_FAILURE_RATE``, the client gets 429 without its token being looked up at all. Correct tokens
are never counted. While the cache is away failures go uncounted (see ``throttles``).
"""

from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication, get_authorization_header

from catalog.api.throttles import TokenFailureThrottle


class ThrottledTokenAuthentication(TokenAuthentication):
    def authenticate(self, request):
        offered = get_authorization_header(request).split()
        if not offered or offered[0].lower() != self.keyword.lower().encode():
            return None  # no token offered: nothing to count
        throttle = TokenFailureThrottle()
        if throttle.over_limit(request):
            raise exceptions.Throttled(throttle.wait())
        try:
            return super().authenticate(request)
        except exceptions.AuthenticationFailed:
            throttle.record_failure()
            raise
