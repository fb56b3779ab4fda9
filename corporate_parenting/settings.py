"""Settings for Corporate Parenting.

One file, driven by environment variables. Local defaults are safe: debug is off,
and the private PostgreSQL started by `make run` is found through `var/env`,
which `make run` writes (with generated secrets) and which is never committed.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"


def _read_env_file(path: Path) -> dict[str, str]:
    values: dict[str, str] = {}
    if path.is_file():
        for line in path.read_text().splitlines():
            line = line.strip()
            if line and not line.startswith("#") and "=" in line:
                key, _, value = line.partition("=")
                values[key.strip()] = value.strip()
    return values


# Real environment variables win over the generated var/env file.
_FILE_ENV = _read_env_file(Path(os.environ.get("CP_ENV_FILE", VAR_DIR / "env")))


def env_str(name: str, default: str | None = None) -> str:
    value = os.environ.get(name, _FILE_ENV.get(name, default))
    if value is None:
        raise ImproperlyConfigured(
            f"Set the environment variable {name} (see README, 'Configuration')."
        )
    return value


def env_bool(name: str, default: bool) -> bool:
    raw = env_str(name, "1" if default else "0").strip().lower()
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off", ""}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}.")


def env_int(name: str, default: int) -> int:
    raw = env_str(name, str(default))
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}.") from None


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)
SECRET_KEY = env_str("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", "")

SERVICE_NAME = env_str("CP_SERVICE_NAME", "Corporate Parenting")

INSTALLED_APPS = [
    "corporate_parenting",
    "placements",
    "inspections",
    "performance",
    "returns",
    "committee",
    "corporate_parenting.admin_apps.SystemAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_tasks_db",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "corporate_parenting.security_middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "corporate_parenting.db_router.RecordPrimaryPosition",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "corporate_parenting.middleware.TwoFactorRequired",
    "corporate_parenting.middleware.NoStoreForSignedInUsers",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # A constraint violation no view expected: a "could not be saved" page, not a 500.
    "corporate_parenting.security_middleware.IntegrityErrorMiddleware",
    # Last, as django-axes asks: it turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "corporate_parenting.urls"
WSGI_APPLICATION = "corporate_parenting.wsgi.application"
ASGI_APPLICATION = "corporate_parenting.asgi.application"

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
                "corporate_parenting.context_processors.service",
            ],
        },
    },
]

_database_url = env_str("DATABASE_URL", "")
if not _database_url:
    raise ImproperlyConfigured(
        "No database configured. Run `make run` (which starts the project's own "
        "PostgreSQL and writes var/env), or set DATABASE_URL to a PostgreSQL URL."
    )
DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("DATABASE_URL must point at PostgreSQL (postgres://...).")
# A read replica (a hot standby: `make replica`, docs/deployment.md): dashboards and reports
# read from it while it answers and is close behind. Tests point it at the test database.
_replica_url = env_str("CP_REPLICA_URL", "")
if _replica_url:
    DATABASES["replica"] = dj_database_url.parse(
        _replica_url, conn_max_age=60, conn_health_checks=True
    )
    DATABASES["replica"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 3)
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["corporate_parenting.db_router.ReplicaRouter"]
CP_REPLICA_MAX_LAG_SECONDS = env_int("CP_REPLICA_MAX_LAG_SECONDS", 30)
CP_REPLICA_CHECK_SECONDS = env_int("CP_REPLICA_CHECK_SECONDS", 5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "corporate_parenting.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# django-axes first: it refuses a locked-out sign-in before the password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sessions: an idle session ends after SESSION_IDLE_MINUTES (saved on every request).
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_MINUTES", 30) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# No script reads the CSRF cookie (htmx sends the token from the page).
CSRF_COOKIE_HTTPONLY = True
HTTPS = env_bool("CP_HTTPS", False)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
# Preloading commits the whole registrable domain (the council's, usually) to HTTPS in
# every browser: the domain's owner decides (docs/deployment.md), so the check that
# asks for it is silenced.
SECURE_HSTS_PRELOAD = HTTPS and env_bool("CP_HSTS_PRELOAD", False)
SILENCED_SYSTEM_CHECKS = ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CP_BEHIND_PROXY = env_bool("CP_BEHIND_PROXY", False)
if CP_BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Accounts (docs/accounts.md). Sign-in lockout: CP_LOGIN_FAILURE_LIMIT wrong passwords
# for one username from one address lock that pair out for CP_LOGIN_COOLOFF_MINUTES.
AXES_FAILURE_LIMIT = env_int("CP_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env_int("CP_LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Trying again while locked out doesn't restart the wait, so the page's "wait 15
# minutes" stays true.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "corporate_parenting.accounts.lockout_response"
AXES_CLIENT_IP_CALLABLE = "corporate_parenting.accounts.client_ip"
# Sign-ins, failures and lockouts are in the audit log already.
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False
# Two-factor codes: the issuer names the service in the authenticator app; the Django
# admin never shows a device's secret.
OTP_TOTP_ISSUER = SERVICE_NAME
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# A reset link lasts an hour; an invitation CP_INVITE_DAYS (accounts.py says why).
PASSWORD_RESET_TIMEOUT = 60 * 60
CP_INVITE_DAYS = env_int("CP_INVITE_DAYS", 7)

# Single sign-on with the council's identity provider (OpenID Connect), off by default.
CP_OIDC_ENABLED = env_bool("CP_OIDC_ENABLED", False)
# The provider does its own multi-factor check, so its sign-ins skip ours.
CP_OIDC_COUNTS_AS_2FA = env_bool("CP_OIDC_COUNTS_AS_2FA", True)
CP_OIDC_DISCOVERY_URL = env_str("CP_OIDC_DISCOVERY", "")
if CP_OIDC_ENABLED:
    INSTALLED_APPS.append("mozilla_django_oidc")
    AUTHENTICATION_BACKENDS.append("corporate_parenting.oidc.CouncilOIDCBackend")
    OIDC_RP_CLIENT_ID = env_str("CP_OIDC_CLIENT_ID")
    OIDC_RP_CLIENT_SECRET = env_str("CP_OIDC_CLIENT_SECRET")
    OIDC_RP_SIGN_ALGO = env_str("CP_OIDC_SIGN_ALGO", "RS256")
    OIDC_RP_SCOPES = "openid email profile"
    OIDC_USE_PKCE = True
    OIDC_CREATE_USER = False
    # Microsoft Entra ID's endpoints follow from the tenant; any other provider's come
    # from its discovery document, or each is given. An empty one is discovered.
    _tenant = env_str("CP_OIDC_ENTRA_TENANT", "")
    _entra = f"https://login.microsoftonline.com/{_tenant}"
    OIDC_OP_AUTHORIZATION_ENDPOINT = env_str(
        "CP_OIDC_AUTHORIZATION_ENDPOINT", f"{_entra}/oauth2/v2.0/authorize" if _tenant else ""
    )
    OIDC_OP_TOKEN_ENDPOINT = env_str(
        "CP_OIDC_TOKEN_ENDPOINT", f"{_entra}/oauth2/v2.0/token" if _tenant else ""
    )
    OIDC_OP_USER_ENDPOINT = env_str(
        "CP_OIDC_USERINFO_ENDPOINT", "https://graph.microsoft.com/oidc/userinfo" if _tenant else ""
    )
    OIDC_OP_JWKS_ENDPOINT = env_str(
        "CP_OIDC_JWKS_ENDPOINT", f"{_entra}/discovery/v2.0/keys" if _tenant else ""
    )
    _endpoints = [
        OIDC_OP_AUTHORIZATION_ENDPOINT,
        OIDC_OP_TOKEN_ENDPOINT,
        OIDC_OP_USER_ENDPOINT,
        OIDC_OP_JWKS_ENDPOINT,
    ]
    if not (all(_endpoints) or CP_OIDC_DISCOVERY_URL):
        raise ImproperlyConfigured(
            "CP_OIDC_ENABLED needs the identity provider: set CP_OIDC_ENTRA_TENANT, "
            "CP_OIDC_DISCOVERY or the four CP_OIDC_*_ENDPOINT variables (docs/accounts.md)."
        )

# A strict policy: nothing inline, nothing from elsewhere. Scripts that must be
# inline (htmx's loader) carry the per-request nonce.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True
DATE_FORMAT = "j F Y"
SHORT_DATE_FORMAT = "d/m/Y"

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Serving straight from the source folders keeps `make run` and tests free of a
# collectstatic step; production sets DJANGO_STATIC_ROOT and runs collectstatic.
_static_root = env_str("DJANGO_STATIC_ROOT", "")
STATIC_ROOT = Path(_static_root) if _static_root else None
WHITENOISE_USE_FINDERS = STATIC_ROOT is None
WHITENOISE_AUTOREFRESH = DEBUG

# SSDA903 imports: files over this size are refused before they are read.
CP_IMPORT_MAX_FILE_MB = float(env_str("CP_IMPORT_MAX_FILE_MB", "60"))
# Uploaded files wait here for the import task, and are deleted once it has run.
CP_UPLOAD_DIR = Path(env_str("CP_UPLOAD_DIR", str(VAR_DIR / "uploads")))

# Background work (imports, PDF packs) runs in `manage.py db_worker`.
TASKS = {
    "default": {
        "BACKEND": env_str("CP_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# Email: the console in the demo; SMTP when EMAIL_HOST is set.
_email_host = env_str("EMAIL_HOST", "")
MAILERS = {
    "default": (
        {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": _email_host,
                "port": env_int("EMAIL_PORT", 587),
                "username": env_str("EMAIL_HOST_USER", ""),
                "password": env_str("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("EMAIL_USE_TLS", True),
                "timeout": 20,
            },
        }
        if _email_host
        else {"BACKEND": "django.core.mail.backends.console.EmailBackend"}
    )
}
DEFAULT_FROM_EMAIL = env_str("DJANGO_DEFAULT_FROM_EMAIL", "corporate-parenting@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # No personal data in logs (docs/data-protection.md): database errors lose the
    # lines that quote the refused row.
    "filters": {
        "redact_database_values": {
            "()": "corporate_parenting.security_middleware.RedactDatabaseValues"
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["redact_database_values"]}
    },
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {
        # WeasyPrint narrates each step of every PDF at INFO; its warnings still show.
        "weasyprint": {"level": "WARNING"},
        "weasyprint.progress": {"level": "WARNING"},
        # At DEBUG this logs every query with its values (children's records), whatever
        # DJANGO_LOG_LEVEL says.
        "django.db.backends": {"level": "INFO"},
        # django-axes narrates every sign-in at INFO (the audit log has them); lockouts
        # still show, at WARNING.
        "axes": {"level": "WARNING"},
    },
}

# Published figures withhold counts from 1 to this number (GSS convention).
CP_SUPPRESSION_THRESHOLD = env_int("CP_SUPPRESSION_THRESHOLD", 5)

# Trend charts are rendered when indicators are recomputed (about 0.1 s each).
CP_RENDER_CHARTS = env_bool("CP_RENDER_CHARTS", True)

# A Regulation 44 report counts as on time if it arrives within this many days of the
# visit (docs/inspections.md explains the default).
CP_REG44_REPORT_DAYS = env_int("CP_REG44_REPORT_DAYS", 28)

# A quarterly return is due this many days after its quarter ends; reminders go to the
# council's officers from a week before (manage.py send_return_reminders).
CP_RETURN_DUE_DAYS = env_int("CP_RETURN_DUE_DAYS", 30)
