"""API rate limits, counted in the shared cache, that keep the API up when that cache goes away.

Each limit is a fixed window per client (anonymous: its address behind the trusted proxies, by DRF's
``NUM_PROXIES`` rule, which settings set from DJANGO_TRUSTED_PROXY_COUNT; with a token or session: its
user), counted with the cache's increment. Redis's INCR is atomic, so two workers cannot both read 119
and write 120, which is how DRF's own history-list throttles overshoot. On the database cache
(no REDIS_URL) Django's ``incr`` reads then writes, so concurrent requests may still overshoot a little:
production uses Redis.

A cache that errors or does not answer must not take the API down with it (reads are the product). The
counter then lets the request through (fails open), logs one warning per ``WARN_EVERY_S`` per process, and
leaves the cache alone for ``REST_AFTER_FAILURE_S``, so a frozen Redis costs one short socket timeout
(settings.CACHES) now and then, not one per request. ``/healthz`` reports the cache's state.
"""

import logging
import math
import time

import redis
from django.core.cache import cache
from django.db import DatabaseError
from rest_framework import throttling
from rest_framework.settings import api_settings

logger = logging.getLogger(__name__)

# What a cache backend raises when its server is away: redis-py's errors (connection refused, timeout),
# socket errors underneath, and the database cache's DatabaseError.
CACHE_ERRORS = (redis.RedisError, DatabaseError, OSError)


class SharedCounter:
    """Counts in the cache, and gives up (returns None) quickly while the cache is unreachable."""

    REST_AFTER_FAILURE_S = 5
    WARN_EVERY_S = 60

    def __init__(self, clock=time.monotonic):
        self.clock = clock
        self.resting_until = -math.inf
        self.warned_at = -math.inf

    def hit(self, key, timeout):
        """Count one more under ``key`` (created for ``timeout`` seconds); the new count, or None."""

        def increment():
            try:
                return cache.incr(key)
            except ValueError:  # the window's first hit: create its counter, unless another request just did
                return 1 if cache.add(key, 1, timeout) else cache.incr(key)

        return self._ask(increment)

    def peek(self, key):
        """The count under ``key`` (0 when none), or None."""
        return self._ask(lambda: cache.get(key, 0))

    def _ask(self, operation):
        now = self.clock()
        if now < self.resting_until:
            return None
        try:
            return operation()
        except CACHE_ERRORS as error:
            self.resting_until = now + self.REST_AFTER_FAILURE_S
            if now - self.warned_at >= self.WARN_EVERY_S:
                self.warned_at = now
                logger.warning(
                    "The cache is unavailable (%s: %s): API rate limits are not enforced until it is back.",
                    type(error).__name__,
                    error,
                )
            return None


counter = SharedCounter()


class WindowRateThrottle(throttling.SimpleRateThrottle):
    """DRF's rate syntax and 429 with Retry-After, counted per fixed window with the shared counter."""

    def get_rate(self):
        # DRF copies the rates into the class at import; read them per request so a settings change applies.
        return api_settings.DEFAULT_THROTTLE_RATES[self.scope]

    def start_window(self, request, view):
        """Set ``self.key`` to this client's counter for the current window; False when it is not limited."""
        ident = self.get_cache_key(request, view)
        if self.rate is None or ident is None:
            return False
        self.now = self.timer()
        window = int(self.now // self.duration)
        self.window_ends_at = (window + 1) * self.duration
        self.key = f"{ident}:{window}"
        return True

    def allow_request(self, request, view):
        if not self.start_window(request, view):
            return True
        count = counter.hit(self.key, self.duration)
        return count is None or count <= self.num_requests

    def wait(self):
        return max(self.window_ends_at - self.now, 1)


class AnonymousRateThrottle(WindowRateThrottle):
    """Requests without credentials, per client address (the same address the login lockout counts)."""

    scope = "anon"

    def get_cache_key(self, request, view):
        if request.user and request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class UserRateThrottle(WindowRateThrottle):
    """Requests with a token or a session, per user, at a higher rate than anonymous ones."""

    scope = "user"

    def get_cache_key(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


class TokenFailureThrottle(WindowRateThrottle):
    """Wrong API tokens per client address: checked before a token is looked up, counted when it is wrong."""

    scope = "token_failures"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}

    def over_limit(self, request):
        """True when this client already used up its failures, without counting this request."""
        if not self.start_window(request, None):
            return False
        failures = counter.peek(self.key)
        return failures is not None and failures >= self.num_requests

    def record_failure(self):
        counter.hit(self.key, self.duration)
