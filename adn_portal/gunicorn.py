"""gunicorn's settings for the portal: docker-compose's web service and the HTTP benchmark both
start it with `-c python:adn_portal.gunicorn`, so the benchmark measures what is deployed.

Sync workers, one more than the cores; WEB_CONCURRENCY overrides it (gunicorn's convention).
Measured on 2 cores with PostgreSQL and the load generator on the same machine (bench/http.py):
3 workers kept the staff dashboard's p99 under 100 ms in both runs (78 and 80 ms), where 4
gave 112 to 340 ms; 2 or 5 workers showed no clear gain over 3 (within run-to-run noise)."""

import os

workers = int(os.environ.get("WEB_CONCURRENCY", (os.cpu_count() or 1) + 1))
bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
accesslog = "-"
