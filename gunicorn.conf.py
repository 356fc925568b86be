"""gunicorn for `make serve`: sync workers behind a TLS-terminating proxy; everything from the environment."""

import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# A slow request (a large CSV export) may take a while; a stuck one is killed and its worker replaced.
timeout = 60
graceful_timeout = 30
# Recycle workers now and then, so a slow leak never grows unbounded.
max_requests = 2000
max_requests_jitter = 200
accesslog = "-"
errorlog = "-"
# Proxies allowed to set X-Forwarded-* for gunicorn's own use; the app decides separately whom to trust
# (DJANGO_TRUSTED_PROXY_COUNT).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
