"""What a hostile client sends over HTTP (issue 15): off-site redirects, a cache that goes away, deep
nesting, oversized bodies, throttle races, forged proxy headers, and what a benchmark run tells strangers.

The import-side findings are in test_import_safety.py and test_import_formats_hostile.py.
"""

import ast
import io
import json
import logging
import os
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import RequestFactory
from django.test.client import ClientHandler, encode_multipart
from django.utils.http import url_has_allowed_host_and_scheme
from rest_framework.authtoken.models import Token

from catalog.api import throttles
from catalog.benchmarking.store import record_run
from catalog.models import BenchmarkRun
from landscape.request_log import RequestIdFilter
from tests.benchmark_reports import benchmark_report
from tests.factories import make_model, make_org
from tests.production_env import PRODUCTION_ENV, python

ROOT = Path(__file__).resolve().parent.parent
TOKENS = "/api/v1/estimate/tokens/"


def redis_url():
    return os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def redis_cache(location, timeout=0.25):
    options = {"socket_connect_timeout": timeout, "socket_timeout": timeout}
    return {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": location, "OPTIONS": options}
    }


@pytest.fixture
def fresh_counter(monkeypatch):
    """The shared counter's memory of an outage is per process: give each test its own, on a clock that
    stands still, so "left alone for a few seconds" does not depend on how fast the machine is."""
    monkeypatch.setattr(throttles, "counter", throttles.SharedCounter(clock=lambda: 0.0))
    return throttles.counter


@pytest.fixture
def catalog_rows(db):
    make_model("gpt-3", org=make_org("openai", name="OpenAI", is_model_developer=True), name="GPT-3")


# --------------------------------------------------------------------------------- 1. open redirect


def raw_get(path, **meta):
    """A request for exactly this PATH_INFO: the test client would read //host/path as a host and a path."""
    environ = RequestFactory()._base_environ(PATH_INFO=path, REQUEST_METHOD="GET", **meta)
    return ClientHandler()(environ)


@pytest.mark.parametrize(
    "path", ["//evil.example/models/", "///evil.example/models/", "/\\evil.example/models/", "//evil.example/"]
)
def test_no_language_redirect_leaves_the_site(db, path):
    response = raw_get(path, HTTP_ACCEPT_LANGUAGE="ko")
    location = response.get("Location", "")
    assert location == "" or url_has_allowed_host_and_scheme(location, allowed_hosts={"testserver"}), location


def test_the_language_redirect_still_works_for_real_pages(db, catalog_rows):
    response = raw_get("/models/", HTTP_ACCEPT_LANGUAGE="ko", QUERY_STRING="country=KR")
    assert response.status_code == 302 and response["Location"] == "/ko/models/?country=KR"


# --------------------------------------------------------------------------------- 2. the cache goes away


def closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nothing listens there once the probe closes


class FrozenRedis:
    """A server that accepts connections and never answers, like a Redis stopped with SIGSTOP."""

    def __init__(self):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.connections = []
        self.thread = threading.Thread(target=self.accept, daemon=True)
        self.thread.start()

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.listener.getsockname()[1]}/0"

    def accept(self):
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            self.connections.append(connection)

    def close(self):
        self.listener.close()
        for connection in self.connections:
            connection.close()


@pytest.fixture
def frozen_redis():
    server = FrozenRedis()
    yield server
    server.close()


@pytest.fixture
def redis_down(settings, fresh_counter):
    settings.CACHES = redis_cache(f"redis://127.0.0.1:{closed_port()}/0")  # Django reopens its caches


def test_the_counter_warns_once_a_minute_and_rests_between_tries(caplog):
    now = [0.0]
    counter = throttles.SharedCounter(clock=lambda: now[0])
    calls = []

    def down():
        calls.append(now[0])
        raise throttles.redis.ConnectionError("refused")

    for _ in range(30):  # every 3 s for 90 s
        assert counter._ask(down) is None
        now[0] += 3
    assert calls == [float(t) for t in range(0, 90, 6)]  # asked again only after resting 5 s
    warnings = [record for record in caplog.records if record.name == "catalog.api.throttles"]
    assert [record.created for record in warnings] and len(warnings) == 2  # at 0 s and at 60 s


def test_with_redis_down_the_api_keeps_serving_and_warns_once(api, catalog_rows, redis_down, caplog):
    caplog.set_level(logging.WARNING, logger="catalog.api.throttles")
    for _ in range(5):
        assert api.get("/api/v1/models/").status_code == 200
    # A wrong token is still refused (401), not a 500, though its failure cannot be counted.
    assert api.get("/api/v1/models/", HTTP_AUTHORIZATION="Token wrong").status_code == 401
    warnings = [record for record in caplog.records if record.name == "catalog.api.throttles"]
    assert len(warnings) == 1 and "rate limits are not enforced" in warnings[0].getMessage()


def test_with_redis_down_the_health_check_stays_in_the_pool_and_says_why(client, db, redis_down):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "degraded", "database": "ok", "cache": "unavailable"}


def test_a_frozen_redis_is_asked_once_then_left_alone(api, catalog_rows, settings, fresh_counter, frozen_redis):
    settings.CACHES = redis_cache(frozen_redis.url, timeout=0.2)
    assert [api.get("/api/v1/models/").status_code for _ in range(6)] == [200] * 6
    # One request met the socket timeout; the others did not wait on the frozen server at all.
    assert len(frozen_redis.connections) == 1


def test_the_redis_client_has_short_timeouts_in_production(tmp_path):
    env = {**PRODUCTION_ENV, "REDIS_URL": redis_url(), "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}"}
    probe = (
        "import django; django.setup(); from django.conf import settings; print(settings.CACHES['default']['OPTIONS'])"
    )
    options = ast.literal_eval(python("-c", probe, env=env).stdout)
    assert 0 < options["socket_timeout"] < 1 and 0 < options["socket_connect_timeout"] < 1


@pytest.fixture
def stderr_log(monkeypatch):
    """What the stderr handler that settings.LOGGING configured writes (its stream swapped for a buffer)."""
    (handler,) = [
        handler
        for handler in logging.getLogger("django").handlers
        if any(isinstance(each, RequestIdFilter) for each in handler.filters)
    ]
    assert isinstance(handler, logging.StreamHandler)  # on sys.stderr as configured (here, pytest's capture)
    written = io.StringIO()
    monkeypatch.setattr(handler, "stream", written)
    return written


def logged_for(response, log):
    return [line for line in log.getvalue().splitlines() if f"[{response['X-Request-ID']}]" in line]


def test_an_unhandled_error_is_logged_to_stderr_with_the_request_id(client, db, monkeypatch, stderr_log):
    from django.db.models.query import QuerySet

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(QuerySet, "_fetch_all", broken)
    client.raise_request_exception = False
    response = client.get("/models/")
    assert response.status_code == 500
    lines = logged_for(response, stderr_log)
    assert lines and "[ERROR]" in lines[0] and "django.request: Internal Server Error: /models/" in lines[0]
    assert lines[0].startswith("[") and f"[{os.getpid()}]" in lines[0]  # gunicorn's own "[time] [pid] [LEVEL]"


def test_the_warning_django_logs_after_the_response_has_the_request_id_too(client, db, stderr_log):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert any("[WARNING]" in line and "Not Found: /no-such-page/" in line for line in logged_for(response, stderr_log))


def test_runserver_still_logs_each_request():
    """Configuring the "django" logger resets its children: the development server's access log must survive."""
    server_log = logging.getLogger("django.server")
    assert server_log.isEnabledFor(logging.INFO) and server_log.handlers and not server_log.propagate


def test_a_request_id_from_a_trusted_proxy_is_kept_and_a_forged_one_replaced(client, db, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client.get("/healthz", HTTP_X_REQUEST_ID="lb-1234")["X-Request-ID"] == "lb-1234"
    forged = client.get("/healthz", HTTP_X_REQUEST_ID="x\nERROR fake line")["X-Request-ID"]
    assert "\n" not in forged and len(forged) == 32
    settings.TRUSTED_PROXY_COUNT = 0
    assert client.get("/healthz", HTTP_X_REQUEST_ID="lb-1234")["X-Request-ID"] != "lb-1234"


# --------------------------------------------------------------------------------- 4. deep nesting


def test_deeply_nested_json_to_the_api_is_a_400(api, db):
    response = api.post(TOKENS, data="[" * 5000 + "]" * 5000, content_type="application/json")
    assert response.status_code == 400
    assert "nested too deeply" in response.json()["detail"]


# --------------------------------------------------------------------------------- 7. bodies over the limit


def declared_post(
    client, path, *, declared, body=b"--x--\r\n", content_type="multipart/form-data; boundary=x", **extra
):
    """A POST whose Content-Length claims ``declared`` bytes but carries only ``body``: reading past it fails
    the test (FakePayload raises), so a 413 proves nothing was read."""
    return client.generic("POST", path, data=body, content_type=content_type, CONTENT_LENGTH=str(declared), **extra)


def test_an_anonymous_100_mb_upload_is_refused_unread(client, db):
    response = declared_post(client, TOKENS, declared=100 * 1024 * 1024)
    assert response.status_code == 413
    assert "104,857,600 bytes" in response.json()["detail"] and "65,536" in response.json()["detail"]


def test_an_anonymous_page_post_over_the_limit_is_refused_unread(client, db):
    assert declared_post(client, "/i18n/setlang/", declared=65 * 1024).status_code == 413


def test_a_signed_in_api_write_over_the_limit_is_refused_unread(api, db):
    user = User.objects.create_user("editor", is_staff=True)
    token = Token.objects.create(user=user).key
    response = declared_post(
        api, "/api/v1/organizations/", declared=2 * 1024 * 1024, HTTP_AUTHORIZATION=f"Token {token}"
    )
    assert response.status_code == 413


def test_the_import_upload_may_be_as_large_as_an_import_and_no_larger(admin_client, settings):
    settings.IMPORT_MAX_BYTES = 200 * 1024
    url = "/admin/catalog/importrun/import/"
    # Over the import limit plus the form's room: refused unread.
    assert declared_post(admin_client, url, declared=300 * 1024).status_code == 413
    # A file under the import limit but over the anonymous one goes through to the form.
    empty_list = SimpleUploadedFile("big.json", b"[" + b" " * (100 * 1024) + b"]")
    body = encode_multipart("BoUnDaRy", {"format": "fixture", "file": empty_list})
    response = admin_client.generic("POST", url, data=body, content_type="multipart/form-data; boundary=BoUnDaRy")
    assert response.status_code == 400 and b"holds no records" in response.content


def test_the_upload_handler_stops_a_multipart_body_at_the_limit(settings, db):
    settings.ANONYMOUS_REQUEST_MAX_BYTES = 1024
    body = encode_multipart("BoUnDaRy", {"file": SimpleUploadedFile("f.csv", b"x" * 10_000)})
    request = RequestFactory().generic(
        "POST", "/any/", data=body, content_type="multipart/form-data; boundary=BoUnDaRy"
    )
    with pytest.raises(RequestDataTooBig):
        request.POST  # noqa: B018 (parsing is what is tested)


def test_import_data_checks_the_size_before_reading(db, settings, tmp_path):
    settings.IMPORT_MAX_BYTES = 1000
    big = tmp_path / "big.json"
    big.write_bytes(b"[" + b" " * 2000 + b"]")
    with pytest.raises(CommandError, match="is 2,002 bytes; the limit is 1,000"):
        call_command("import_data", str(big), "--format", "fixture")
    # A device or pipe has no size on disk: it is read only up to the limit.
    with pytest.raises(CommandError, match="more than 1,000 bytes"):
        call_command("import_data", "/dev/zero", "--format", "fixture")


# --------------------------------------------------------------------------------- 10. throttling


@pytest.fixture
def shared_redis(settings, fresh_counter):
    import redis

    redis.Redis.from_url(redis_url()).flushdb()  # Redis is part of the development environment (README)
    settings.CACHES = redis_cache(redis_url())


def set_rates(settings, **rates):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], **rates},
    }


def test_concurrent_requests_never_overshoot_the_limit(settings, shared_redis, monkeypatch):
    """250 attempts from one client, 8 at a time, at 120/minute: exactly 120 pass (DRF's own throttle let 135)."""
    from django.contrib.auth.models import AnonymousUser

    set_rates(settings, anon="120/minute")
    request = RequestFactory().get("/api/v1/models/", REMOTE_ADDR="192.0.2.77")
    request.user = AnonymousUser()
    # A window that cannot end during the test: the count is the whole story.
    monkeypatch.setattr(throttles.AnonymousRateThrottle, "timer", staticmethod(lambda: 1_000_000_030.0))
    with ThreadPoolExecutor(8) as pool:
        allowed = list(pool.map(lambda _: throttles.AnonymousRateThrottle().allow_request(request, None), range(250)))
    assert sum(allowed) == 120


def test_token_users_are_throttled_at_their_own_rate(api, db, settings, fresh_counter):
    set_rates(settings, anon="2/minute", user="4/minute")
    token = Token.objects.create(user=User.objects.create_user("reader")).key
    statuses = [api.get("/api/v1/models/", HTTP_AUTHORIZATION=f"Token {token}").status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 200, 429]
    # The user's count is its own: an anonymous client at the same address still has its 2.
    assert [api.get("/api/v1/models/").status_code for _ in range(3)] == [200, 200, 429]


# --------------------------------------------------------------------------------- 11. proxy headers


def free_port():
    return closed_port()


def http_get(port, path, headers):
    """One request with exactly this path (no client library tidies it), returning (status line, headers)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        lines = [f"GET {path} HTTP/1.1", "Host: landscape.example.org", "Connection: close", *headers, "", ""]
        connection.sendall("\r\n".join(lines).encode())
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    head = answer.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
    return head[0], {key.lower(): value for key, _, value in (line.partition(": ") for line in head[1:])}


@pytest.fixture(params=["0", "1"], ids=["no-proxy", "one-proxy"])
def gunicorn_server(request, tmp_path):
    port = free_port()
    env = {
        **os.environ,
        **PRODUCTION_ENV,
        "DJANGO_TRUSTED_PROXY_COUNT": request.param,
        "DJANGO_SECURE_SSL_REDIRECT": "true",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}",
        "PORT": str(port),
        "WEB_CONCURRENCY": "1",
    }
    env.pop("REDIS_URL", None)
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "landscape.wsgi", "--config", "gunicorn.conf.py"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.1)
    yield int(request.param), port
    server.terminate()
    server.wait(timeout=30)


def test_gunicorn_believes_forwarded_proto_only_from_a_trusted_proxy(gunicorn_server):
    proxies, port = gunicorn_server
    status, headers = http_get(port, "/models/", ["X-Forwarded-Proto: https"])
    if proxies:
        assert " 301 " not in status  # the proxy said HTTPS, and it is trusted
    else:
        # No proxy is trusted: a local client claiming HTTPS is plain HTTP, and is redirected to HTTPS.
        assert " 301 " in status and headers["location"] == "https://landscape.example.org/models/"


def test_under_gunicorn_no_redirect_leaves_the_site(gunicorn_server):
    _, port = gunicorn_server
    for path in ["//evil.example/models/", "//evil.example/ko/models/", "/\\evil.example/models/"]:
        status, headers = http_get(port, path, ["X-Forwarded-Proto: https", "Accept-Language: ko"])
        location = headers.get("location", "")
        assert not location.startswith(("//", "/\\", "http://evil", "https://evil")), (path, status, location)


# --------------------------------------------------------------------------------- benchmark runs in public


def test_a_benchmark_run_shows_strangers_no_kernel_build(api, db, client):
    report = benchmark_report("nano")
    report["machine"]["os"] = "Linux-6.1.0-28-amd64-x86_64-with-glibc2.36"
    run = record_run(report=report)
    assert run.machine["os"] == "Linux x86_64"  # stored without it
    # A run stored before this rule still holds it: neither the API nor the page shows it.
    BenchmarkRun.objects.filter(pk=run.pk).update(machine={**run.machine, "os": report["machine"]["os"]})
    machine = api.get(f"/api/v1/benchmarks/{run.pk}/").json()["machine"]
    assert machine["os"] == "Linux x86_64"
    assert machine["cpu_model"] and machine["numpy"] and machine["physical_cores"]  # what explains the figures
    page = client.get(f"/benchmarks/{run.pk}/").content.decode()
    assert "6.1.0-28" not in page and "glibc" not in page and "Linux x86_64" in page
    assert "6.1.0" not in json.dumps(api.get("/api/v1/benchmarks/").json())
