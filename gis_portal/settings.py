"""Django settings for Pang Mu E-Smart Service.

Everything that differs between machines comes from the environment (see `.env.example`);
the defaults are the local development set-up that `make setup` creates.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)
# A development key is only acceptable with DEBUG on; production must set SECRET_KEY.
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise RuntimeError("SECRET_KEY must be set in the environment when DEBUG is off")
    SECRET_KEY = "dev-only-insecure-key-change-me"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "http://127.0.0.1:8000,http://localhost:8000")

INSTALLED_APPS = [
    "gis_portal.admin_apps.PortalAdminConfig",  # django.contrib.admin, every admin organisation-scoped
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.gis",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework_gis",
    "rest_framework.authtoken",
    "drf_spectacular",
    "simple_history",
    "gis_portal",
    "gis_portal.audit",
    "gis_portal.once",
    "gis_portal.apipasswords",
    "parcels",
    "drone_ingest",
    "taxes",
    "eservices",
    "tiles",
    "community",
    "health",
    "notifications",
    "travel",
    "fieldwork",
    "kids",
    "languages",
]

MIDDLEWARE = [
    "gis_portal.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "gis_portal.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "gis_portal.middleware.TileFastPathMiddleware",  # map tiles skip the page middleware below
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "gis_portal.urls"
WSGI_APPLICATION = "gis_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "gis_portal" / "templates"],
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
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", "postgis://pangmu:pangmu@127.0.0.1:5432/pangmu"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
        # GeoDjango's PostGIS backend with a round-trip-free health check (gis_portal/dbbackend).
        engine="gis_portal.dbbackend",
    )
}
DATABASES["default"]["TEST"] = {"NAME": os.environ.get("TEST_DATABASE_NAME", "test_pangmu")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "th"
LANGUAGES = [("th", _("Thai")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Bangkok"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "var" / "static"))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "media"))
# Shared files on an S3-compatible object store (MinIO, ...) when a bucket is set; local disk
# otherwise. See gis_portal/storage.py and docs/DEPLOY.md.
OBJECT_STORE_BUCKET = os.environ.get("OBJECT_STORE_BUCKET", "")
OBJECT_STORE_ENDPOINT = os.environ.get("OBJECT_STORE_ENDPOINT", "")
OBJECT_STORE_PREFIX = os.environ.get("OBJECT_STORE_PREFIX", "")
OBJECT_STORE_REGION = os.environ.get("OBJECT_STORE_REGION", "us-east-1")
STORAGES = {
    "default": {
        "BACKEND": (
            "gis_portal.storage.MediaStorage"
            if OBJECT_STORE_BUCKET
            else "django.core.files.storage.FileSystemStorage"
        )
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Upload limits for register imports through the web UI (orthomosaics use their own chunked path).
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
REGISTER_IMPORT_MAX_BYTES = int(os.environ.get("REGISTER_IMPORT_MAX_BYTES", str(200 * 1024 * 1024)))

LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(8 * 3600)))
# Login lockout (gis_portal/security.py): failures per user name and per address.
LOGIN_MAX_FAILURES = int(os.environ.get("LOGIN_MAX_FAILURES", "5"))
LOGIN_LOCKOUT_SECONDS = int(os.environ.get("LOGIN_LOCKOUT_SECONDS", "900"))
# HTTP Basic (API passwords) only over HTTPS, except on a development machine.
API_BASIC_REQUIRE_HTTPS = env_bool("API_BASIC_REQUIRE_HTTPS", not DEBUG)
# Only behind our own reverse proxy, which sets X-Forwarded-For, may the header be trusted.
TRUST_X_FORWARDED_FOR = env_bool("TRUST_X_FORWARDED_FOR", False)
CSRF_COOKIE_HTTPONLY = False
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
if env_bool("BEHIND_TLS_PROXY", not DEBUG):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Strict CSP: scripts only from our static files; styles may use attributes (the admin does).
CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self' 'unsafe-inline'",
    "img-src": "'self' data: blob:",
    "font-src": "'self' data:",
    "connect-src": "'self'",
    "worker-src": "'self' blob:",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}

# --- Redis / Celery -------------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", REDIS_URL)
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", REDIS_URL)
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_DEFAULT_QUEUE = "celery"
BACKUP_ROOT = Path(os.environ.get("BACKUP_ROOT", BASE_DIR / "var" / "backups"))
BACKUP_KEEP = int(os.environ.get("BACKUP_KEEP", "14"))
CELERY_TASK_ROUTES = {"drone_ingest.*": {"queue": "imagery"}}
CELERY_BEAT_SCHEDULE = {
    "nightly-backup": {
        "task": "gis_portal.tasks.nightly_backup",
        "schedule": __import__("celery.schedules", fromlist=["crontab"]).crontab(hour=2, minute=0),
    },
    # Imagery jobs whose worker died (stale heartbeat) go back on the queue.
    "requeue-stale-imagery": {"task": "drone_ingest.requeue_stale", "schedule": 600.0},
    # Notifications the queue never got (broker down, worker died) are queued again.
    "resend-stale-notifications": {"task": "notifications.tasks.resend_stale", "schedule": 600.0},
    "announce-bills": {
        "task": "notifications.tasks.announce_bills_all",
        "schedule": __import__("celery.schedules", fromlist=["crontab"]).crontab(hour=8, minute=0),
    },
}

CACHES = {
    "default": {
        # Redis, but a Redis outage degrades to "no cache" instead of failing requests (gis_portal/cache.py).
        "BACKEND": "gis_portal.cache.TolerantRedisCache",
        "LOCATION": os.environ.get("CACHE_URL", REDIS_URL),
        "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "pangmu"),
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1.0},
    }
}

# --- REST API ----------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
        # HTTP Basic with a per-user API password (QGIS 3.22 has no method sending a Token header).
        "gis_portal.apipasswords.authentication.ApiPasswordBasicAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 100,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Pang Mu E-Smart Service API",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI and Redoc from drf-spectacular-sidecar's files, served locally (no CDN).
    "SWAGGER_UI_DIST": "/api/v1/docs/assets/swagger-ui-dist",
    "SWAGGER_UI_FAVICON_HREF": "/api/v1/docs/assets/swagger-ui-dist/favicon-32x32.png",
    "REDOC_DIST": "/api/v1/docs/assets/redoc",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several tables have a "status"; name the choice sets that would otherwise collide.
    "ENUM_NAME_OVERRIDES": {"AssessmentStatusEnum": "taxes.models.AssessmentStatus"},
}

# --- Register rules -------------------------------------------------------------------------------
# Parcels of one organisation may touch but not overlap by more than this many square metres
# (digitising noise along a shared boundary stays below it).
PARCEL_OVERLAP_TOLERANCE_M2 = float(os.environ.get("PARCEL_OVERLAP_TOLERANCE_M2", "1.0"))
# A parcel smaller than this is a digitising or coordinate-system mistake, not land.
PARCEL_MIN_AREA_M2 = float(os.environ.get("PARCEL_MIN_AREA_M2", "4.0"))
# A building footprint may stick out of its parcel by at most this many square metres.
BUILDING_OUTSIDE_TOLERANCE_M2 = float(os.environ.get("BUILDING_OUTSIDE_TOLERANCE_M2", "1.0"))
# Where the real public data for the demo lives (the repository's sibling `shared/data`).
SHARED_DATA_DIR = Path(os.environ.get("SHARED_DATA_DIR", BASE_DIR.parent / "shared" / "data"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "gis_portal.middleware.RequestIdLogFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "gis_portal.logging.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": os.environ.get("LOG_FORMAT", "plain" if DEBUG else "json"),
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

AUTHENTICATION_BACKENDS = ["gis_portal.auth.OrganisationRoleBackend"]

# Debian 12 ships GDAL 3.6, older than the 3.9 that Django's gis.W001 asks for (blocking file and
# network access from spatial reference strings). Our mitigation: no user-supplied SRS text reaches
# GDAL; CRSs come from files read with pyogrio (its own bundled GDAL) or are EPSG codes.
SILENCED_SYSTEM_CHECKS = ["gis.W001"]
# The only coordinate systems a user-supplied file or parameter may declare (see gis_portal/crs.py):
# WGS 84, Web Mercator, UTM 47N/48N on WGS 84 and on Indian 1975.
ALLOWED_EPSG_CODES = [
    int(code)
    for code in os.environ.get("ALLOWED_EPSG_CODES", "4326,3857,32647,32648,24047,24048").split(",")
    if code.strip()
]
