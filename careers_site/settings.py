"""Settings for careers_site: one module, every deploy-time value read from the environment.

Each variable is documented in README.md ("Settings"). Development defaults are safe: DEBUG is
on only when DJANGO_DEBUG says so, and without DEBUG the site refuses to start without a secret key.
"""

import json
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from careers_site.release import source_fingerprint

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", default=False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off. "
            "Set DJANGO_DEBUG=1 for local development, or generate a key with "
            "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`."
        )
    SECRET_KEY = "django-insecure-development-only-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")

SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
SITE_NAME = os.environ.get("SITE_NAME", "AI Careers Guide")

INSTALLED_APPS = [
    "careers_site.apps.CareersAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "crispy_forms",
    "crispy_bootstrap5",
    "bootstrap",
    "django_tasks",
    "django_tasks_db",
    "reversion",  # the articles' revisions
    "careers_site",
    "articles",
    "comments",
    "leads",
]

MIDDLEWARE = [
    # A shared page is answered here, with the headers the stack below gave it when it was
    # rendered (the security headers among them); nothing below runs for it. Before any page it
    # runs what the apps registered (scheduled articles that went live drop their lists' pages).
    "careers_site.page_cache.PageCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "careers_site.middleware.SecurityHeadersMiddleware",  # CSP and Permissions-Policy
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "leads.middleware.AttributionMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # A WordPress address (/?p=12, /2020/05/04/slug/, /category/x/feed/...) moved in: a 301.
    "articles.middleware.OldAddressMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Last, so that its process_exception sees a view's database error first: a friendly 503.
    "careers_site.middleware.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "careers_site.urls"
WSGI_APPLICATION = "careers_site.wsgi.application"

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
                "careers_site.context_processors.site",
                "articles.context_processors.navigation",
            ],
        },
    },
]

# Persistent connections are checked before each request reuses them (conn_health_checks), so the
# site recovers by itself when the database comes back after an outage.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}

# A read replica (PostgreSQL streaming replication): reads go there, writes to the primary.
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"],
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
    # In tests the replica is the primary's mirror: one test database, both aliases.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["careers_site.db_routers.PrimaryReplicaRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    # django-redis: Redis down is a cache miss, not an error page (IGNORE_EXCEPTIONS); short
    # socket timeouts keep a dead or unreachable server from stalling pages. Sessions stay in the
    # database. The outage is logged (careers_site.cache.OutageLogFilter keeps that to one line a
    # minute).
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "careers_site",
            "OPTIONS": {
                "SOCKET_CONNECT_TIMEOUT": 0.25,
                "SOCKET_TIMEOUT": 0.5,
                "IGNORE_EXCEPTIONS": True,
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
DJANGO_REDIS_LOGGER = "careers_site.cache.outage"

# The full-page cache for anonymous readers (careers_site/page_cache.py): seconds a page is kept at
# most (0 turns it off). A change drops exactly the pages that show what changed, at once.
PAGE_CACHE_SECONDS = int(os.environ.get("DJANGO_PAGE_CACHE_SECONDS", "300"))
# Pages each process keeps a copy of (the most read ones), dropped by every change like the pages
# in Redis (careers_site/page_copies.py): a page read often costs no round trip. 0 turns it off.
PAGE_CACHE_COPIES = int(os.environ.get("DJANGO_PAGE_CACHE_COPIES", "1000"))
# Part of every page key, so that a deploy never serves what the previous release rendered
# (DJANGO_RELEASE, e.g. the deployed commit, or else a hash of the code and templates).
RELEASE = os.environ.get("DJANGO_RELEASE", "").strip() or source_fingerprint(BASE_DIR)
# A request carrying one of these cookies gets its own page, never a shared one: the session
# (signed-in staff), the comments this browser wrote (one may be held), saved comment details,
# pending messages.
PAGE_CACHE_PERSONAL_COOKIES = ("sessionid", "comment_submitted", "comment_author", "messages")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
# The site is written in English only: no translation machinery runs for each page (the admin
# and Django's own messages stay in English).
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "media"))
# Serve uploaded media from Django itself (development, single-machine setups).
SERVE_MEDIA = env_bool("DJANGO_SERVE_MEDIA", default=DEBUG)

# Uploaded media: the local folder by default; any Django storage backend (e.g. django-storages'
# "storages.backends.s3.S3Storage") with its options as JSON, for object storage.
STORAGES = {
    "default": {
        "BACKEND": os.environ.get(
            "DJANGO_MEDIA_STORAGE", "django.core.files.storage.FileSystemStorage"
        ),
        "OPTIONS": json.loads(os.environ.get("DJANGO_MEDIA_STORAGE_OPTIONS", "{}")),
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "careers_site.storage.StaticFilesStorage"
        )
    },
}

# E-mail: console in DEBUG unless a server is named; SMTP otherwise.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL")
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG and "EMAIL_HOST" not in os.environ
    else "django.core.mail.backends.smtp.EmailBackend",
)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "AI Careers Guide <hello@localhost>")
SERVER_EMAIL = os.environ.get("SERVER_EMAIL", DEFAULT_FROM_EMAIL)

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Content-Security-Policy (django-csp): scripts, styles and everything else from this site only;
# no inline script or style anywhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}
PERMISSIONS_POLICY_DENY = (
    "accelerometer", "camera", "display-capture", "geolocation", "gyroscope", "magnetometer",
    "microphone", "midi", "payment", "usb", "interest-cohort", "browsing-topics",
)  # fmt: skip
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS")
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD")
# No script reads the cookie: the forms fetched on demand carry their token, which leads.js sends.
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
ADMIN_LOGIN_MAX_FAILURES = int(os.environ.get("ADMIN_LOGIN_MAX_FAILURES", "5"))
ADMIN_LOGIN_LOCKOUT_SECONDS = int(os.environ.get("ADMIN_LOGIN_LOCKOUT_SECONDS", "900"))

# Security defaults that hold in every environment; HTTPS-only settings follow DJANGO_SECURE.
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE", default=False)
SESSION_COOKIE_SECURE = SECURE_SSL_REDIRECT
CSRF_COOKIE_SECURE = SECURE_SSL_REDIRECT
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")
# Behind a proxy that sets it, the request header (META name, e.g. HTTP_X_REAL_IP) holding the
# client's address; used for view counting, rate limits and sign-in limits, never stored.
CLIENT_IP_HEADER = os.environ.get("DJANGO_CLIENT_IP_HEADER", "")
if SECURE_SSL_REDIRECT:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Background jobs (e-mails, webhooks) through Django's Tasks API: stored in the database and run by
# `manage.py db_worker`. Tests use the immediate backend.
TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# Articles
ARTICLES_PER_PAGE = int(os.environ.get("ARTICLES_PER_PAGE", "10"))
ARTICLES_WORDS_PER_MINUTE = 230
# Featured images and author photos: limits on uploads, and the widths rendered for srcset.
IMAGE_MAX_UPLOAD_BYTES = int(os.environ.get("IMAGE_MAX_UPLOAD_BYTES", str(10 * 1024 * 1024)))
IMAGE_MAX_PIXELS = int(os.environ.get("IMAGE_MAX_PIXELS", str(40_000_000)))
IMAGE_RENDITION_WIDTHS = (480, 800, 1200)

# Comments (the comments app's own settings)
COMMENTS_MAX_DEPTH = int(os.environ.get("COMMENTS_MAX_DEPTH", "3"))
# Close comments on articles older than this many days; 0 keeps them open.
COMMENTS_CLOSE_AFTER_DAYS = int(os.environ.get("COMMENTS_CLOSE_AFTER_DAYS", "0"))
COMMENTS_MAX_LINKS = int(os.environ.get("COMMENTS_MAX_LINKS", "2"))
COMMENTS_APPROVE_KNOWN_AUTHORS = env_bool("COMMENTS_APPROVE_KNOWN_AUTHORS", default=True)
COMMENTS_RATE_LIMIT_PER_MINUTE = int(os.environ.get("COMMENTS_RATE_LIMIT_PER_MINUTE", "5"))
COMMENTS_MIN_SECONDS_TO_SUBMIT = 3
COMMENTS_MAX_LENGTH = 5000
COMMENTS_CLIENT_HASH_DAYS = 30
COMMENTS_NOTIFY_INTERVAL_SECONDS = 3600
COMMENTS_NOTIFICATION_MAX_ATTEMPTS = int(os.environ.get("COMMENTS_NOTIFICATION_MAX_ATTEMPTS", "5"))
# The first retry of an e-mail that failed comes after this many seconds; each next one waits twice
# as long (5, 10, 20, 40 minutes by default).
COMMENTS_NOTIFICATION_RETRY_SECONDS = int(
    os.environ.get("COMMENTS_NOTIFICATION_RETRY_SECONDS", "300")
)

# Leads (the leads app's own settings)
# Who is told about each new information request (comma-separated e-mail addresses).
LEADS_NOTIFY_EMAILS = env_list("LEADS_NOTIFY_EMAILS")
# Optional CRM hand-off: each submission is POSTed there as JSON, signed with the secret.
LEADS_WEBHOOK_URL = os.environ.get("LEADS_WEBHOOK_URL", "")
LEADS_WEBHOOK_SECRET = os.environ.get("LEADS_WEBHOOK_SECRET", "")
LEADS_WEBHOOK_TIMEOUT = int(os.environ.get("LEADS_WEBHOOK_TIMEOUT", "10"))
LEADS_WEBHOOK_MAX_ATTEMPTS = int(os.environ.get("LEADS_WEBHOOK_MAX_ATTEMPTS", "6"))
LEADS_EMAIL_MAX_ATTEMPTS = int(os.environ.get("LEADS_EMAIL_MAX_ATTEMPTS", "8"))
# Back-off of e-mail and webhook retries: this many seconds, then twice as long each time (at most
# six hours).
LEADS_RETRY_SECONDS = int(os.environ.get("LEADS_RETRY_SECONDS", "60"))
# Leads closed (enrolled or not interested) for longer than this are deleted by `purge_leads`.
LEADS_RETENTION_DAYS = int(os.environ.get("LEADS_RETENTION_DAYS", "730"))
LEADS_RATE_LIMIT = int(os.environ.get("LEADS_RATE_LIMIT", "5"))  # requests per client and hour
LEADS_MIN_FILL_SECONDS = int(os.environ.get("LEADS_MIN_FILL_SECONDS", "3"))  # time trap

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"outage": {"()": "careers_site.cache.OutageLogFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"careers_site.cache.outage": {"filters": ["outage"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
}

# CDN in front (careers_site/cdn.py, cdn/default.vcl)
# Where careers_site.cdn.purge sends `PURGE /` with the changed surrogate keys, comma-separated
# (e.g. http://127.0.0.1:8080/ for `make serve-cdn`); empty: no CDN, nothing is sent.
CDN_PURGE_URLS = env_list("DJANGO_CDN_PURGE_URLS")
# Seconds each purge request may take before it is given up (and logged).
CDN_PURGE_TIMEOUT = float(os.environ.get("DJANGO_CDN_PURGE_TIMEOUT", "1"))
