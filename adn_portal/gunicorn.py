"""gunicorn's settings for the portal: docker-compose's web service and the HTTP benchmark both
start it with `-c python:adn_portal.gunicorn`, so the benchmark measures what is deployed.

Sync workers, one more than the cores; WEB_CONCURRENCY overrides it (gunicorn's convention).
The count was chosen by measuring 2 to 5 workers with bench/http.py (figures in the README)."""

import os

workers = int(os.environ.get("WEB_CONCURRENCY", (os.cpu_count() or 1) + 1))
bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
accesslog = "-"
