import pytest
from django.core.exceptions import ImproperlyConfigured

from landscape.env import env_bool, env_list, env_rate


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

    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SECRET_KEY", "DJANGO_DEBUG", "REDIS_URL"}}
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
