"""Production promises: every page type carries the security headers and the CSP, logins lock after 5
failures for a cool-off, wrong API tokens are throttled, and throttle counters are shared between
processes. (Settings: test_settings.py; the CSP in a real browser: test_browser.py.)
"""

import datetime
import os

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import User
from django.test import override_settings
from django.urls import reverse
from rest_framework.authtoken.models import Token

from tests.factories import make_hardware, make_model, make_org
from tests.production_env import PRODUCTION_ENV, python

# ------------------------------------------------------------------------------------------------ headers


@pytest.fixture
def site(db):
    nvidia = make_org("nvidia", name="NVIDIA", is_chip_designer=True)
    make_hardware("nvidia-h100", vendor=nvidia, name="H100", memory_bandwidth=3.35e12, bf16_flops=989e12)
    make_model("gpt-3", org=make_org("openai", name="OpenAI", is_model_developer=True), name="GPT-3")


PAGES = [
    "/",
    "/models/",
    "/models/gpt-3/",
    "/hardware/nvidia-h100/",
    "/charts/roofline/",
    "/benchmarks/",
    "/api/v1/hardware/",
    "/api/v1/hardware/?format=csv",
    "/api/docs/",
    "/api/redoc/",
    "/admin/login/",
    "/no-such-page/",
]


@override_settings(SECURE_SSL_REDIRECT=True)
@pytest.mark.parametrize("path", PAGES)
def test_every_page_type_carries_the_security_headers_and_csp(client, site, path):
    response = client.get(path, secure=True)
    assert response.status_code in {200, 404}
    assert int(response["Strict-Transport-Security"].split("max-age=")[1].split(";")[0]) >= 365 * 24 * 3600
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    policy = dict(directive.strip().split(" ", 1) for directive in response["Content-Security-Policy"].split(";"))
    assert policy["script-src"] == "'self'"
    assert policy["default-src"] == "'self'" and policy["frame-ancestors"] == "'none'"


@override_settings(SECURE_SSL_REDIRECT=True)
def test_plain_http_is_redirected_to_https(client, site):
    response = client.get("/models/")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/models/"


@override_settings(SECURE_SSL_REDIRECT=True)
def test_health_check_answers_over_plain_http_for_any_host(client, db):
    response = client.get("/healthz", HTTP_HOST="10.0.0.7")  # a load balancer probing by address
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}
    assert response["Cache-Control"] == "no-store"


def test_health_check_reports_a_database_it_cannot_reach(client, db, monkeypatch):
    from django.db import OperationalError

    class Unreachable:
        def cursor(self):
            raise OperationalError("connection refused")

    monkeypatch.setattr("landscape.health.connection", Unreachable())
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable" and response.json()["database"] == "unavailable"


@pytest.mark.parametrize(("path", "content_type"), [("/models/", "text/html"), ("/api/v1/models/", "application/json")])
def test_a_database_that_drops_mid_request_is_a_503_without_a_traceback(client, db, monkeypatch, path, content_type):
    from django.db import OperationalError
    from django.db.models.query import QuerySet

    def dropped(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(QuerySet, "_fetch_all", dropped)
    response = client.get(path)
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response["Content-Type"].startswith(content_type)
    assert "Traceback" not in response.content.decode() and "OperationalError" not in response.content.decode()


def test_other_errors_stay_500s(client, db, monkeypatch):
    from django.db.models.query import QuerySet

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(QuerySet, "_fetch_all", broken)
    client.raise_request_exception = False
    assert client.get("/models/").status_code == 500


def test_cookies_are_secure_host_only_and_named_for_it(client, db):
    response = client.get("/admin/login/", secure=True)
    cookie = response.cookies["__Host-csrftoken"]
    assert cookie["secure"] and cookie["path"] == "/" and not cookie["domain"]


# ------------------------------------------------------------------------------------------------ brute force


@pytest.fixture
def admin_user(db):
    return User.objects.create_superuser("root", "root@example.org", "correct horse battery staple")


def admin_login(client, password, **headers):
    return client.post(
        reverse("admin:login"), {"username": "root", "password": password, "next": "/admin/"}, secure=True, **headers
    )


def test_admin_login_locks_after_5_failures_then_cools_off(client, admin_user):
    for _ in range(4):
        assert admin_login(client, "wrong").status_code == 200  # the form again, with its error
    assert admin_login(client, "wrong").status_code == 429  # the fifth failure locks
    locked = admin_login(client, "correct horse battery staple")
    assert locked.status_code == 429  # even the right password, while locked
    assert "locked" in locked.content.decode().lower()
    # The cool-off has passed: the attempt record ages beyond AXES_COOLOFF_TIME.
    AccessAttempt.objects.update(attempt_time=datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=16))
    assert admin_login(client, "correct horse battery staple").status_code == 302


def test_lockout_counts_the_client_behind_the_proxy_not_what_it_claims(client, admin_user, settings):
    # One proxy in front: what DJANGO_TRUSTED_PROXY_COUNT=1 sets (settings.py hands it to DRF as NUM_PROXIES).
    settings.TRUSTED_PROXY_COUNT = 1
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    for attempt in range(5):
        # A client varying the left part of X-Forwarded-For is still the address the proxy appended.
        admin_login(client, "wrong", HTTP_X_FORWARDED_FOR=f"198.51.100.{attempt}, 203.0.113.9")
    right = admin_login(client, "correct horse battery staple", HTTP_X_FORWARDED_FOR="192.0.2.1, 203.0.113.9")
    assert right.status_code == 429
    # Another client behind the same proxy is not locked out.
    other = admin_login(client, "correct horse battery staple", HTTP_X_FORWARDED_FOR="203.0.113.10")
    assert other.status_code == 302
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.9"}


def test_wrong_api_tokens_are_throttled_per_client(api, admin_user, settings):
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "anon": "1000/minute", "token_failures": "3/minute"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    for _ in range(3):
        assert api.get("/api/v1/hardware/", HTTP_AUTHORIZATION="Token wrong").status_code == 401
    blocked = api.get("/api/v1/hardware/", HTTP_AUTHORIZATION="Token wrong")
    assert blocked.status_code == 429 and "Retry-After" in blocked
    # The right token from another client is unaffected; from this client it waits too.
    token = Token.objects.create(user=admin_user).key
    assert api.get("/api/v1/hardware/", HTTP_AUTHORIZATION=f"Token {token}", REMOTE_ADDR="10.1.1.1").status_code == 200
    assert api.get("/api/v1/hardware/", HTTP_AUTHORIZATION=f"Token {token}").status_code == 429
    # Requests with no token are not counted as failures.
    assert api.get("/api/v1/hardware/", REMOTE_ADDR="10.1.1.2").status_code == 200


# ------------------------------------------------------------------------------------------------ shared throttling

THROTTLE_PROBE = """
import django
django.setup()
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from catalog.api.throttles import AnonymousRateThrottle
request = RequestFactory().get("/api/v1/models/", REMOTE_ADDR="192.0.2.44")
request.user = AnonymousUser()
print(sum(AnonymousRateThrottle().allow_request(request, None) for _ in range(25)))
"""


def redis_url():
    return os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.mark.parametrize("cache", ["database", "redis"])
def test_throttle_counters_are_shared_between_processes(cache, tmp_path):
    """Two server processes, one after the other, 25 requests each from one client at 30/minute: 30 pass."""
    env = {
        **PRODUCTION_ENV,
        "API_ANON_THROTTLE_RATE": "30/minute",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'shared.sqlite3'}",
    }
    if cache == "redis":
        import redis

        client = redis.Redis.from_url(redis_url())
        client.ping()  # Redis is part of the development environment (see README): fail loudly without it
        client.flushdb()
        env["REDIS_URL"] = redis_url()
    else:
        python("manage.py", "createcachetable", env=env)
    allowed = [int(python("-c", THROTTLE_PROBE, env=env).stdout) for _ in range(2)]
    assert allowed == [25, 5]
