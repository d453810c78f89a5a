"""Django settings for the Bounce Decoder.

Everything that differs between a laptop and a server is read from the
environment. The defaults suit a developer's machine and need nothing
installed beyond Python: debug on, localhost only, SQLite in the project
folder. A server sets DJANGO_DEBUG=0, and must then set DJANGO_SECRET_KEY.
"""

import os
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
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}

# Cache: Redis when REDIS_URL is set (shared by every instance), else memory
# local to each process.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    # Without Redis each gunicorn worker counts rate limits on its own, so a
    # client gets up to (workers x limit): still a limit, and no server needed.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# How long a rendered directory page may be served from the cache. Any edit
# invalidates at once through the shared cache; the per-process memory cache
# cannot tell the other workers, so without Redis pages live only a minute.
DIRECTORY_CACHE_SECONDS = int(
    os.environ.get("DIRECTORY_CACHE_SECONDS", "3600" if REDIS_URL else "60")
)

# How often each process re-reads the directory's version token from the
# cache: an edit on one instance reaches the others within this many seconds.
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
ADMIN_LOGIN_RATE_LIMIT = os.environ.get("DJANGO_ADMIN_LOGIN_RATE_LIMIT", "10/m")

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
# Largest bounce (paste or upload) the decoder accepts, in bytes; bigger gets 413.
DECODER_MAX_BYTES = int(os.environ.get("DECODER_MAX_BYTES", str(1024 * 1024)))
# Decode requests per client (IP address), e.g. "30/m" or "500/h".
DECODER_RATE_LIMIT = os.environ.get("DECODER_RATE_LIMIT", "30/m")

# Uploads: a pasted NDR carries other people's addresses, so nothing may touch
# the disk. Everything up to the decoder's limit (plus room for the form's own
# fields) stays in memory; the views refuse larger bodies before reading them.
DATA_UPLOAD_MAX_MEMORY_SIZE = DECODER_MAX_BYTES + 64 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = DECODER_MAX_BYTES + 64 * 1024
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
