"""Settings shared by every environment, driven by environment variables.

With no environment at all the portal runs as an embedded demo: SQLite, Celery tasks executed
eagerly, e-mails printed on the console.
"""

from pathlib import Path

from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from adn_portal.lib.env import (
    cache_url,
    env,
    env_bool,
    env_count,
    env_networks,
    file_storages,
    mailers_from_url,
)
from adn_portal.lib.openid import federal_provider_from_env, provider_origin

BASE_DIR = Path(__file__).resolve().parent.parent.parent

if (BASE_DIR / ".env").is_file():
    env.read_env(BASE_DIR / ".env")

DEBUG = env_bool("DEBUG", default=True)
# Development only: production.py replaces it and refuses to start without SECRET_KEY.
SECRET_KEY = env.str("SECRET_KEY", default="django-insecure-adn-portal-development-only-key")
# The key of the audit log's and the timelines' links (adn_portal/accounts/chains.py), apart from
# SECRET_KEY so that rotating that one leaves the records verifiable. Kept outside the database:
# whoever can write the tables cannot forge a link. Production refuses the development value.
RECORD_CHAIN_KEY = env.str("RECORD_CHAIN_KEY", default="insecure-development-record-chain-key")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# A form sent from an out-of-date page: the portal's page, in the reader's language.
CSRF_FAILURE_VIEW = "adn_portal.wiring.views.csrf_failure"
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

# Whose X-Forwarded-* headers count (adn_portal/lib/client.py): the proxies at these addresses
# or networks, or this many proxies of unknown address in front of the portal. Neither: none,
# the socket's address is the client.
TRUSTED_PROXIES = env_networks("TRUSTED_PROXIES")
TRUSTED_PROXY_COUNT = env_count("TRUSTED_PROXY_COUNT", default=0)
if TRUSTED_PROXIES and TRUSTED_PROXY_COUNT:
    raise ImproperlyConfigured("Set TRUSTED_PROXIES or TRUSTED_PROXY_COUNT, not both.")

INSTALLED_APPS = [
    "adn_portal.accounts.admin_config.PortalAdminConfig",  # django.contrib.admin, second factor
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Third party
    "allauth",
    "allauth.account",
    "allauth.mfa",
    # Log-in with the federal authentication (eID, itsme): allauth's OpenID Connect provider,
    # through adn_portal/accounts/federal (shown only when FEDERAL_AUTH_* are set).
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "axes",
    "crispy_forms",
    "crispy_bootstrap5",
    "rest_framework",
    "knox",  # API tokens: stored as digests, expiring, revocable (model: accounts.ApiToken)
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "bootstrap",  # django-bootstrap-static: Bootstrap's CSS and JS served locally
    # Ours, lowest layer first (imports only point down this list)
    "adn_portal.accounts",
    "adn_portal.mailer",
    "programs",
    "companies",
    "applications",
    "stats",
    "adn_portal.demo",
]

MIDDLEWARE = [
    # First: every later reader of the client's address or scheme sees the resolved one.
    "adn_portal.lib.client.ClientAddressMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Signed-in requests and account pages: Cache-Control private, no-store.
    "adn_portal.lib.cache_control.PrivateResponseMiddleware",
    "adn_portal.accounts.middleware.PreferredLanguageMiddleware",
    # No NUL byte in a query string (PostgreSQL refuses it): 400, in the language chosen above.
    "adn_portal.lib.null_characters.RefuseNulMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "adn_portal.accounts.middleware.SecondFactorMiddleware",
    # Last: it watches the authentication failures of everything above.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "adn_portal.wiring.urls"
WSGI_APPLICATION = "adn_portal.wsgi.application"

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
                "django.template.context_processors.csp",
                "adn_portal.lib.navigation.links",
            ],
        },
    },
]

# Database: SQLite file by default, anything django-environ understands otherwise
# (postgres://user@host:5432/name in production).
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default serves requests in threads: a transaction that read and then
    # writes cannot wait for another writer's lock (SQLite answers "database is locked" at
    # once); taking the write lock when it begins makes it wait its turn (up to `timeout` s).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20}
    )
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# "pages": each worker's own copy of the whole public pages (adn_portal.lib.page_cache).
PAGES_CACHE = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "pages",
    "OPTIONS": {"MAX_ENTRIES": 300},  # ~40 KB a page: ~12 MB a worker at most
}
CACHES = {"default": cache_url("CACHE_URL", default="locmemcache://"), "pages": PAGES_CACHE}

# Accounts (django-allauth: sign-up with e-mail verification, password reset).
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses locked-out log-ins
    # Django's and allauth's, loading the session's user with its unread notifications counted
    # (sessions opened under the former paths sign in again once).
    "adn_portal.accounts.backends.ModelBackend",
    "adn_portal.accounts.backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Django's database sessions, read by one statement written once (never cached: never stale).
SESSION_ENGINE = "adn_portal.accounts.sessions"
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "programs:home"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "adn_portal.accounts.forms.SignupForm"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS = env.int("EMAIL_CONFIRMATION_EXPIRE_DAYS", default=3)
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_ADAPTER = "adn_portal.accounts.adapter.AccountAdapter"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[ADN Portal] "
ACCOUNT_LOGOUT_REDIRECT_URL = "programs:home"
# Wrong passwords are throttled by django-axes (below), per account and client; the adapter
# skips allauth's own per-account password limit, which anyone could use to lock staff out.
# allauth counts wrong second-factor codes (TOTP and recovery codes) under "login_failed":
# per client, and per account (reaching that step already took the account's password).
ACCOUNT_RATE_LIMITS = {
    "login_failed": env.str("SECOND_FACTOR_RATE_LIMITS", default="10/m/ip,5/5m/key,20/1d/key")
}

# Two-factor authentication (allauth.mfa, TOTP): staff rights need a session that passed it.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "ADN Portal"
MFA_ADAPTER = "adn_portal.accounts.adapter.MFAAdapter"  # TOTP seeds encrypted at rest
MFA_FORMS = {
    "authenticate": "adn_portal.accounts.mfa_forms.SecondFactorForm",
    "reauthenticate": "adn_portal.accounts.mfa_forms.SecondFactorReauthenticateForm",
}
STAFF_TWO_FACTOR_REQUIRED = env_bool("STAFF_TWO_FACTOR_REQUIRED", default=True)

# Log-in with the federal authentication service (FAS/CSAM: eID, itsme), an OpenID Provider:
# allauth's OpenID Connect provider with adn_portal/accounts/federal's class (PKCE always, a
# nonce checked, the ID token's signature checked, log-out at the provider too). Off unless
# FEDERAL_AUTH_CLIENT_ID, FEDERAL_AUTH_SECRET and FEDERAL_AUTH_SERVER_URL (the issuer) are set.
FEDERAL_AUTH_APP = federal_provider_from_env()
SOCIALACCOUNT_PROVIDERS = {
    "openid_connect": {
        "provider_class": "adn_portal.accounts.federal.provider.FederalProvider",
        "OAUTH_PKCE_ENABLED": True,
        "APPS": [FEDERAL_AUTH_APP] if FEDERAL_AUTH_APP else [],
    }
}
SOCIALACCOUNT_ADAPTER = "adn_portal.accounts.adapter.SocialAccountAdapter"
# An account is found or linked by its e-mail address only when the provider says it verified
# that address (email_verified); an unverified one never opens an existing account.
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_EMAIL_REQUIRED = True
SOCIALACCOUNT_EMAIL_VERIFICATION = "mandatory"

# Log-in throttling (django-axes): 5 failures for one address from one IP lock it for 15 min.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "adn_portal.lib.client.client_address"
AXES_USERNAME_FORM_FIELD = "login"
AXES_USERNAME_CALLABLE = "adn_portal.accounts.audit.axes_username"
AXES_LOCKOUT_TEMPLATE = "account/lockout.html"
AXES_RESET_ON_SUCCESS = True
# While locked out, an attempt answers the lockout page (429) instead of a plain refusal.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_VERBOSE = False

# Content Security Policy (Django's own): scripts only from here and with the page's nonce.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    # The federal log-in and log-out forms redirect to the provider.
    "form-action": [CSP.SELF, *provider_origin(FEDERAL_AUTH_APP)],
    "frame-ancestors": [CSP.NONE],
}
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True

# E-mail: printed on the console unless EMAIL_URL names a real server (smtp+tls://…).
MAILERS = mailers_from_url(env.str("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="ADN Portal <noreply@adn.be>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The longest a link e-mailed by the portal stays usable (invitations: 14 days; password reset
# and address confirmation: 3). A message holding one that could not be sent in that time is
# given up and its content removed by the outbox sweeper.
MAILER_SECRET_LIFETIME_DAYS = env.int("MAILER_SECRET_LIFETIME_DAYS", default=14)

# Internationalisation: French first, English and German available.
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English")), ("de", _("German"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "adn_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
TIME_ZONE = "Europe/Brussels"
USE_I18N = True
USE_TZ = True
# Templates name DATE_FORMAT / DATETIME_FORMAT; English dates are written day first.
FORMAT_MODULE_PATH = ["adn_portal.formats"]

# Static files come from packages and the repository; uploads live outside them.
STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media")))
# Documents, logos and exports ("private" and "default"): on this disk, or in an S3-compatible
# bucket that every web and worker node shares when AWS_STORAGE_BUCKET_NAME is set. Either
# way people get them only through the portal's views (adn_portal/lib/stored_files.py).
STORAGES = {
    **file_storages(
        media_root=MEDIA_ROOT,
        bucket=env.str("AWS_STORAGE_BUCKET_NAME", default=""),
        endpoint_url=env.str("AWS_S3_ENDPOINT_URL", default=""),
        region=env.str("AWS_S3_REGION_NAME", default=""),
        access_key=env.str("AWS_ACCESS_KEY_ID", default=""),
        secret_key=env.str("AWS_SECRET_ACCESS_KEY", default=""),
    ),
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Celery: with no broker configured, tasks run eagerly inside the web process.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", default=not CELERY_BROKER_URL)
if not CELERY_BROKER_URL:
    CELERY_BROKER_URL = "memory://"
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Publishing must not hang a web request while Redis is down: fail fast, the outbox retries.
CELERY_TASK_PUBLISH_RETRY = False
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # A task whose worker died is handed to another worker after this long: more than the
    # longest task (the indicators take seconds; exports a minute at most).
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
    # How often a worker looks for such abandoned tasks (seconds, and every Nth look scans).
    "unacked_restore_interval": env.int("CELERY_UNACKED_RESTORE_INTERVAL", default=10),
    "unacked_restore_throttle": env.int("CELERY_UNACKED_RESTORE_THROTTLE", default=10),
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
    "socket_connect_timeout": 2,
}
CELERY_TIMEZONE = TIME_ZONE
# django-celery-beat 2.9 (the newest release) does not support Django 6.1 yet, so the schedule
# is Celery's own, declared here and tuned through the environment.
CELERY_BEAT_SCHEDULE = {
    "stats-compute-indicators": {
        "task": "stats.tasks.compute_indicators",
        "schedule": env.float("INDICATORS_EVERY_SECONDS", default=15 * 60.0),
    },
    "stats-recompute-after-changes": {
        "task": "stats.tasks.recompute_if_files_changed",
        "schedule": env.float("INDICATORS_DEBOUNCE_SECONDS", default=60.0),
    },
    "experts-expire-recognitions": {
        "task": "companies.tasks.expire_recognitions",
        "schedule": crontab(hour=0, minute=5),
    },
    "experts-renewal-reminders": {
        "task": "companies.tasks.send_renewal_reminders",
        "schedule": crontab(hour=8, minute=0),
    },
    # Drafts before their call closes, unanswered requests for information, overdue reviews.
    "applications-reminders": {
        "task": "applications.tasks.send_reminders",
        "schedule": crontab(hour=9, minute=0),
    },
    "applications-milestone-reminders": {
        "task": "applications.tasks.remind_milestones",
        "schedule": crontab(hour=9, minute=10),
    },
    "applications-follow-up-surveys": {
        "task": "applications.tasks.send_follow_up_surveys",
        "schedule": crontab(hour=9, minute=20),
    },
    # Hands out again an e-mail whose task was lost (worker killed, broker down) 30 s after its
    # last dispatch: it leaves at most about a minute late (adn_portal.mailer.services).
    # The enterprise register: the new extracts of KBO_EXTRACTS_DIR (a full one monthly, updates
    # daily from the FPS Economy), applied in order; nothing to do costs a directory listing.
    "companies-import-register": {
        "task": "companies.tasks.import_register_extracts",
        "schedule": crontab(
            hour=5, minute=30, day_of_month=env.str("KBO_IMPORT_DAYS_OF_MONTH", default="*")
        ),
    },
    # The audit log's and the files' timelines' chains, recomputed (applications/records.py).
    "applications-verify-records": {
        "task": "applications.tasks.verify_records",
        "schedule": crontab(hour=2, minute=40),
    },
    "accounts-purge-idempotency-keys": {
        "task": "adn_portal.accounts.tasks.purge_idempotency_keys",
        "schedule": crontab(hour=3, minute=30),
    },
    # The daily digest of the notifications people chose to receive that way.
    "accounts-notification-digests": {
        "task": "adn_portal.accounts.tasks.send_notification_digests",
        "schedule": crontab(hour=7, minute=0),
    },
    "mailer-resend-unsent": {
        "task": "adn_portal.mailer.tasks.resend_unsent_emails",
        "schedule": env.float("MAILER_SWEEP_SECONDS", default=30.0),
    },
}
CELERY_BEAT_SCHEDULE_FILENAME = str(
    env.path("CELERY_BEAT_SCHEDULE_FILENAME", default=BASE_DIR / "var" / "celerybeat-schedule")
)

# API tokens (django-rest-knox): kept as SHA-512 digests, shown once. A staff member's token is
# made only by a session that passed the second factor, and lives hours; an applicant's a year.
KNOX_TOKEN_MODEL = "accounts.ApiToken"  # noqa: S105 — a model label, not a secret
REST_KNOX = {"TOKEN_TTL": None, "AUTH_HEADER_PREFIX": "Token"}  # each token gets its own expiry
STAFF_API_TOKEN_HOURS = env.int("STAFF_API_TOKEN_HOURS", default=12)
API_TOKEN_DAYS = env.int("API_TOKEN_DAYS", default=365)
# An API request's Idempotency-Key (and the answer a repeat gets) is kept this long.
IDEMPOTENCY_KEY_HOURS = env.int("IDEMPOTENCY_KEY_HOURS", default=24)
API_TOKENS_PER_USER = env.int("API_TOKENS_PER_USER", default=10)

# The API (/api/v1/): session or token, errors as structured JSON, capped pages, throttled.
REST_FRAMEWORK = {
    # Token first: an anonymous caller gets 401 with a WWW-Authenticate header, not 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "adn_portal.accounts.tokens.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # JSON bodies only (nested bodies, step data and scores, have no form encoding): the views
    # that take an upload add multipart/form-data themselves, so the schema offers each body
    # in the one encoding it works in (a generated client picks it without guessing).
    "DEFAULT_PARSER_CLASSES": [
        "adn_portal.lib.api.JSONParser",  # DRF's, with too deep a body a 400 instead of a 500
    ],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "DEFAULT_PAGINATION_CLASS": "adn_portal.lib.api.CappedPagination",
    "PAGE_SIZE": 20,
    # django-filter's backend: its filters in the schema, an unknown value a 400.
    "DEFAULT_FILTER_BACKENDS": ["adn_portal.lib.filters.FilterBackend"],
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("API_THROTTLE_ANON", default="120/minute"),
        "user": env.str("API_THROTTLE_USER", default="1200/minute"),
        # The organisation form's lookups in the enterprise register, per signed-in user.
        "register_lookup": env.str("REGISTER_LOOKUP_RATE", default="30/minute"),
    },
    "EXCEPTION_HANDLER": "adn_portal.lib.api.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # Throttles key on REMOTE_ADDR, already resolved by ClientAddressMiddleware. (Unset, DRF
    # keys on the raw X-Forwarded-For string: a client rotating it is never throttled.)
    "NUM_PROXIES": 0,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "ADN Portal API",
    "DESCRIPTION": "Programmes, calls, recognised AI experts, files and indicators of the Agence du Numérique's AI programmes.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "adn_portal.lib.api.document_errors",
        "adn_portal.lib.api.document_idempotency",
        "adn_portal.wiring.api_links.document_links",
    ],
    "ENUM_NAME_OVERRIDES": {
        "FileStatusEnum": "applications.workflow.Status",
        "RecognitionStatusEnum": "companies.workflow.RecognitionStatus",
        "CallStatusEnum": "programs.models.CallStatus",
        "AttachmentKindEnum": "applications.models.Attachment.Kind",
        "EventKindEnum": "applications.models.ApplicationEvent.Kind",
        "MessageKindEnum": "applications.models.ApplicantMessage.Kind",
        "DeliveryEnum": "adn_portal.accounts.models.Delivery",
        "ProgrammeCodeEnum": "programs.models.Programme.Code",
        "SpecialityEnum": "companies.models.Speciality",
        "SectorEnum": "companies.models.Sector",
        "LanguageEnum": "companies.models.Language",
        "AudienceEnum": "programs.models.Audience",
        "EligibilityRuleEnum": "programs.models.EligibilityRule",
        "FormSectionEnum": "programs.models.FormSection",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # WeasyPrint (adn_portal/lib/pdf.py) tells each step of every PDF at INFO.
    "loggers": {"weasyprint.progress": {"level": "WARNING"}},
}

# `manage.py seed_demo` creates accounts with a known password: never in production.
DEMO_DATA_ALLOWED = env_bool("DEMO_DATA_ALLOWED", default=True)

# The longest answer of each kind of text in an application form, in characters (a line break
# counts one): a page's counter, the form and the API apply the same limit.
TEXT_LIMITS = {
    "long": env.int("LONG_TEXT_LIMIT", default=3000),
    "brief": env.int("BRIEF_TEXT_LIMIT", default=500),
}

# Recognised AI experts (docs/domain.md, Recognised experts): settings, not constants in code.
EXPERT_RECOGNITION_YEARS = env.int("EXPERT_RECOGNITION_YEARS", default=3)
# How far ahead staff may start a recognition (a later date is refused as a typing error).
EXPERT_RECOGNITION_MAX_DAYS_AHEAD = env.int("EXPERT_RECOGNITION_MAX_DAYS_AHEAD", default=90)
EXPERT_RENEWAL_REMINDER_DAYS = env.int("EXPERT_RENEWAL_REMINDER_DAYS", default=60)
EXPERT_LOGO_MAX_BYTES = env.int("EXPERT_LOGO_MAX_BYTES", default=1024 * 1024)
# Width and height at most, in pixels: a small file can hold a huge image.
EXPERT_LOGO_MAX_SIDE = env.int("EXPERT_LOGO_MAX_SIDE", default=2000)

# Abuse of the portal by its own users.
# Invitations are e-mails sent from the portal's address to any address: rationed.
INVITATIONS_PER_USER_PER_HOUR = env.int("INVITATIONS_PER_USER_PER_HOUR", default=10)
INVITATIONS_PER_ORGANISATION_PER_DAY = env.int("INVITATIONS_PER_ORGANISATION_PER_DAY", default=30)
# Claims to own an organisation registered by someone else go to staff: a few at a time.
OWNERSHIP_CLAIMS_PENDING_PER_USER = env.int("OWNERSHIP_CLAIMS_PENDING_PER_USER", default=3)
# Words a name typed by a user may not contain (whole words, case and accents ignored): they
# would pass the name for the AdN's. Administrators can still set such a name in the admin.
RESERVED_NAME_TERMS = env.list(
    "RESERVED_NAME_TERMS",
    default=[
        "Agence du Numérique",
        "AdN",
        "Digital Wallonia",
        "DigitalWallonia",
        "DigitalWallonia4.ai",
        "Start IA",
        "Tremplin IA",
        "Cap IA",
        "officiel",
        "officielle",
        "officiels",
        "officielles",
        "official",
        "offiziell",
        "offizielle",
    ],
)

# Applicants' documents (domain: attachments). Limits are settings, checked by content.
ATTACHMENT_MAX_BYTES = env.int("ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024)
ATTACHMENT_MAX_COUNT = env.int("ATTACHMENT_MAX_COUNT", default=10)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024  # form fields; files stream to disk above this
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# A file over ATTACHMENT_MAX_BYTES is refused while it arrives, not once it is on disk.
FILE_UPLOAD_HANDLERS = [
    "adn_portal.lib.uploads.SizeLimitUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# Staff queue: an open file untouched for this many days is "overdue".
STAFF_OVERDUE_DAYS = env.int("STAFF_OVERDUE_DAYS", default=30)

# An unanswered request for information is recalled to the applicant the day before it is due,
# then every this many days while the file waits for the answer (the daily beat task).
INFO_REQUEST_REMINDER_DAYS = env.int("INFO_REQUEST_REMINDER_DAYS", default=7)

# Notifications (adn_portal/accounts/notifications): read ones are forgotten after this long.
NOTIFICATION_RETENTION_DAYS = env.int("NOTIFICATION_RETENTION_DAYS", default=365)
# A file's conversation: messages per person and file in an hour, documents per conversation.
MESSAGES_PER_PERSON_PER_HOUR = env.int("MESSAGES_PER_PERSON_PER_HOUR", default=20)
MESSAGE_DOCUMENTS_MAX_PER_FILE = env.int("MESSAGE_DOCUMENTS_MAX_PER_FILE", default=30)
# Reminders (applications/services/reminders.py, the daily beat task): drafts this many days
# before their call closes; a review this many days after its assignment (to the reviewer),
# then this many more (to the programme's managers).
DRAFT_REMINDER_DAYS = [int(days) for days in env.list("DRAFT_REMINDER_DAYS", default=["7", "1"])]
REVIEW_DUE_DAYS = env.int("REVIEW_DUE_DAYS", default=14)
REVIEW_ESCALATION_DAYS = env.int("REVIEW_ESCALATION_DAYS", default=7)

# After selection (docs/domain.md): a milestone (interim or final report) is recalled to the
# applicant this many days before it is due, once; the outcome survey is sent again this many
# days after completion (the daily beat tasks).
MILESTONE_REMINDER_DAYS = env.int("MILESTONE_REMINDER_DAYS", default=14)
FOLLOW_UP_SURVEY_DAYS = env.int("FOLLOW_UP_SURVEY_DAYS", default=365)

# The enterprise register (docs/domain.md, The enterprise register): the folder where the zips
# downloaded from the FPS Economy's KBO Open Data site are put (empty: no scheduled import; the
# register stays unloaded and the organisation form works without it).
KBO_EXTRACTS_DIR = env.str("KBO_EXTRACTS_DIR", default="")

# GDPR retention: files closed longer ago than this are anonymised (manage.py anonymise_old_files).
FILE_RETENTION_YEARS = env.int("FILE_RETENTION_YEARS", default=10)

# The staff queue's covering index (status and programme inside) is for PostgreSQL; the
# embedded SQLite uses its key columns only, which is all it needs.
SILENCED_SYSTEM_CHECKS = ["models.W040"]
