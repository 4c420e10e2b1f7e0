"""Settings for Duos de demain: every value comes from the environment (see README.md).

The defaults suit a laptop (SQLite and a SQLite-backed broker under var/, emails written to
files); production sets DATABASE_URL, CELERY_BROKER_URL, EMAIL_URL and SECRET_KEY.
"""

import secrets
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.conf import global_settings
from django.conf.locale import LANG_INFO
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from duos.ops.cache import resilient

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"
VAR_DIR.mkdir(exist_ok=True)

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)
# Written by `make install` on a laptop (DEBUG=true), so that `manage.py` works there without
# exporting anything; the environment and .env win over it, and no image or server has it.
environ.Env.read_env(VAR_DIR / "laptop.env", overwrite=False)


def _number(name: str, default: float, cast: type = int) -> float:
    """A number from the environment; unset or empty (docker-compose's ${NAME:-}) is the default."""
    value = env.str(name, default="")
    return cast(value) if value else default


DEBUG = env.bool("DEBUG", default=False)

# A fixed key is only acceptable on a laptop; outside DEBUG a missing key stops the start.
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "insecure-key-for-a-laptop-only-never-in-production-0123456789"  # noqa: S105

ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
# The Sites framework's row (allauth reads its name and domain): the programme's name and
# SITE_URL's host, written after every migrate by accounts/site.py.
SITE_ID = 1
SITE_NAME = "Duos de demain"

INSTALLED_APPS = [
    "accounts",
    "matching",
    "duos",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.sites",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_celery_beat",
    "csp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "duos.ops.middleware.RejectNulBytesMiddleware",
    "csp.middleware.CSPMiddleware",
    "duos.ops.middleware.PermissionsPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "duos.ops.middleware.PrivateCacheMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.StaffTwoFactorMiddleware",
]

ROOT_URLCONF = "duos.urls"
WSGI_APPLICATION = "duos.wsgi.application"

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
                "duos.context_processors.programme",
                "duos.context_processors.staff_menu",
            ],
        },
    },
]

# --- Database ------------------------------------------------------------------------------
DATABASES = {"default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'duos.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat write to the same file: WAL lets readers run beside a writer,
    # IMMEDIATE takes the write lock up front (no lock upgrade deadlock), and the timeout
    # makes a writer wait instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# A PostgreSQL that accepts connections and never answers must not hold a request until gunicorn
# kills the worker: every connection gives up connecting after DATABASE_CONNECT_TIMEOUT seconds
# (libpq's minimum is 2) and every statement after DATABASE_STATEMENT_TIMEOUT seconds. The page
# then answers 503 (duos.ops.views.server_error). Options written in DATABASE_URL win.
DATABASE_CONNECT_TIMEOUT = _number("DATABASE_CONNECT_TIMEOUT", 5)
DATABASE_STATEMENT_TIMEOUT = _number("DATABASE_STATEMENT_TIMEOUT", 20)
POSTGRES_OPTIONS = {
    "connect_timeout": DATABASE_CONNECT_TIMEOUT,
    "options": f"-c statement_timeout={DATABASE_STATEMENT_TIMEOUT}s",
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["OPTIONS"] = {
        **POSTGRES_OPTIONS,
        **DATABASES["default"].get("OPTIONS", {}),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Seconds a request waits for Redis (cache and broker) to connect, then for each answer.
REDIS_TIMEOUT = _number("REDIS_TIMEOUT", 1.0, float)
# A Redis cache keeps working through a Redis outage, in each process's memory (duos/ops/cache.py).
CACHES = {
    "default": resilient(
        env.cache_url("CACHE_URL", default=f"filecache://{VAR_DIR / 'cache'}"), REDIS_TIMEOUT
    )
}

# --- Accounts ------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # Permissions in one query, read by every page (it checks no password).
    "accounts.backends.PermissionsBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "accounts:dashboard"
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {"signup": "accounts.signup_forms.SignupForm"}
ACCOUNT_LOGIN_METHODS = {"email"}
# The password is typed once: a second box asks the same again, and a mistyped one is mended by
# "forgotten password" (the person has just proved their mailbox).
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
# A mail scanner following the link must confirm nothing: the link opens a page with a button.
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
# Sign-up, login and password reset answer the same for a known and an unknown email.
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Duos de demain] "
ACCOUNT_LOGOUT_REDIRECT_URL = "home"
# allauth's default rate limits stay on; they count in CACHES["default"] (Redis in production).
# They count per client address: behind TRUSTED_PROXY_COUNT reverse proxies, the address the
# outermost of ours saw (X-Forwarded-For's entry that many from the right; the entries a client
# writes itself are further left, never read). 0: REMOTE_ADDR, X-Forwarded-For ignored.
ALLAUTH_TRUSTED_PROXY_COUNT = _number("TRUSTED_PROXY_COUNT", 0)
MFA_ADAPTER = "accounts.adapter.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Duos de demain"

# --- Internationalisation ------------------------------------------------------------------
LANGUAGE_CODE = "fr"
# Each in its own script in the switcher (LANG_INFO's name_local); French stays the default.
LANGUAGES = [
    ("fr", _("French")),
    ("en", _("English")),
    ("ar", _("Arabic")),
    ("fa", _("Dari (Persian)")),
    ("ps", _("Pashto")),
    ("uk", _("Ukrainian")),
    ("ru", _("Russian")),
]
# Django ships no locale data for Pashto: its name, and right-to-left like Arabic and Dari.
LANG_INFO["ps"] = {"bidi": True, "code": "ps", "name": "Pashto", "name_local": "پښتو"}
LANG_INFO["fa"] = {**LANG_INFO["fa"], "name_local": "دری (فارسی)"}
LANGUAGES_BIDI = [*global_settings.LANGUAGES_BIDI, "ps"]
# Ours first; then Django's and allauth's strings in a language their catalogs lack (Pashto).
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "thirdparty" / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="Europe/Paris")
USE_I18N = True
USE_TZ = True

# --- Static files --------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Tests render pages without collectstatic.
WHITENOISE_USE_FINDERS = DEBUG

# --- Email ---------------------------------------------------------------------------------
# One choice, by the environment. Without EMAIL_PROVIDER, EMAIL_URL says where emails go: SMTP
# in production, files under var/mail/ on a laptop (the default), where a person can read them.
# (django-environ drops the path's first slash: an absolute path takes four, filemail:////var/...)
vars().update(env.email_url("EMAIL_URL", default=f"filemail:///{VAR_DIR / 'mail'}"))
# Or an API provider through django-anymail, e.g. anymail.backends.mailgun.EmailBackend; its
# settings come from ANYMAIL_<NAME> variables (ANYMAIL_MAILGUN_API_KEY=... becomes
# ANYMAIL["MAILGUN_API_KEY"]). Its tracking webhook (/anymail/<provider>/tracking/, only the
# configured provider's) reports hard bounces, which staff then see; it answers only with
# ANYMAIL_WEBHOOK_SECRET ("user:password", HTTP basic auth).
EMAIL_PROVIDER = env.str("EMAIL_PROVIDER", default="")
if EMAIL_PROVIDER:
    EMAIL_BACKEND = EMAIL_PROVIDER
ANYMAIL = {
    name.removeprefix("ANYMAIL_"): value
    for name, value in env.ENVIRON.items()
    if name.startswith("ANYMAIL_") and value
}
if not ANYMAIL.get("WEBHOOK_SECRET"):
    if EMAIL_PROVIDER and not DEBUG:
        raise ImproperlyConfigured("ANYMAIL_WEBHOOK_SECRET must be set with EMAIL_PROVIDER.")
    # Nobody knows this one: the webhooks stay shut (anymail leaves them open without one).
    ANYMAIL["WEBHOOK_SECRET"] = f"unset:{secrets.token_urlsafe(32)}"
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Duos de demain <duos@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
PROGRAMME_EMAIL = env.str("PROGRAMME_EMAIL", default="duos@localhost")

# --- The privacy notice (/confidentialite/, accounts/views/texts.py) ------------------------
# Who is responsible for the data and whom to ask (GDPR art. 13(1)(a) and (b)). The addresses
# are printed only when set: production sets the real ones, a laptop shows the emails alone.
# Unset or empty (docker-compose's ${NAME:-}) is the default.
PRIVACY_CONTROLLER = env.str("PRIVACY_CONTROLLER", default="") or "France terre d'asile"
PRIVACY_CONTROLLER_ADDRESS = env.str("PRIVACY_CONTROLLER_ADDRESS", default="")
PRIVACY_CONTACT_EMAIL = env.str("PRIVACY_CONTACT_EMAIL", default="") or PROGRAMME_EMAIL
PRIVACY_DPO_EMAIL = env.str("PRIVACY_DPO_EMAIL", default="") or "dpo@localhost"
PRIVACY_DPO_ADDRESS = env.str("PRIVACY_DPO_ADDRESS", default="")

# --- Reminders (duos/followup/reminders.py) -----------------------------------------------
# A claim older than this was left by a dead worker and is taken over by a later sweep. The
# delivery tests shorten it and the backoff for their real worker; production keeps these.
REMINDER_CLAIM_STALE_SECONDS = env.int("REMINDER_CLAIM_STALE_SECONDS", default=5 * 60)
# Waits after the 1st, 2nd... failed send; the last one repeats until the month closes.
REMINDER_RETRY_BACKOFF_SECONDS = env.list(
    "REMINDER_RETRY_BACKOFF_SECONDS", cast=int, default=[300, 900, 3600, 3 * 3600, 6 * 3600]
)

# --- Hostile input -------------------------------------------------------------------------
# Django answers 400 past these limits; our forms are small.
DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000_000
DATA_UPLOAD_MAX_NUMBER_FIELDS = 300
DATA_UPLOAD_MAX_NUMBER_FILES = 5
FILE_UPLOAD_MAX_MEMORY_SIZE = 1_000_000

# --- Security ------------------------------------------------------------------------------
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        # allauth draws the two-factor QR code as a data: image.
        "img-src": [SELF, "data:"],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "object-src": [NONE],
    }
}
# What the site never uses, denied to every page and anything it might embed.
# (Two-factor is TOTP: no WebAuthn either.)
NEVER_USED_FEATURES = (
    *("accelerometer", "autoplay", "bluetooth", "camera", "display-capture", "geolocation"),
    *("gyroscope", "hid", "magnetometer", "microphone", "midi", "payment"),
    *("publickey-credentials-get", "screen-wake-lock", "serial", "usb", "xr-spatial-tracking"),
)
PERMISSIONS_POLICY = ", ".join(f"{feature}=()" for feature in NEVER_USED_FEATURES)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# --- Celery --------------------------------------------------------------------------------
# Laptop default: kombu's SQLAlchemy transport on its own SQLite file (not the app's database),
# so worker and beat run as separate processes with no server to install. Production: Redis.
CELERY_BROKER_URL = env.str(
    "CELERY_BROKER_URL", default=f"sqla+sqlite:///{VAR_DIR / 'celery-broker.sqlite3'}"
)
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
REDIS_BROKER = CELERY_BROKER_URL.startswith(("redis://", "rediss://"))
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {
        # Redis: a message not acknowledged within an hour is delivered again, so no task may be
        # scheduled further ahead than that (what is due later is found by a beat sweep).
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
        # How often a worker looks for such tasks (one cheap Redis query each time).
        "unacked_restore_interval": env.int("CELERY_UNACKED_RESTORE_INTERVAL", default=10),
        "unacked_restore_throttle": 1,
        "socket_connect_timeout": REDIS_TIMEOUT,
        "socket_timeout": REDIS_TIMEOUT,
        "max_retries": 1,
    }
    if REDIS_BROKER
    else {}
)
# A request never hangs on a dead broker: a few quick retries, then the error surfaces.
CELERY_TASK_PUBLISH_RETRY = True
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_TIME_LIMIT = 15 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 14 * 60
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Every periodic task is declared here, in one place (django-celery-beat syncs them to its
# tables at start).
CELERY_BEAT_SCHEDULE = {
    "heartbeat": {"task": "duos.tasks.heartbeat", "schedule": 60.0, "args": ("beat",)},
    "remind-unfinished-profiles": {
        "task": "accounts.tasks.remind_unfinished_profiles",
        "schedule": 3600.0,
    },
    "sweep-stale-match-runs": {"task": "matching.tasks.sweep_stale_runs", "schedule": 60.0},
    "expire-unanswered-duos": {"task": "duos.tasks.expire_unanswered_duos", "schedule": 3600.0},
    # The monthly reminders: rows and claims make a sweep that overlaps another harmless.
    "send-due-reminders": {"task": "duos.tasks.send_due_reminders", "schedule": 15 * 60.0},
    "anonymise-inactive-people": {
        "task": "accounts.tasks.anonymise_inactive_people",
        "schedule": 24 * 3600.0,
    },
    "send-activity-reminders": {
        "task": "duos.tasks.send_activity_reminders",
        "schedule": 15 * 60.0,
    },
}

# --- Logging -------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}
