"""Django settings for the Bounce Decoder.

Everything that differs between a laptop and a server is read from the
environment. The defaults suit a developer's machine and need nothing
installed beyond Python: debug on, localhost only, SQLite in the project
folder. A server sets DJANGO_DEBUG=0, and must then set DJANGO_SECRET_KEY.
"""

import os
import tempfile
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    """Read a yes/no environment variable ("1", "true", "yes", "on" mean yes)."""
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    """Read a comma-separated environment variable into a list."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", True)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off.")
    # Only ever used with debug on, on a developer's machine.
    SECRET_KEY = "django-insecure-local-development-only"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    # WhiteNoise serves static files in development too, so runserver and
    # gunicorn behave the same.
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "csp",
    "errorcodes",
]

MIDDLEWARE = [
    # First, so every log line of the request carries its id.
    "decoder_site.requestid.RequestIdMiddleware",
    "decoder_site.availability.RequestDeadlineMiddleware",
    "decoder_site.limits.RequestLimitsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Right after SecurityMiddleware, as WhiteNoise's documentation asks, so
    # static files skip the rest of the stack.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "decoder_site.headers.PermissionsPolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Cached directory pages are answered here: every header above is still
    # added, and nothing below (sessions, CSRF, auth, the view) has to run.
    "errorcodes.caching.CachedPageMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]

ROOT_URLCONF = "decoder_site.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "decoder_site.wsgi.application"

# Database: DATABASE_URL (e.g. postgres://user@host:5432/name), else SQLite.
# Connections are not kept between requests: each request runs in its own
# greenlet (gevent workers), and a connection kept by a finished greenlet would
# never be reused.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "0")),
        conn_health_checks=True,
    )
}
DATABASE_TIMEOUT_SECONDS = int(os.environ.get("DJANGO_DATABASE_TIMEOUT", "2"))
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A stalled server costs a request at most this long to connect, and a
    # query that runs away is stopped by the server.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "connect_timeout": DATABASE_TIMEOUT_SECONDS,
            "options": f"-c statement_timeout={DATABASE_TIMEOUT_SECONDS * 2500}",
        }
    )
else:
    # SQLite waits this long for another process's write lock, not 5 s.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = DATABASE_TIMEOUT_SECONDS

# A request that is still waiting (on a stalled database, say) after this many
# seconds is answered "temporarily unavailable" (gevent workers only).
REQUEST_DEADLINE_SECONDS = float(os.environ.get("DJANGO_REQUEST_DEADLINE", "10"))

# Caches. "default" holds rendered directory pages; "ratelimit" the per-client
# counters, apart, so that no amount of page caching can evict them. With
# REDIS_URL both live in Redis (shared by every instance). Without it, pages are
# kept in each process's memory and the counters in files every worker of this
# machine shares, so a limit means the same with one worker or eight.
REDIS_URL = os.environ.get("REDIS_URL", "")
# Redis answers within this many seconds or counts as down; after a failure it
# is left alone for REDIS_RETRY_SECONDS and requests go on without it.
REDIS_TIMEOUT_SECONDS = float(os.environ.get("REDIS_TIMEOUT", "0.5"))
REDIS_RETRY_SECONDS = float(os.environ.get("REDIS_RETRY", "5"))
CACHE_DIR = Path(os.environ.get("DJANGO_CACHE_DIR", Path(tempfile.gettempdir()) / "bounce-decoder"))
if REDIS_URL:
    _redis = {
        "BACKEND": "decoder_site.cache.ResilientRedisCache",
        "LOCATION": REDIS_URL,
        "OPTIONS": {
            "socket_connect_timeout": REDIS_TIMEOUT_SECONDS,
            "socket_timeout": REDIS_TIMEOUT_SECONDS,
        },
    }
    CACHES = {
        "default": {**_redis, "KEY_PREFIX": "pages"},
        "ratelimit": {**_redis, "KEY_PREFIX": "ratelimit"},
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": 1000},
        },
        "ratelimit": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(CACHE_DIR / "ratelimit"),
            "OPTIONS": {"MAX_ENTRIES": 20000},
        },
    }
RATELIMIT_USE_CACHE = "ratelimit"
# Behind a load balancer or proxy, the client is the address that proxy saw:
# DJANGO_TRUSTED_PROXY_HOPS is how many proxies (each appending to
# X-Forwarded-For) stand between the internet and this site. 0: none, the
# connecting address is the client and X-Forwarded-For is ignored.
TRUSTED_PROXY_HOPS = int(os.environ.get("DJANGO_TRUSTED_PROXY_HOPS", "0"))
RATELIMIT_IP_META_KEY = "decoder_site.clientip.client_ip"

# How long a rendered directory page may be served from the cache. Every edit
# changes the directory's version (kept in the database), which every cached
# page's key carries, so no edit waits for this.
DIRECTORY_CACHE_SECONDS = int(os.environ.get("DIRECTORY_CACHE_SECONDS", "3600"))

# How often each process re-reads the directory's version from the database: an
# edit saved by one worker or instance reaches the others within this many seconds.
DIRECTORY_VERSION_SECONDS = float(os.environ.get("DIRECTORY_VERSION_SECONDS", "1"))

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# Static files: collected into staticfiles/ and served by WhiteNoise with
# compressed, content-hashed names.
STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Security
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")
# Off the developer's machine everything is HTTPS-only. DJANGO_SSL_REDIRECT=0
# leaves redirecting to a TLS-terminating proxy (or allows a local plain-HTTP run).
SECURE_SSL_REDIRECT = env_bool("DJANGO_SSL_REDIRECT", not DEBUG)
# Load balancers check health over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", True)
if env_bool("DJANGO_SECURE_PROXY_SSL_HEADER", False):
    # Only behind a proxy that sets this header itself and strips it from clients.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The admin lives at an address of the operator's choosing.
ADMIN_URL = os.environ.get("DJANGO_ADMIN_URL", "admin/").strip("/") + "/"
# Failed admin sign-ins: per client per minute, and per account per hour (then
# the account is locked until the hour is over; see decoder_site/logins.py).
ADMIN_LOGIN_CLIENT_FAILURES = int(os.environ.get("DJANGO_ADMIN_LOGIN_CLIENT_FAILURES", "10"))
ADMIN_LOGIN_ACCOUNT_FAILURES = int(os.environ.get("DJANGO_ADMIN_LOGIN_ACCOUNT_FAILURES", "30"))

# Content-Security-Policy (django-csp): nothing from elsewhere, no inline script.
# Inline styles stay allowed for the Django admin's own style attributes.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Bounce Decoder settings
# The shipped directory content that sync_directory installs.
DIRECTORY_FIXTURES_DIR = BASE_DIR / "fixtures"
# An entry not checked against Microsoft's documentation for this many days is
# due for review (the admin's review filter and its dashboard).
DIRECTORY_REVIEW_DAYS = int(os.environ.get("DIRECTORY_REVIEW_DAYS", "180"))
# Largest bounce (paste or upload) the decoder accepts, in bytes; bigger gets 413.
DECODER_MAX_BYTES = int(os.environ.get("DECODER_MAX_BYTES", str(1024 * 1024)))
# Decode requests per client (IP address), e.g. "30/m" or "500/h".
DECODER_RATE_LIMIT = os.environ.get("DECODER_RATE_LIMIT", "30/m")

# Uploads: a pasted NDR carries other people's addresses, so nothing may touch
# the disk. Everything up to the decoder's limit (plus room for the form's own
# fields) stays in memory; the views refuse larger bodies before reading them.
# A request may carry more than the decoder reads: a whole message whose attached
# original is cut down to its headers, or a paste the form gives back trimmed.
DECODER_READ_MAX_BYTES = int(os.environ.get("DECODER_READ_MAX_BYTES", str(4 * DECODER_MAX_BYTES)))
# An mbox or zip upload (up to DECODER_READ_MAX_BYTES) is decoded message by
# message, up to this many; the command line reads any number.
DECODER_BULK_MAX_MESSAGES = int(os.environ.get("DECODER_BULK_MAX_MESSAGES", "500"))
DATA_UPLOAD_MAX_MEMORY_SIZE = DECODER_READ_MAX_BYTES + 64 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = DECODER_READ_MAX_BYTES + 64 * 1024
FILE_UPLOAD_HANDLERS = ["django.core.files.uploadhandler.MemoryFileUploadHandler"]

# One JSON object per line on stdout, each with the request id. Request bodies
# are never logged: pasted bounces carry other people's addresses.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "decoder_site.requestid.RequestIdFilter"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        }
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "json",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
}
