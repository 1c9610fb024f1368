"""Django settings, read from the environment.

Safe for development without any variable set; nothing here is insecure by default in production:
DEBUG is off unless asked for, and the secret key comes from SECRET_KEY or, failing that, from a random
key generated once into var/secret_key (set SECRET_KEY when several app servers share sessions).
"""

from __future__ import annotations

import secrets
from pathlib import Path

import dj_database_url

from inzage.env import cache_settings, env_bool, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("INZAGE_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG", False)


def _secret_key() -> str:
    from_env = env_str("SECRET_KEY", "")
    if from_env:
        return from_env
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.touch(mode=0o600)
        key_file.write_text(secrets.token_urlsafe(50))
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.socialaccount.providers.saml",
    "allauth.usersessions",
    "django_htmx",
    "django_tasks_db",
    # Domain packages, foundation first.
    "inzage.accounts",
    "inzage.schools",
    "inzage.people",
    "inzage.visibility",
    "inzage.grades",
    "inzage.web",
    "inzage.portal",
    "inzage.teacher",
    "inzage.staff",
    "inzage.care",
    "inzage.notifications",
    "inzage.reports",
    "inzage.pta",
    "inzage.access_log",
    "inzage.timetable",
    "inzage.attendance",
    "inzage.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "inzage.web.middleware.DutchUnlessChosenMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Django's AuthenticationMiddleware, with the account from the session checked by its counter (no row query).
    "inzage.accounts.session_account.SessionAccountMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    "inzage.accounts.staff_sessions.StaffSessionMiddleware",
    "inzage.web.middleware.SecurityHeadersMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last: the access log of every read of student data, and scraping detection (docs/access-log.md).
    "inzage.access_log.middleware.AccessLogMiddleware",
]

ROOT_URLCONF = "inzage.urls"
WSGI_APPLICATION = "inzage.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "inzage" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# SQLite (`make run`: granian, 2 worker processes, one database file): WAL lets readers and one writer work at once.
# IMMEDIATE takes the write lock at BEGIN, so a transaction that reads and then writes (a grid save reads the stored
# results under its lock, then writes) waits its turn; with the default DEFERRED it fails at once with "database is
# locked" when another writer committed in between (measured with 20 parallel grid saves on a SQLite file). `timeout`
# is how long a writer waits for the lock (seconds) before that error. Tested in grades/tests/test_sqlite_writers.py.
SQLITE_OPTIONS = {
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
}

# SQLite under var/ by default; DATABASE_URL=postgres://... selects PostgreSQL (psycopg 3).
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'inzage.sqlite3'}")
_db = dj_database_url.parse(DATABASE_URL)
if _db["ENGINE"] == "django.db.backends.postgresql":
    # Persistent connections with health checks: app servers stay stateless but skip a connect per request. Django's
    # backend, with a health check that looks at the socket first and sends `SELECT 1` only when the connection
    # shows a sign of being dead (inzage/dbbackends/postgresql): one round trip less per request.
    _db["ENGINE"] = "inzage.dbbackends.postgresql"
    _db["CONN_MAX_AGE"] = int(env_str("DB_CONN_MAX_AGE", "600"))
    _db["CONN_HEALTH_CHECKS"] = True
elif _db["ENGINE"] == "django.db.backends.sqlite3":
    _db["OPTIONS"] = dict(SQLITE_OPTIONS)
_db["TEST"] = {"NAME": env_str("TEST_DATABASE_NAME", "")} if env_str("TEST_DATABASE_NAME", "") else {}
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Caches: local memory per process by default (`make run`, tests, one app server); Redis when REDIS_URL is set, so
# several app servers share one cache, the sessions and allauth's rate limits. Sessions get their own alias so that
# page fragments filling the default cache can never evict a session (a locmem cache culls when full).
REDIS_URL = env_str("REDIS_URL", "")
CACHES = cache_settings(redis_url=REDIS_URL, var_dir=VAR_DIR, key_prefix=env_str("CACHE_KEY_PREFIX", "inzage"))
# Sessions read from the cache and fall back to the database (written through on every save): no session query per
# warm request, and a session survives a restart of an app server or a flushed cache.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_CACHE_ALIAS = "sessions"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses password sign-ins for a locked account or address (docs/identity.md), on every form.
    "inzage.accounts.throttle.ThrottleBackend",
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
LOGIN_REDIRECT_URL = "web:home"
ACCOUNT_LOGOUT_REDIRECT_URL = "web:home"
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "password1*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_ADAPTER = "inzage.accounts.adapter.SchoolAccountAdapter"
ACCOUNT_SESSION_REMEMBER = None
# Argon2id first (memory-hard); the others only check hashes made before, and rehash them at the next sign-in.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
# Sign-in throttling (inzage/accounts/throttle.py) replaces allauth's login_failed limit, which locked per address
# (a school behind one NAT address) in each process's own memory. allauth's limit on all sign-ins per address is
# raised for the same reason: a whole school signs in at 8:30 from one address.
INZAGE_SIGNIN_ACCOUNT_LIMIT = int(env_str("SIGNIN_ACCOUNT_LIMIT", "5"))
INZAGE_SIGNIN_ADDRESS_LIMIT = int(env_str("SIGNIN_ADDRESS_LIMIT", "50"))
INZAGE_SIGNIN_WINDOW_SECONDS = int(env_str("SIGNIN_WINDOW_SECONDS", "900"))
ACCOUNT_RATE_LIMITS = {"login_failed": None, "login": "600/m/ip"}
# Staff: a session lasts a school day at most and needs a second factor (inzage/accounts/staff_sessions.py). The test
# suite switches the second factor off (conftest.py) because it signs staff in with force_login; tests of the rule
# switch it on.
INZAGE_STAFF_SESSION_SECONDS = int(env_str("STAFF_SESSION_SECONDS", str(9 * 3600)))
INZAGE_STAFF_MFA_REQUIRED = env_bool("STAFF_MFA_REQUIRED", True)
# Second factors and passkeys (allauth.mfa). Passkeys also sign in alone (they are possession plus a PIN/biometric).
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_TOTP_ISSUER = "Inzage"
# WebAuthn needs a secure origin; http://localhost and 127.0.0.1 count as one in browsers, allauth needs to be told.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = env_bool("WEBAUTHN_ALLOW_INSECURE_ORIGIN", not env_bool("HTTPS", False))
# School identity providers (OpenID Connect, SAML) are configured per school as "Social applications" in the admin.
SOCIALACCOUNT_ADAPTER = "inzage.accounts.adapter.SchoolSocialAccountAdapter"
SOCIALACCOUNT_AUTO_SIGNUP = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_ONLY = False
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_STORE_TOKENS = False
USERSESSIONS_TRACK_ACTIVITY = False

LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", "Nederlands"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "inzage" / "locale"]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG and env_bool("HTTPS", False))
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# HTTPS=1: Strict-Transport-Security for a year (no preload: that is a decision for the school's domain owner).
SECURE_HSTS_SECONDS = int(env_str("HSTS_SECONDS", "31536000")) if env_bool("HTTPS", False) else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = False

from django.utils.csp import CSP  # noqa: E402  (settings module: import where it is used)

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

# The access log (docs/access-log.md): rows are kept this long, then `manage.py access_log_purge` removes them.
ACCESS_LOG_ENABLED = env_bool("ACCESS_LOG_ENABLED", True)
ACCESS_LOG_RETENTION_DAYS = int(env_str("ACCESS_LOG_RETENTION_DAYS", "730"))
# Rows are written after the response, in one INSERT per this many rows or seconds (0 rows: every request).
ACCESS_LOG_BUFFER_ROWS = int(env_str("ACCESS_LOG_BUFFER_ROWS", "50"))
ACCESS_LOG_BUFFER_SECONDS = float(env_str("ACCESS_LOG_BUFFER_SECONDS", "2"))
# Scraping detection (inzage/access_log/scraping.py has every key and its default). SCRAPING_LIMIT_FACTOR multiplies
# every limit: `make loadtest` raises it, its 256 signed-in sessions read at machine speed on purpose.
SCRAPING = {
    "enabled": env_bool("SCRAPING_DETECTION", True),
    "factor": float(env_str("SCRAPING_LIMIT_FACTOR", "1")),
}

TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
    }
}

# Mail (Django 6.1 MAILERS): SMTP when EMAIL_HOST is set; otherwise every message is written as a file under
# var/mail/, so "Wachtwoord vergeten?" works on a fresh machine instead of failing on a missing mail server.
if env_str("EMAIL_HOST", ""):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": env_str("EMAIL_HOST"),
                "port": int(env_str("EMAIL_PORT", "587")),
                "username": env_str("EMAIL_HOST_USER", ""),
                "password": env_str("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("EMAIL_USE_TLS", True),
                "timeout": 10,
            },
        }
    }
else:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": str(VAR_DIR / "mail")},
        }
    }
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Inzage <noreply@inzage.invalid>")
# Links in e-mails (notifications) point here; the Message-ID of a notice names this domain.
INZAGE_BASE_URL = env_str("INZAGE_BASE_URL", "http://127.0.0.1:8000")
INZAGE_MAIL_DOMAIN = env_str("INZAGE_MAIL_DOMAIN", "inzage.invalid")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}

# --- Scale-out: a streaming read replica and the proxy in front (docs/scale-out.md). Keep this block last. ---
# DATABASE_REPLICA_URL=postgres://... adds the "replica" alias and turns on inzage.dbrouting: portal GETs read the
# replica; writes, transactions, everything else, and a browser for REPLICA_PIN_SECONDS after it wrote, read the primary.
# Without it, "replica" names the primary's database and no router uses it (the router's tests switch it on).
DATABASE_REPLICA_URL = env_str("DATABASE_REPLICA_URL", "")
REPLICA_PIN_SECONDS = int(env_str("REPLICA_PIN_SECONDS", "10"))
REPLICA_RETRY_SECONDS = int(env_str("REPLICA_RETRY_SECONDS", "5"))  # skip an unreachable replica this long
if DATABASE_REPLICA_URL:
    _replica = dj_database_url.parse(DATABASE_REPLICA_URL)
    _replica["CONN_MAX_AGE"] = _db.get("CONN_MAX_AGE", 0)
    _replica["CONN_HEALTH_CHECKS"] = _db.get("CONN_HEALTH_CHECKS", False)
else:
    _replica = {**_db, "OPTIONS": dict(_db.get("OPTIONS", {}))}
# Tests never create a database on the replica (a hot standby is read-only): the alias mirrors the test database.
_replica["TEST"] = {"MIRROR": "default"}
DATABASES["replica"] = _replica
if DATABASE_REPLICA_URL:
    DATABASE_ROUTERS = ["inzage.dbrouting.ReplicaRouter"]
    MIDDLEWARE.insert(0, "inzage.dbrouting.ReadReplicaMiddleware")
# Behind nginx every request comes from the proxy's address: without this, allauth's sign-in rate limit (per client
# address) would count all parents of a school as one client. Set to the number of proxies you run (1 with deploy/).
ALLAUTH_TRUSTED_PROXY_COUNT = int(env_str("TRUSTED_PROXY_COUNT", "0"))
