import pytest
from django.core.exceptions import ImproperlyConfigured

from landscape.env import env_bool, env_list, env_rate
from tests.production_env import PRODUCTION_ENV


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("true", True),
        ("True", True),
        ("1", True),
        ("yes", True),
        ("false", False),
        ("False", False),
        ("0", False),
        ("no", False),
        ("", False),
    ],
)
def test_booleans_are_parsed_strictly(monkeypatch, raw, expected):
    monkeypatch.setenv("FLAG", raw)
    assert env_bool("FLAG", default=not expected) is expected


@pytest.mark.parametrize("raw", ["flase", "treu", "2", "enabled"])
def test_a_word_that_is_not_a_boolean_is_an_error_not_true(monkeypatch, raw):
    monkeypatch.setenv("FLAG", raw)
    with pytest.raises(ImproperlyConfigured, match="FLAG"):
        env_bool("FLAG", default=False)


def test_missing_boolean_takes_the_default(monkeypatch):
    monkeypatch.delenv("FLAG", raising=False)
    assert env_bool("FLAG", default=True) is True


def test_lists_split_on_commas_and_drop_blanks(monkeypatch):
    monkeypatch.setenv("HOSTS", " landscape.example, ,127.0.0.1 ")
    assert env_list("HOSTS", default=[]) == ["landscape.example", "127.0.0.1"]


@pytest.mark.parametrize("raw", ["120/minute", "5/s", "1000/day"])
def test_throttle_rates_in_drf_syntax_are_accepted(monkeypatch, raw):
    monkeypatch.setenv("RATE", raw)
    assert env_rate("RATE", default="1/s") == raw


@pytest.mark.parametrize("raw", ["120", "120/fortnight", "many/minute", "/minute"])
def test_a_malformed_throttle_rate_fails_at_start_up(monkeypatch, raw):
    monkeypatch.setenv("RATE", raw)
    with pytest.raises(ImproperlyConfigured, match="RATE"):
        env_rate("RATE", default="1/s")


def settings_in_a_fresh_process(expression, **environ):
    """Evaluate ``expression`` against settings loaded from ``environ`` (settings are read once per process)."""
    import os
    import subprocess
    import sys

    inherited = {"DJANGO_SECRET_KEY", "DJANGO_DEBUG", "DJANGO_SECURE_SSL_REDIRECT", "REDIS_URL"}
    env = {k: v for k, v in os.environ.items() if k not in inherited}
    return subprocess.run(
        [sys.executable, "-c", f"import django; from django.conf import settings; print({expression})"],
        env={**env, "DJANGO_SETTINGS_MODULE": "landscape.settings", **environ},
        capture_output=True,
        text=True,
        check=False,
    )


def test_settings_refuse_to_start_without_a_secret_key_when_debug_is_off():
    result = settings_in_a_fresh_process("settings.DEBUG", DJANGO_DEBUG="false")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_settings_pass_the_deploy_check():
    import os
    import subprocess
    import sys

    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "REDIS_URL"))}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env={**env, **PRODUCTION_ENV},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"DJANGO_SECRET_KEY": "short-key"}, "at least 50 characters"),
        ({"DJANGO_SECRET_KEY": "a" * 60}, "at least 50 characters"),  # long, but not random
        ({"DJANGO_ALLOWED_HOSTS": "*"}, "'*' would accept any Host header"),
        ({"DJANGO_DEBUG": "maybe"}, "is not a boolean"),
        ({"DJANGO_TRUSTED_PROXY_COUNT": "one"}, "is not a whole number"),
    ],
)
def test_start_up_refuses_unsafe_settings(override, message):
    result = settings_in_a_fresh_process("settings.DEBUG", **{**PRODUCTION_ENV, **override})
    assert result.returncode != 0
    assert message in result.stderr


def test_production_defaults_are_https_only():
    result = settings_in_a_fresh_process(
        "settings.SECURE_SSL_REDIRECT, settings.SECURE_HSTS_SECONDS, settings.SESSION_COOKIE_NAME, "
        "settings.CSRF_COOKIE_NAME, settings.SECURE_PROXY_SSL_HEADER",
        **PRODUCTION_ENV,
    )
    assert result.stdout.strip() == (
        "True 31536000 __Host-sessionid __Host-csrftoken ('HTTP_X_FORWARDED_PROTO', 'https')"
    ), result.stderr


def test_debug_needs_no_secret_key_and_keeps_plain_cookie_names():
    result = settings_in_a_fresh_process(
        "settings.SESSION_COOKIE_NAME, settings.SECURE_SSL_REDIRECT", DJANGO_DEBUG="true"
    )
    assert result.stdout.strip() == "sessionid False", result.stderr


def test_redis_url_makes_redis_the_shared_cache():
    result = settings_in_a_fresh_process(
        "settings.CACHES['default']", DJANGO_DEBUG="true", REDIS_URL="redis://127.0.0.1:6379/3"
    )
    assert "RedisCache" in result.stdout and "redis://127.0.0.1:6379/3" in result.stdout


def test_without_redis_the_cache_is_a_database_table():
    result = settings_in_a_fresh_process("settings.CACHES['default']['BACKEND']", DJANGO_DEBUG="true")
    assert result.stdout.strip() == "django.core.cache.backends.db.DatabaseCache"


def test_database_connections_are_persistent_with_health_checks(settings):
    assert settings.DATABASES["default"]["CONN_MAX_AGE"] > 0
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True
