"""Komunigi's one settings module, driven by environment variables.

The README's "Configuration" section lists every variable read here. Development needs none of
them: data (SQLite database, secret key, e-mails written as files) goes to ``./var``.
"""

import os
import secrets
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from komunigi.env import (
    env_addresses,
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_rate,
    env_str,
)

PACKAGE_DIR = Path(__file__).resolve().parent

KOMUNIGI_ENV = env_choice("KOMUNIGI_ENV", ("development", "production"), "development")
PRODUCTION = KOMUNIGI_ENV == "production"
DEBUG = env_bool("KOMUNIGI_DEBUG", not PRODUCTION)

DATA_DIR = Path(env_str("KOMUNIGI_DATA_DIR", "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """The production key comes from the environment; development keeps one in the data dir."""
    key = env_str("SECRET_KEY")
    if key:
        return key
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY is required when KOMUNIGI_ENV=production")
    path = DATA_DIR / "secret_key"
    try:
        # O_EXCL: two processes starting at once must not write two different keys.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as file:
        file.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = _secret_key()

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]"])
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS is required when KOMUNIGI_ENV=production")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# Links in e-mails are built outside any request (in background tasks), so the site's own
# address is a setting.
KOMUNIGI_BASE_URL = env_str(
    "KOMUNIGI_BASE_URL",
    f"https://{ALLOWED_HOSTS[0]}" if PRODUCTION else "http://127.0.0.1:8000",
).rstrip("/")
KOMUNIGI_COMMUNITY_NAME = env_str("KOMUNIGI_COMMUNITY_NAME", "Komunigi")
KOMUNIGI_CURRENCY = env_str("KOMUNIGI_CURRENCY", "EUR")  # ISO 4217; one currency per instance
# Share of each co-financed amount kept by the community fund (campaigns may set another).
KOMUNIGI_OVERHEAD_RATE = env_rate("KOMUNIGI_OVERHEAD_RATE", "0.05")
# Whether visitors see what each organisation paid in the co-financing history (members do).
KOMUNIGI_PUBLIC_SHARES = env_bool("KOMUNIGI_PUBLIC_SHARES", True)
# Attachments of needs: images and PDF files up to this size.
KOMUNIGI_ATTACHMENT_MAX_BYTES = env_int("KOMUNIGI_ATTACHMENT_MAX_BYTES", 5 * 1024 * 1024)
KOMUNIGI_JOIN_REQUESTS_PER_IP_PER_HOUR = env_int("KOMUNIGI_JOIN_REQUESTS_PER_IP_PER_HOUR", 5)
# Newsletter subscription requests from one network per hour (each sends an e-mail).
KOMUNIGI_NEWSLETTER_SUBSCRIPTIONS_PER_IP_PER_HOUR = env_int(
    "KOMUNIGI_NEWSLETTER_SUBSCRIPTIONS_PER_IP_PER_HOUR", 10
)
# Behind a reverse proxy every request comes from the proxy: trust its X-Forwarded-For then.
KOMUNIGI_TRUST_X_FORWARDED_FOR = env_bool("KOMUNIGI_TRUST_X_FORWARDED_FOR", False)

INSTALLED_APPS = [
    # Komunigi's apps come first so their templates win over Django's (registration, admin).
    "komunigi.web",
    "komunigi.community",
    "komunigi.needs",
    "komunigi.meetings",
    "komunigi.funding",
    "komunigi.news",
    "komunigi.discussions",
    "komunigi.commons",
    "komunigi.audit",
    "komunigi.notifications",
    "komunigi.throttle",
    "komunigi.web.apps.KomunigiAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_countries",
    "django_tasks",
    "django_tasks_db",
    "ninja",
]

# Forms render as Django's do, with the few widget templates web/form_templates/ replaces.
FORM_RENDERER = "komunigi.web.forms_renderer.FormRenderer"

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "komunigi.web.middleware.RefuseNullCharactersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "komunigi.web.middleware.PublicCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "komunigi.web.middleware.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "komunigi.web.middleware.UserTimeZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "komunigi.urls"
WSGI_APPLICATION = "komunigi.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "komunigi.web.context_processors.site",
            ],
        },
    },
]


def _database() -> dj_database_url.DBConfig:
    url = env_str("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'komunigi.sqlite3'}"
    config = dj_database_url.parse(url, conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60))
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["CONN_MAX_AGE"] = 0
        config["OPTIONS"] = {
            # WAL lets readers work while one process writes; IMMEDIATE makes a writing
            # transaction wait for the lock instead of failing halfway.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
        # Tests use a file too, not Django's shared in-memory database: that one answers
        # "table is locked" to concurrent connections instead of waiting as a file does.
        # One file per test process, so two test runs at once do not share a database.
        config["TEST"] = {"NAME": str(DATA_DIR / f"test-komunigi-{os.getpid()}.sqlite3")}
    else:
        # A reused connection is not pinged before each request (a request's worth of time
        # on a fast page); a connection the database dropped fails that one request and is
        # replaced. DATABASE_CONN_HEALTH_CHECKS=true pings instead.
        config["CONN_HEALTH_CHECKS"] = env_bool("DATABASE_CONN_HEALTH_CHECKS", False)
    return config


DATABASES = {"default": _database()}

# A few fragments are the same for everybody and costly to make (a campaign's split among
# hundreds of pledges): kept in Redis when REDIS_URL is set (shared by every process), in each
# process's memory otherwise.
REDIS_URL = env_str("REDIS_URL")
# How long a reverse proxy may keep a page that is the same for every visitor.
KOMUNIGI_PUBLIC_MAX_AGE = env_int("KOMUNIGI_PUBLIC_MAX_AGE", 60)
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "community.User"
AUTHENTICATION_BACKENDS = ["komunigi.community.backends.FacilitatorBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "home"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24 * 7  # invitation links stay valid for a week
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    # New passwords: 12 characters at least (OWASP ASVS 2.1.1); older ones still log in.
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "fr"
LANGUAGES = [
    ("fr", _("French")),
    ("en", _("English")),
    ("nl", _("Dutch")),
    ("de", _("German")),
    ("es", _("Spanish")),
]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
FORMAT_MODULE_PATH = ["komunigi.formats"]  # British English dates
USE_I18N = True
USE_TZ = True
TIME_ZONE = env_str("TIME_ZONE", "Europe/Brussels")
LANGUAGE_COOKIE_SECURE = PRODUCTION
LANGUAGE_COOKIE_SAMESITE = "Lax"

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT") or DATA_DIR / "static")
MEDIA_ROOT = DATA_DIR / "media"
# Outside production WhiteNoise serves straight from the apps' static folders, no collectstatic.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = DEBUG
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# E-mail: real SMTP when SMTP_HOST is set, otherwise one file per message in the data dir.
SMTP_HOST = env_str("SMTP_HOST")
EMAIL_FILE_PATH = DATA_DIR / "mail"
if SMTP_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = SMTP_HOST
    EMAIL_USE_SSL = env_bool("SMTP_SSL", False)
    EMAIL_USE_TLS = env_bool("SMTP_STARTTLS", not EMAIL_USE_SSL)
    EMAIL_PORT = env_int("SMTP_PORT", 465 if EMAIL_USE_SSL else 587)
    EMAIL_HOST_USER = env_str("SMTP_USER")
    EMAIL_HOST_PASSWORD = env_str("SMTP_PASSWORD")
    if EMAIL_USE_TLS and EMAIL_USE_SSL:
        raise ImproperlyConfigured("SMTP_STARTTLS and SMTP_SSL cannot both be true")
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_TIMEOUT = env_int("SMTP_TIMEOUT", 30)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Komunigi <noreply@komunigi.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Who gets Django's report of a page that failed (a 500), when DEBUG is off: "Ada
# <ada@example.org>, ops@example.org". The report goes through the outbox (LOGGING below).
ADMINS = env_addresses("KOMUNIGI_ADMINS")
EMAIL_SUBJECT_PREFIX = f"[{KOMUNIGI_COMMUNITY_NAME}] "
# The domain of the community's mailing lists (community@…, logistique@…): the sender's by
# default. Its mail must reach `komunigi lmtp` (see the README).
KOMUNIGI_MAIL_DOMAIN = env_str(
    "KOMUNIGI_MAIL_DOMAIN", DEFAULT_FROM_EMAIL.rpartition("@")[2].rstrip(">").strip()
)

# Background work: the Django tasks API. Development runs tasks at once, in the request;
# production stores them in the database for `komunigi db_worker`.
_TASK_BACKENDS = {
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
    "database": "django_tasks_db.DatabaseBackend",
}
TASKS = {
    "default": {
        "BACKEND": _TASK_BACKENDS[
            env_choice(
                "KOMUNIGI_TASKS", tuple(_TASK_BACKENDS), "database" if PRODUCTION else "immediate"
            )
        ]
    }
}

# Security headers. Production defaults pass `komunigi check --deploy`; behind a TLS-terminating
# proxy set TRUST_X_FORWARDED_PROTO=true.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", PRODUCTION)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", PRODUCTION)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", PRODUCTION)
if env_bool("TRUST_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers probe over plain HTTP
SECURE_REFERRER_POLICY = "same-origin"
CSRF_FAILURE_VIEW = "komunigi.web.views.csrf_failure"
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
X_FRAME_OPTIONS = "DENY"

# No inline script or style anywhere, so the policy can stay strict.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

NINJA_PAGINATION_PER_PAGE = 100
NINJA_PAGINATION_MAX_PER_PAGE_SIZE = 500

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "{asctime} {levelname} {name}: {message}", "style": "{"}},
    "filters": {"require_debug_false": {"()": "django.utils.log.RequireDebugFalse"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
        # Django's report of each error (a 500 above all) to ADMINS, through the outbox; the
        # debug page shows the same during development.
        "mail_admins": {
            "level": "ERROR",
            "filters": ["require_debug_false"],
            "class": "komunigi.notifications.error_reports.AdminEmailHandler",
        },
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        # In place of Django's own handlers: its mail_admins sends without the outbox, and its
        # console repeated what the root logger prints.
        "django": {"handlers": ["mail_admins"], "level": "INFO"},
        # A request naming another site in its Host header is a stranger's probe, not an error
        # of ours: logged, not mailed.
        "django.security.DisallowedHost": {"handlers": ["console"], "propagate": False},
        "django.db.backends": {"level": "INFO"},
    },
}
