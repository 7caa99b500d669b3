"""docker-compose.yml cannot be started here (no Docker engine): keep it honest by checking that
it describes the stack the settings expect."""

import os
import re
from pathlib import Path

import yaml
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_TEXT = (ROOT / "docker-compose.yml").read_text()
COMPOSE = yaml.safe_load(COMPOSE_TEXT)
CADDYFILE = COMPOSE["configs"]["caddyfile"]["content"]
PRODUCTION_SETTINGS = (ROOT / "adn_portal" / "settings" / "production.py").read_text()
BASE_SETTINGS = (ROOT / "adn_portal" / "settings" / "base.py").read_text()
APP_SERVICES = ("migrate", "web", "worker", "beat")


def test_compose_runs_the_whole_production_stack():
    services = COMPOSE["services"]
    assert set(services) == {
        *("db", "broker", "cache", "minio", "bucket", "migrate"),
        *("web", "worker", "beat", "proxy"),
    }
    assert (
        "gunicorn adn_portal.wsgi:application -c python:adn_portal.gunicorn"
        in (services["web"]["command"])
    )
    assert services["worker"]["command"].startswith("celery -A adn_portal worker")
    assert services["beat"]["command"].startswith("celery -A adn_portal beat")


def test_web_worker_and_beat_share_one_image_and_the_production_settings():
    app_services = [COMPOSE["services"][name] for name in APP_SERVICES]
    assert len({service["image"] for service in app_services}) == 1
    for service in app_services:
        assert service["environment"]["DJANGO_SETTINGS_MODULE"] == "adn_portal.settings.production"


def test_every_variable_compose_sets_is_read_by_the_settings():
    settings_source = PRODUCTION_SETTINGS + BASE_SETTINGS
    for service in APP_SERVICES:
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
    assert env["CELERY_BROKER_URL"].startswith("redis://broker:6379/")
    assert env["CACHE_URL"].startswith("redis://cache:6379/")


def test_the_web_service_listens_where_the_proxy_sends_requests(monkeypatch):
    import importlib

    import adn_portal.gunicorn

    monkeypatch.delenv("GUNICORN_BIND", raising=False)
    monkeypatch.setenv("WEB_CONCURRENCY", "5")
    config = importlib.reload(adn_portal.gunicorn)
    assert config.bind == "0.0.0.0:8000"
    assert COMPOSE["services"]["web"]["expose"] == ["8000"]
    assert re.search(r"^\t\tdynamic a web 8000 \{$", CADDYFILE, re.MULTILINE)
    assert config.workers == 5  # the deployment's own choice wins
    monkeypatch.delenv("WEB_CONCURRENCY")
    assert importlib.reload(adn_portal.gunicorn).workers == (os.cpu_count() or 1) + 1


def test_only_the_proxy_is_published_on_the_host():
    published = {name for name, service in COMPOSE["services"].items() if "ports" in service}
    assert published == {"proxy"}
    assert {"80:80", "443:443"} <= set(COMPOSE["services"]["proxy"]["ports"])


def test_the_proxy_is_the_official_caddy_image_reading_the_inline_caddyfile():
    proxy = COMPOSE["services"]["proxy"]
    assert proxy["image"] == "caddy:2"
    assert proxy["configs"] == [{"source": "caddyfile", "target": "/etc/caddy/Caddyfile"}]
    assert "command" not in proxy  # the image's own: caddy run --config /etc/caddy/Caddyfile


def test_the_proxy_site_is_site_address_and_plain_http_by_default():
    # The only compose variable in the Caddyfile (compose interpolates the config's content).
    assert re.findall(r"\$\S*", CADDYFILE) == ["${SITE_ADDRESS:-:80}"]
    assert re.search(r"^\$\{SITE_ADDRESS:-:80\} \{$", CADDYFILE, re.MULTILINE)
    assert {"caddy_data:/data", "caddy_config:/config"} <= set(
        COMPOSE["services"]["proxy"]["volumes"]
    )


def test_the_proxy_limits_bodies_to_the_upload_limit_plus_a_margin():
    limits = [
        int(re.search(r"^\t\tmax_size (\d+)MB$", CADDYFILE, re.MULTILINE)[1]) * 10**6,
        int(re.search(r"^\t\trequest_buffers (\d+)MB$", CADDYFILE, re.MULTILINE)[1]) * 10**6,
        int(re.search(r"Content-Length\}\) > (\d+)`$", CADDYFILE, re.MULTILINE)[1]),
    ]
    assert len(set(limits)) == 1, limits  # refused, limited and buffered at one size
    assert (
        settings.ATTACHMENT_MAX_BYTES + 1_000_000 <= limits[0] <= 2 * settings.ATTACHMENT_MAX_BYTES
    )


def test_the_proxy_cuts_off_slow_clients():
    assert re.search(r"^\t\t\tread_header \d+s$", CADDYFILE, re.MULTILINE)
    assert re.search(r"^\t\t\tread_body \d+m$", CADDYFILE, re.MULTILINE)


def test_the_portal_trusts_exactly_the_one_proxy_which_trusts_no_client():
    assert COMPOSE["services"]["web"]["environment"]["TRUSTED_PROXY_COUNT"] == "1"
    for name in ("worker", "beat"):
        assert "TRUSTED_PROXY_COUNT" not in COMPOSE["services"][name]["environment"]
    # Without trusted_proxies Caddy replaces the X-Forwarded-* headers clients send.
    assert "trusted_proxies" not in CADDYFILE


def test_site_url_is_documented_and_given_to_the_image_build():
    assert "#   SITE_URL=https://" in COMPOSE_TEXT
    assert "SITE_URL=" in COMPOSE["x-app"]["build"]["dockerfile_inline"]


def test_the_image_leaves_out_secrets_local_data_and_caches():
    ignored = set((ROOT / ".dockerignore").read_text().split("\n"))
    assert {
        ".env",
        ".git",
        "db.sqlite3",
        "var/",
        ".venv",
        "**/node_modules",
        "**/__pycache__",
        ".pytest_cache",
        ".ruff_cache",
        "bench/results",
    } <= ignored


# Several nodes (docs: README, "Several nodes")


def test_migrations_run_once_in_a_one_shot_service_that_the_app_waits_for():
    services = COMPOSE["services"]
    assert services["migrate"]["command"] == "python manage.py migrate --noinput"
    assert services["migrate"]["restart"] == "no"
    assert set(services["migrate"]["depends_on"]) == {"db"}
    for name in ("web", "worker", "beat"):
        assert "migrate" not in services[name]["command"]
        assert services[name]["depends_on"]["migrate"] == {
            "condition": "service_completed_successfully"
        }


def test_web_and_worker_scale_out_behind_a_proxy_that_spreads_requests_over_every_web():
    services = COMPOSE["services"]
    for name in ("web", "worker"):
        # Nothing that two containers could not share: a name, a host port, a disk of its own.
        assert not {"container_name", "ports", "volumes"} & set(services[name]), name
    assert "media" not in COMPOSE["volumes"]
    # Each web container's address, looked up again as containers come and go, in turn.
    assert re.search(r"^\t\t\trefresh \d+s$", CADDYFILE, re.MULTILINE)
    assert re.search(r"^\t\tlb_policy round_robin$", CADDYFILE, re.MULTILINE)
    assert re.search(r"^\t\tlb_try_duration \d+s$", CADDYFILE, re.MULTILINE)
    assert "web:8000" not in CADDYFILE  # one address only: no spreading


def test_files_live_in_a_minio_bucket_made_once_by_a_one_shot_service():
    services = COMPOSE["services"]
    env = services["web"]["environment"]
    bucket = env["AWS_STORAGE_BUCKET_NAME"]
    assert env["AWS_S3_ENDPOINT_URL"] == "http://minio:9000"
    assert services["minio"]["image"].startswith("minio/minio:RELEASE.")
    assert services["bucket"]["image"].startswith("minio/mc:RELEASE.")
    assert services["bucket"]["restart"] == "no"
    assert services["bucket"]["depends_on"] == {"minio": {"condition": "service_healthy"}}
    script = services["bucket"]["command"][0]
    assert f"mc mb --ignore-existing minio/{bucket};" in script
    # The portal's keys are a user of its own, not MinIO's administrator.
    assert 'mc admin user add minio "$$AWS_ACCESS_KEY_ID" "$$AWS_SECRET_ACCESS_KEY"' in script
    for name in APP_SERVICES:
        if name != "migrate":
            assert services[name]["depends_on"]["bucket"] == {
                "condition": "service_completed_successfully"
            }
    assert "ports" not in services["minio"]  # reached by the portal only
    assert "AWS_ACCESS_KEY_ID" not in env  # a secret: from .env
    assert "#   AWS_ACCESS_KEY_ID=" in COMPOSE_TEXT


def command_options(service: str) -> dict[str, str]:
    command = COMPOSE["services"][service]["command"]
    assert command[0] == "redis-server"
    return dict(zip(command[1::2], command[2::2], strict=True))


def test_the_broker_never_evicts_a_queue_and_keeps_them_across_restarts():
    assert command_options("broker") == {"--appendonly": "yes", "--maxmemory-policy": "noeviction"}
    assert COMPOSE["services"]["broker"]["volumes"] == ["redisdata:/data"]


def test_the_cache_has_a_redis_of_its_own_bounded_and_evicting_the_least_recently_used():
    options = command_options("cache")
    assert options["--maxmemory-policy"] == "allkeys-lru"
    assert re.fullmatch(r"\d+mb", options["--maxmemory"])
    assert (options["--save"], options["--appendonly"]) == ("", "no")  # nothing to keep
    assert "volumes" not in COMPOSE["services"]["cache"]
