"""Settings for the pledge tracker, read from the environment.

Development needs no variables at all: DEBUG is on, the database is SQLite in the
project folder. Production sets DEBUG=0, SECRET_KEY, ALLOWED_HOSTS and, when one
machine is not enough, DATABASE_URL. See README.md.
"""

import datetime
import os
import tempfile
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from tracker.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", True)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. With DEBUG off the app needs a secret key of its own: "
            "set SECRET_KEY to a long random string (for example the output of "
            "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`)."
        )
    # Only ever used with DEBUG on, on a developer's machine.
    SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "ALLOWED_HOSTS is not set. With DEBUG off, list the host names the app answers to, "
        "separated by commas (for example ALLOWED_HOSTS=pledges.example.org)."
    )
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "axes",
    "tracker",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every page needs a login unless its view says otherwise (the login page does).
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last but two, so that it sees a view's database errors first: a busy record is a 503.
    "tracker.middleware.BusyRecordMiddleware",
    # Logged-in pages and exports are kept by no cache; refused access is logged.
    "tracker.middleware.PrivatePagesMiddleware",
    # Last, as django-axes asks: it answers a locked-out login.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tracker.urls"
WSGI_APPLICATION = "tracker.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]


def _database_from_url(url: str) -> dict:
    try:
        config = dj_database_url.parse(url, conn_max_age=env_int("CONN_MAX_AGE", 60))
    except ValueError as error:
        raise ImproperlyConfigured(f"DATABASE_URL={url!r} cannot be read: {error}") from None
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["CONN_MAX_AGE"] = 0
        config["OPTIONS"] = {
            # IMMEDIATE takes the write lock when a transaction starts, so two writers
            # queue behind the busy timeout instead of failing half-way with
            # "database is locked". WAL lets readers go on while one writes.
            "transaction_mode": "IMMEDIATE",
            # A writer waits this long for another to finish, then the person is told the
            # record is busy (tracker.middleware) rather than every worker being held.
            "timeout": env_int("DATABASE_BUSY_SECONDS", 5),
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
        # Tests run on a file too, not in memory: an in-memory database shared between
        # threads locks differently, and the tests of two analysts at once must see the
        # locking that the app really has. One file per test run, so that runs side by
        # side do not meet.
        config["TEST"] = {
            "NAME": str(Path(tempfile.gettempdir()) / f"pledge-tracker-test-{os.getpid()}.sqlite3")
        }
    elif config["ENGINE"] == "django.db.backends.postgresql":
        # A row held by someone else, or a query gone wrong, must not hold a worker for
        # long: past these, the person is told the record is busy (tracker.middleware).
        lock = env_int("DATABASE_BUSY_SECONDS", 5)
        statement = env_int("DATABASE_STATEMENT_SECONDS", 30)
        # No JIT compilation: the app's queries are short reads, and the planner's high
        # estimates for the as-of subqueries made it compile them (0.4-1.2 s each).
        config.setdefault("OPTIONS", {})["options"] = (
            f"-c lock_timeout={lock}s -c statement_timeout={statement}s -c jit=off"
        )
    # A connection kept from an earlier request is checked before use, so that a
    # database restart costs no request.
    config["CONN_HEALTH_CHECKS"] = True
    return config


DATABASES = {"default": _database_from_url(env_str("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
FIXTURE_DIRS = [BASE_DIR / "fixtures"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Password reset links go by e-mail: through EMAIL_HOST when one is set; in development
# without one they are printed to the console, in production sent to the machine's own
# mail server (localhost:25).
if env_str("EMAIL_HOST") or not DEBUG:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": env_str("EMAIL_HOST", "localhost"),
                "port": env_int("EMAIL_PORT", 587 if env_str("EMAIL_HOST") else 25),
                "username": env_str("EMAIL_USER") or None,
                "password": env_str("EMAIL_PASSWORD") or None,
                "use_tls": env_bool("EMAIL_USE_TLS", bool(env_str("EMAIL_HOST"))),
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "pledges@localhost")

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT") or BASE_DIR / "staticfiles")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Hashed, compressed files in production (after collectstatic); plain files
        # while developing, so nothing has to be collected first.
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# A statement of up to a million characters (tracker.importing.sources) travels in the
# import form between reading and saving: 4 bytes a character at most, sent as form data.
DATA_UPLOAD_MAX_MEMORY_SIZE = 4_500_000

# Content Security Policy: scripts only from here, and inline ones only with the
# per-request nonce (htmx is loaded with it). No inline styles, no framing.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SECURE_COOKIES = env_bool("SECURE_COOKIES", not DEBUG)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
if env_bool("BEHIND_HTTPS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# HTTPS only, once DEBUG is off: plain HTTP is redirected, and browsers are told to use
# HTTPS for a year. SSL_REDIRECT=0 when a TLS proxy in front redirects already.
SECURE_SSL_REDIRECT = env_bool("SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("HSTS_SECONDS", 0 if DEBUG else 31_536_000)
# The app's own host name and the names below it; "preload" only consents to a listing
# that the domain's owner would still have to ask for.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("HSTS_PRELOAD", not DEBUG)

# Sessions end after SESSION_IDLE_HOURS without a request (tracker.middleware keeps an
# active one alive), and when the browser closes.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_HOURS", 8) * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = env_bool("SESSION_EXPIRE_AT_BROWSER_CLOSE", True)

# Logins: five failures for one account, or from one address, then 15 minutes of rest
# (django-axes, answered 429 with templates/locked_out.html); the admin's login too.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's, but a demo account's published password does not work with DEBUG off.
    "tracker.backends.AccountBackend",
]
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
# Behind the proxy, the client's address (not the proxy's), as the logs give it.
AXES_CLIENT_IP_CALLABLE = "tracker.middleware.client_address"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "locked_out.html"
AXES_VERBOSE = False  # the app logs logins itself (tracker.signals), one line each

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Times in UTC, whatever the server's zone: logins and refusals are compared across hosts.
    "formatters": {
        "utc": {
            "()": "tracker.env.UTCFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s: %(message)s",
        }
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "utc"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO").upper()},
    # django-axes says each failure and reset itself; the app logs each login, failure and
    # lockout once (tracker.signals).
    "loggers": {"axes": {"level": "ERROR"}},
}
