import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from adn_portal.lib.env import env_bool, mailers_from_url

ROOT = Path(__file__).resolve().parents[2]
CHECK = "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)"


def boot(settings_module: str, **env: str) -> subprocess.CompletedProcess:
    # Only the variables given here: nothing leaks from the caller's environment.
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {*PRODUCTION_ENV, "DEBUG"}
        and not k.startswith(("CELERY_", "DJANGO_", "EMAIL_"))
    }
    return subprocess.run(
        [sys.executable, "-c", CHECK],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": settings_module, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


PRODUCTION_ENV = {
    "SECRET_KEY": "k3y-" + "x9" * 30,
    "ALLOWED_HOSTS": "portal.example.org",
    "DATABASE_URL": "postgres://adn@db.example.org:5432/adn_portal",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
    "EMAIL_URL": "smtp+tls://smtp.example.org:587",
}


@pytest.mark.parametrize("missing", sorted(PRODUCTION_ENV))
def test_production_refuses_to_start_without_each_required_variable(missing):
    env = {name: value for name, value in PRODUCTION_ENV.items() if name != missing}
    result = boot("adn_portal.settings.production", **env)
    assert result.returncode != 0
    assert missing in result.stderr.splitlines()[-1]


def test_production_refuses_the_development_secret_key():
    env = {**PRODUCTION_ENV, "SECRET_KEY": "django-insecure-adn-portal-development-only-key"}
    result = boot("adn_portal.settings.production", **env)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_starts_with_its_environment_and_debug_off():
    result = boot("adn_portal.settings.production", **PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_embedded_default_needs_no_environment_at_all():
    result = boot("adn_portal.settings.base")
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("raw", "expected"), [("true", True), ("1", True), ("No", False), ("off", False)]
)
def test_boolean_settings_accept_the_usual_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("SOME_FLAG", raw)
    assert env_bool("SOME_FLAG", default=not expected) is expected


def test_an_empty_boolean_setting_means_its_default(monkeypatch):
    monkeypatch.setenv("SOME_FLAG", "")
    assert env_bool("SOME_FLAG", default=True) is True


def test_a_misspelt_boolean_setting_stops_the_boot(monkeypatch):
    monkeypatch.setenv("SOME_FLAG", "ture")
    with pytest.raises(ImproperlyConfigured, match="SOME_FLAG"):
        env_bool("SOME_FLAG", default=False)


def test_smtp_url_becomes_a_mailer_with_credentials():
    mailer = mailers_from_url("smtp+tls://noreply%40adn.be:s3cret@smtp.example.org:587")["default"]
    assert mailer["BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert mailer["OPTIONS"]["host"] == "smtp.example.org"
    assert mailer["OPTIONS"]["port"] == 587
    assert mailer["OPTIONS"]["use_tls"] is True
    assert mailer["OPTIONS"]["username"] == "noreply@adn.be"
