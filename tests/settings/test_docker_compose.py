"""docker-compose.yml cannot be started here (no Docker engine): keep it honest by checking that
it describes the stack the settings expect."""

import os
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
PRODUCTION_SETTINGS = (ROOT / "adn_portal" / "settings" / "production.py").read_text()
BASE_SETTINGS = (ROOT / "adn_portal" / "settings" / "base.py").read_text()


def test_compose_runs_the_whole_production_stack():
    services = COMPOSE["services"]
    assert set(services) == {"db", "redis", "web", "worker", "beat"}
    assert (
        "gunicorn adn_portal.wsgi:application -c python:adn_portal.gunicorn"
        in (services["web"]["command"])
    )
    assert services["worker"]["command"].startswith("celery -A adn_portal worker")
    assert services["beat"]["command"].startswith("celery -A adn_portal beat")


def test_web_worker_and_beat_share_one_image_and_the_production_settings():
    app_services = [COMPOSE["services"][name] for name in ("web", "worker", "beat")]
    assert len({service["image"] for service in app_services}) == 1
    for service in app_services:
        assert service["environment"]["DJANGO_SETTINGS_MODULE"] == "adn_portal.settings.production"


def test_every_variable_compose_sets_is_read_by_the_settings():
    settings_source = PRODUCTION_SETTINGS + BASE_SETTINGS
    for service in ("web", "worker", "beat"):
        for name in COMPOSE["services"][service]["environment"]:
            if name != "DJANGO_SETTINGS_MODULE":
                assert f'"{name}"' in settings_source, (
                    f"{service} sets {name}, which no setting reads"
                )


def test_compose_points_the_app_at_its_own_database_and_redis():
    env = COMPOSE["services"]["web"]["environment"]
    db = COMPOSE["services"]["db"]["environment"]
    assert (
        env["DATABASE_URL"]
        == f"postgres://{db['POSTGRES_USER']}:{db['POSTGRES_PASSWORD']}@db:5432/{db['POSTGRES_DB']}"
    )
    assert env["CELERY_BROKER_URL"].startswith("redis://redis:6379/")


def test_the_web_service_listens_where_compose_publishes_it(monkeypatch):
    import importlib

    import adn_portal.gunicorn

    monkeypatch.delenv("GUNICORN_BIND", raising=False)
    monkeypatch.setenv("WEB_CONCURRENCY", "5")
    config = importlib.reload(adn_portal.gunicorn)
    assert config.bind == "0.0.0.0:8000"
    assert COMPOSE["services"]["web"]["ports"] == ["8000:8000"]
    assert config.workers == 5  # the deployment's own choice wins
    monkeypatch.delenv("WEB_CONCURRENCY")
    assert importlib.reload(adn_portal.gunicorn).workers == (os.cpu_count() or 1) + 1
