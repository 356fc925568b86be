"""gunicorn for `make serve`: sync workers behind a TLS-terminating proxy; everything from the environment."""

import os

from landscape.env import env_int

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# Measured with loadtest/throughput.py (README, "Performance"): on 2 cores, sync workers served cached
# answers as fast as gthread with 4 threads (the work is Python, one core each), so the simpler one stays.
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "sync")
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
# Load the app once in the master: workers fork with Django imported (less memory, and a recycled
# worker is serving again in milliseconds rather than after a second of imports).
preload_app = True
# A slow request (a large CSV export) may take a while; a stuck one is killed and its worker replaced.
timeout = 60
graceful_timeout = 30
# Recycle workers now and then, so a slow leak never grows unbounded; at a cache hit's speed 2,000
# requests come every few seconds, and recycling that often cost a quarter of the throughput.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "100000"))
max_requests_jitter = max_requests // 10
accesslog = "-"
errorlog = "-"
# The access line ends with the request id the app logs its warnings and errors under (landscape/logging.py).
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %({x-request-id}o)s'
# gunicorn believes X-Forwarded-Proto (and so tells Django the request came over HTTPS) from these
# addresses whatever Django is told: derive it from the app's own setting, so that
# DJANGO_TRUSTED_PROXY_COUNT=0 means no proxy header is believed anywhere. FORWARDED_ALLOW_IPS names the
# proxies' addresses when there are some.
if env_int("DJANGO_TRUSTED_PROXY_COUNT", default=0) > 0:
    forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
else:
    forwarded_allow_ips = ""
