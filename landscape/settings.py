"""Settings for Landscape: one module, configured entirely by environment variables.

DATABASE_URL           dj-database-url syntax; default: SQLite file db.sqlite3 in the project folder.
DATABASE_REPLICA_URLS  comma-separated URLs of PostgreSQL streaming replicas for reads. Default: none.
DJANGO_SECRET_KEY      required when DJANGO_DEBUG is false.
DJANGO_DEBUG           true/false (strict: anything else is an error). Default: false.
DJANGO_ALLOWED_HOSTS   comma-separated, never "*". Default: localhost,127.0.0.1,[::1].
DJANGO_TRUSTED_PROXY_COUNT  proxies in front that set X-Forwarded-For/-Proto (e.g. 1 behind a load
                       balancer). Default: 0, and those headers are ignored.
DJANGO_SECURE_SSL_REDIRECT  redirect plain HTTP to HTTPS. Default: on when DEBUG is off.
DJANGO_HSTS_SECONDS    Strict-Transport-Security max-age. Default: one year when DEBUG is off.
AXES_COOLOFF_MINUTES   how long a login lockout lasts. Default: 15.
REDIS_URL              the shared cache (API throttle counters); default: a table in the database.
API_ANON_THROTTLE_RATE requests per anonymous client. Default: 120/minute.
API_USER_THROTTLE_RATE requests per signed-in user or token. Default: 1200/minute.
API_TOKEN_FAILURE_RATE wrong API tokens per client before 429. Default: 10/minute.
IMPORT_MAX_BYTES       largest file an import accepts. Default: 20 MB.
PRICE_STALE_AFTER_DAYS a current price not confirmed for this many days is flagged stale. Default: 180.
REQUEST_MAX_BYTES      largest request body with credentials (API writes, admin forms). Default: 1 MiB.
ANONYMOUS_REQUEST_MAX_BYTES  largest request body without credentials. Default: 64 KiB.
RESPONSE_CACHE_ENABLED anonymous reads answered from the shared cache by data version. Default: true.
FIGURE_CACHE_ENABLED   chart figures built once per write and kept in the shared cache by data version. Default: true.
RESPONSE_CACHE_SECONDS how long a stored answer is kept (it is never stale: writes change its key). Default: 600.
RESPONSE_CACHE_CDN_SECONDS  how long a CDN in front may keep an answer (s-maxage). Default: 60.
LANDSCAPE_RELEASE      the deploy's release id in cache keys and ETags. Default: a digest of the source.
"""

import datetime
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from landscape import replicas
from landscape.env import env_bool, env_int, env_list, env_rate, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env_str("DJANGO_SECRET_KEY", default="")
MIN_SECRET_KEY_LENGTH = 50  # what Django's deploy check asks for, with at least 5 distinct characters
if not DEBUG and (len(SECRET_KEY) < MIN_SECRET_KEY_LENGTH or len(set(SECRET_KEY)) < 5):
    raise ImproperlyConfigured(
        f"Set DJANGO_SECRET_KEY to a random string of at least {MIN_SECRET_KEY_LENGTH} characters, e.g. "
        "python -c 'import secrets; print(secrets.token_urlsafe(50))' (or DJANGO_DEBUG=true for local development)."
    )
SECRET_KEY = SECRET_KEY or "insecure-development-key-only-used-when-debug-is-on"
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
if "*" in ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must name the site's hosts; '*' would accept any Host header.")
TRUSTED_PROXY_COUNT = env_int("DJANGO_TRUSTED_PROXY_COUNT", default=0)

# HTTPS only when DEBUG is off. Behind a TLS-terminating proxy, it says which requests came over HTTPS.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if TRUSTED_PROXY_COUNT else None
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", default=0 if DEBUG else 365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# __Host- cookies are only accepted over HTTPS, for this host alone, so they need DEBUG off.
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_NAME = "sessionid" if DEBUG else "__Host-sessionid"
CSRF_COOKIE_NAME = "csrftoken" if DEBUG else "__Host-csrftoken"
LANGUAGE_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_NAME = "django_language" if DEBUG else "__Host-language"
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "axes",
    "catalog",
]

MIDDLEWARE = [
    "landscape.request_log.RequestIdMiddleware",
    "landscape.body_limits.RequestBodyLimitMiddleware",
    "landscape.health.HealthCheckMiddleware",
    "landscape.health.DatabaseUnavailableMiddleware",
    # Safe requests read a streaming replica that has caught up (a no-op without DATABASE_REPLICA_URLS).
    "landscape.replicas.ReplicaReadMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Compresses what passes it on the way out, cached answers included (whitenoise serves static files
    # already compressed, before this). Django's adds random padding against BREACH.
    "django.middleware.gzip.GZipMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "landscape.language.PreferredLanguageMiddleware",
    # Anonymous reads are answered here, before sessions, CSRF, authentication and the views do any work.
    "catalog.cache.responses.ResponseCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes requires
]

# Content-Security-Policy (django-csp 4): scripts only from this site, never inline. Styles allow inline
# because plotly.js and Swagger UI set style attributes; the JSON handed to charts is not executable.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Login brute force (django-axes): 5 failures from one client lock the admin login for a cool-off, not
# forever. Attempts are rows in the database, so every server shares them.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["ip_address"]
AXES_CLIENT_IP_CALLABLE = "landscape.client_ip.client_ip"
AXES_RESET_ON_SUCCESS = True

ROOT_URLCONF = "landscape.urls"
WSGI_APPLICATION = "landscape.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": replicas.configure(
        dj_database_url.config(
            default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
            conn_max_age=replicas.CONN_MAX_AGE,
            conn_health_checks=True,
        )
    )
}
# Streaming replicas: catalog reads of safe requests go to one that has caught up (landscape/replicas.py).
DATABASES.update(replicas.replica_databases(env_list("DATABASE_REPLICA_URLS", default=[])))
if len(DATABASES) > 1:
    DATABASE_ROUTERS = ["landscape.replicas.ReplicaRouter"]

# Shared by every process (throttle counters must be), so never the per-process local-memory cache.
# The database table is created by a catalog migration.
REDIS_URL = env_str("REDIS_URL", default="")
# A Redis that is down or frozen must cost a request a fraction of a second, not hang it: short socket
# timeouts, and no retries (redis-py's connection pool makes none by default). What an outage then does is
# decided where the cache is used (catalog/api/throttles.py: rate limits fail open).
REDIS_SOCKET_TIMEOUT_SECONDS = 0.25
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {
                "socket_connect_timeout": REDIS_SOCKET_TIMEOUT_SECONDS,
                "socket_timeout": REDIS_SOCKET_TIMEOUT_SECONDS,
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "landscape_cache"}}

# The response cache (catalog/cache/responses.py): what it stores is keyed by the data version, so it is
# never stale; these bound how long an entry occupies the cache and how long a CDN may hold one.
RESPONSE_CACHE_ENABLED = env_bool("RESPONSE_CACHE_ENABLED", default=True)
FIGURE_CACHE_ENABLED = env_bool("FIGURE_CACHE_ENABLED", default=True)
RESPONSE_CACHE_SECONDS = env_int("RESPONSE_CACHE_SECONDS", default=600)
RESPONSE_CACHE_CDN_SECONDS = env_int("RESPONSE_CACHE_CDN_SECONDS", default=60)
RESPONSE_CACHE_MAX_BYTES = 2 * 1024 * 1024  # larger answers (whole-table exports) are not worth a cache slot
RESPONSE_CACHE_EXCLUDED_PATHS = ("/admin/", "/i18n/")
LANDSCAPE_RELEASE = env_str("LANDSCAPE_RELEASE", default="")

# Opt in to Django 6's default now: URLs typed without a scheme are https.
FORMS_URLFIELD_ASSUME_HTTPS = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# English at the plain URLs (the default), Korean under /ko/ (i18n_patterns in landscape/urls.py).
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("ko", "한국어")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env_str(
            "DJANGO_STATICFILES_STORAGE", default="whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "catalog.staticfinders.PlotlyFinder",
]

# Largest file the importers accept (admin upload and command line).
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", default=20 * 1024 * 1024)
# Half a year: providers change list prices a few times a year; a snapshot older than that may be wrong.
PRICE_STALE_AFTER_DAYS = env_int("PRICE_STALE_AFTER_DAYS", default=180)
# Request bodies are refused by Content-Length before they are read (landscape/body_limits.py); Django's
# own limit on form data read into memory is the same figure. Uploads past FILE_UPLOAD_MAX_MEMORY_SIZE are
# spooled to a temporary file, and LimitedUploadHandler stops any upload at the request's limit.
REQUEST_MAX_BYTES = env_int("REQUEST_MAX_BYTES", default=1024 * 1024)
ANONYMOUS_REQUEST_MAX_BYTES = env_int("ANONYMOUS_REQUEST_MAX_BYTES", default=64 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = REQUEST_MAX_BYTES
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # Django's default (2.5 MiB), said here
FILE_UPLOAD_HANDLERS = [
    "landscape.body_limits.LimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# Warnings and errors (an unhandled exception, a cache or database outage) go to stderr, which gunicorn
# collects, in the format of gunicorn's own error log, each with the id of the request that caused it.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "landscape.request_log.RequestIdFilter"}},
    "formatters": {
        "gunicorn": {
            "format": "%(asctime)s [%(process)d] [%(levelname)s] [%(request_id)s] %(name)s: %(message)s",
            "datefmt": "[%Y-%m-%d %H:%M:%S %z]",
        },
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stderr",
            "filters": ["request_id"],
            "formatter": "gunicorn",
        },
        "django.server": {"class": "logging.StreamHandler", "formatter": "django.server"},
    },
    "root": {"handlers": ["stderr"], "level": "WARNING"},
    # Django's own loggers print to the console only with DEBUG on: send them here instead, once.
    # Configuring "django" resets its children, so runserver's access log (django.server) is restated.
    "loggers": {
        "django": {"handlers": ["stderr"], "level": "WARNING", "propagate": False},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
    },
}

# The bundled data lives in a top-level folder, not inside an app.
FIXTURE_DIRS = [BASE_DIR / "fixtures"]

REST_FRAMEWORK = {
    # Token first, so an anonymous write is told how to authenticate (401 with WWW-Authenticate: Token).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "catalog.api.auth.ThrottledTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["catalog.api.policies.ReadOnlyOrStaffWithModelPermissions"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "catalog.api.policies.BoundedPageNumberPagination",
    "DEFAULT_RENDERER_CLASSES": [
        "catalog.api.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
        "catalog.api.csv_export.CSVRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": [
        "catalog.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "catalog.api.throttles.AnonymousRateThrottle",
        "catalog.api.throttles.UserRateThrottle",
    ],
    # Which client a request comes from (throttles, and the login lockout through landscape.client_ip).
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_rate("API_ANON_THROTTLE_RATE", default="120/minute"),
        "user": env_rate("API_USER_THROTTLE_RATE", default="1200/minute"),
        "token_failures": env_rate("API_TOKEN_FAILURE_RATE", default="10/minute"),
    },
    "DEFAULT_SCHEMA_CLASS": "catalog.api.schema.CatalogAutoSchema",
    "EXCEPTION_HANDLER": "catalog.api.errors.exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Landscape API",
    "DESCRIPTION": (
        "The foundation-model landscape: organizations, models, the hardware they run on, and what they cost. "
        "Figures are in SI units (FLOP/s, bytes, byte/s, W, mm²); money is a decimal string in the row's "
        "currency. Every fact lists its sources and a confidence (reported, derived, estimated, speculative). "
        "Reads are public; writes need a staff account with the matching model permission "
        "(`Authorization: Token <key>`, or a browser session with its CSRF token). "
        "Every list also answers CSV: add `?format=csv` or send `Accept: text/csv`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI and Redoc from the installed sidecar package: the docs work with no internet.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Related rows are written as slugs and read as summaries: separate request and response components.
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "HardwareKindEnum": "catalog.choices.HardwareKind",
        "SourceKindEnum": "catalog.choices.SourceKind",
        "CurrencyEnum": "catalog.choices.Currency",
        "DatePrecisionEnum": "catalog.choices.DatePrecision",
        "ConfidenceEnum": "catalog.choices.Confidence",
        "RooflineLimitEnum": "catalog.choices.RooflineLimit",
    },
}
