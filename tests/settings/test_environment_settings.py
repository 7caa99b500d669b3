import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from adn_portal.lib.env import env_bool, env_count, env_networks, mailers_from_url

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
    "RECORD_CHAIN_KEY": "ch4in-" + "y8" * 30,
    "ALLOWED_HOSTS": "portal.example.org",
    "DATABASE_URL": "postgres://adn@db.example.org:5432/adn_portal",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
    "EMAIL_URL": "smtp+tls://smtp.example.org:587",
    "SITE_URL": "https://portal.example.org",
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


def test_production_refuses_the_development_record_chain_key():
    env = {**PRODUCTION_ENV, "RECORD_CHAIN_KEY": "insecure-development-record-chain-key"}
    result = boot("adn_portal.settings.production", **env)
    assert result.returncode != 0
    assert "RECORD_CHAIN_KEY" in result.stderr


def test_production_starts_with_its_environment_and_debug_off():
    result = boot("adn_portal.settings.production", **PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_production_refuses_a_plain_http_site_url_while_redirecting_to_https():
    result = boot(
        "adn_portal.settings.production",
        **{**PRODUCTION_ENV, "SITE_URL": "http://portal.example.org"},
    )
    assert result.returncode != 0
    assert "SITE_URL" in result.stderr.splitlines()[-1]


def test_production_accepts_a_plain_http_site_url_for_local_use_without_https():
    env = {**PRODUCTION_ENV, "SITE_URL": "http://localhost", "SECURE_SSL_REDIRECT": "false"}
    result = boot("adn_portal.settings.production", **env)
    assert result.returncode == 0, result.stderr


def test_check_deploy_gives_every_variable_production_requires():
    makefile = (ROOT / "Makefile").read_text()
    target = makefile[makefile.index("check-deploy: install") :].split("\n\n")[0]
    for name in PRODUCTION_ENV:
        assert f'{name}="$${{{name}:-' in target, name


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


def test_trusted_proxies_are_read_as_networks(monkeypatch):
    monkeypatch.setenv("TRUSTED_PROXIES", " 10.0.0.2, 172.16.0.0/12,::1 ")
    assert env_networks("TRUSTED_PROXIES") == ["10.0.0.2/32", "172.16.0.0/12", "::1/128"]
    monkeypatch.setenv("TRUSTED_PROXIES", "")
    assert env_networks("TRUSTED_PROXIES") == []


@pytest.mark.parametrize("raw", ["proxy.local", "10.0.0.1/8", "10.0.0.256", "10.0.0.2:80"])
def test_a_trusted_proxy_that_is_not_an_address_or_network_stops_the_boot(monkeypatch, raw):
    monkeypatch.setenv("TRUSTED_PROXIES", f"10.0.0.2,{raw}")
    with pytest.raises(ImproperlyConfigured, match="TRUSTED_PROXIES"):
        env_networks("TRUSTED_PROXIES")


@pytest.mark.parametrize("raw", ["-1", "one", "1.5", "\u0661"])  # the last: an Arabic-Indic 1
def test_a_proxy_count_that_is_not_a_whole_number_stops_the_boot(monkeypatch, raw):
    monkeypatch.setenv("TRUSTED_PROXY_COUNT", raw)
    with pytest.raises(ImproperlyConfigured, match="TRUSTED_PROXY_COUNT"):
        env_count("TRUSTED_PROXY_COUNT", default=0)


def test_trusted_proxies_and_a_proxy_count_together_stop_the_boot():
    result = boot("adn_portal.settings.base", TRUSTED_PROXIES="10.0.0.2", TRUSTED_PROXY_COUNT="1")
    assert result.returncode != 0
    assert "TRUSTED_PROXY_COUNT" in result.stderr.splitlines()[-1]


def test_no_proxy_is_trusted_by_default():
    check = "from django.conf import settings; print(settings.TRUSTED_PROXIES, settings.TRUSTED_PROXY_COUNT)"
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {check}"],
        cwd=ROOT,
        env={
            **{k: v for k, v in os.environ.items() if not k.startswith(("TRUSTED_", "DJANGO_"))},
            "DJANGO_SETTINGS_MODULE": "adn_portal.settings.base",
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[] 0"
