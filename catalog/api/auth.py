"""Token authentication with a limit on wrong tokens per client, so keys cannot be guessed at speed.

DRF authenticates before it throttles, so a wrong token is a 401 that no throttle ever counts. Here each
failure is recorded against the client's address (in the shared cache, so every server sees it) and,
past ``API_TOKEN_FAILURE_RATE``, the client gets 429 without its token being looked up at all. Correct
tokens are never counted.
"""

from rest_framework import exceptions, throttling
from rest_framework.authentication import TokenAuthentication, get_authorization_header
from rest_framework.settings import api_settings

from landscape.client_ip import client_ip


class TokenFailureThrottle(throttling.SimpleRateThrottle):
    scope = "token_failures"

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES[self.scope]

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": client_ip(request)}

    def over_limit(self, request):
        """True when this client already used up its failures, without counting this request."""
        self.key = self.get_cache_key(request, None)
        self.now = self.timer()
        history = [moment for moment in self.cache.get(self.key, []) if moment > self.now - self.duration]
        self.history = history
        return len(history) >= self.num_requests

    def record_failure(self):
        self.history.insert(0, self.now)
        self.cache.set(self.key, self.history, self.duration)


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
