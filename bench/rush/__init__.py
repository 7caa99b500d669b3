"""The deadline rush: hundreds of applicants fill, document and submit a Tremplin IA file at
once, against the stack as deployed: gunicorn with the deployment's settings
(adn_portal/gunicorn.py; production settings, settings.py here), PostgreSQL, Redis, a Celery
worker (two processes, as in docker-compose.yml) and beat, sending through SMTP to a local sink
that counts what arrives. The applicants are Locust users (users.py).

For each level of concurrency: that many applicants (each with their own account and
organisation, made in bulk: applicants.py), their requests' p50/p99 by kind, the step saves and
submissions per second, the errors (figures.py), then what the database and the sink hold
(checks.py): every file submitted exactly once with its two documents and one reference, the
programme-year's references without gap or duplicate, every acknowledgement received exactly
once, and how long the worker took to send the last one after the last submission.

Usage: DATABASE_URL=postgres://postgres@127.0.0.1:5432/adn_portal_rush \\
       .venv/bin/python -m bench.rush [--curve 50,100,200,300] [--think 2-8] [--check]
`--check` (CI, `make rush-check`): exit 1 on any error, lost or duplicated submission, gap in
the references or e-mail received twice. `make bench-rush` writes bench/results/rush.txt."""

import os

# A Redis database of its own for the broker and one for the cache: no other job's worker or
# cache shares them (RUSH_BROKER_URL, RUSH_CACHE_URL, RUSH_PORT when another run shares the
# machine).
BROKER_URL = os.environ.get("RUSH_BROKER_URL", "redis://127.0.0.1:6379/5")
CACHE_URL = os.environ.get("RUSH_CACHE_URL", "redis://127.0.0.1:6379/6")
PORT = int(os.environ.get("RUSH_PORT", "8772"))
CALL = "tremplin-ia-entreprises"
PASSWORD = "bench-rush-Pa55word"  # noqa: S105 — the bench applicants' password
