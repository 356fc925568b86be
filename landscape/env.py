"""Small strict readers for environment variables: a typo must fail loudly, not turn DEBUG on."""

import os

from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


def env_str(name, *, default):
    return os.environ.get(name, default)


def env_bool(name, *, default):
    raw = os.environ.get(name)
    if raw is None:
        return default
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean; use true or false.")


def env_list(name, *, default):
    raw = os.environ.get(name)
    if raw is None:
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


RATE_PERIODS = {"s", "sec", "second", "m", "min", "minute", "h", "hour", "d", "day"}


def env_rate(name, *, default):
    """A DRF throttle rate such as ``120/minute``; DRF itself would only fail on the first request."""
    raw = os.environ.get(name, default).strip()
    count, _, period = raw.partition("/")
    if not (count.isdigit() and period in RATE_PERIODS):
        raise ImproperlyConfigured(f"{name}={raw!r} is not a rate; use e.g. 120/minute.")
    return raw


def env_int(name, *, default):
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        return int(raw.replace("_", ""))
    except ValueError as error:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from error
