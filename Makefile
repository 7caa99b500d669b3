# ADN Portal — every set-up step lives here, so a fresh clone needs only `make run` or `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV ?= .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py

# Local services used by the real-stack targets; override them from the environment.
SERVICES_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/adn_portal
SERVICES_BROKER_URL ?= redis://127.0.0.1:6379/0

# Django 6 needs Python >= 3.12. Try the usual names first, then any pyenv-installed release
# (a pyenv shim refuses to run a version that is not selected, so ask pyenv for its real path).
define FIND_PYTHON
check='import sys; assert sys.version_info >= (3, 12); print(sys.executable)'; \
for c in $${PYTHON:-} python3.14 python3.13 python3.12 python3 python; do \
  command -v "$$c" >/dev/null 2>&1 && "$$c" -c "$$check" 2>/dev/null && exit 0; \
done; \
if command -v pyenv >/dev/null 2>&1; then \
  for v in $$(pyenv versions --bare 2>/dev/null | grep -E '^3\.(1[2-9]|[2-9][0-9])' | sort -rV); do \
    "$$(pyenv root)/versions/$$v/bin/python3" -c "$$check" 2>/dev/null && exit 0; \
  done; \
fi; \
exit 1
endef


.PHONY: demo-code
.PHONY: help run test test-services test-postgresql oidc-provider test-api-fuzz test-api-client e2e bench bench-rush rush-check check-translations worker beat lint lint-imports format messages check-deploy install pdf-libraries clean

help:
	@echo "make run            set up everything and serve the portal on http://127.0.0.1:8000"
	@echo "make test           set up everything and run the test suite (SQLite, eager Celery)"
	@echo "make test-services  run the suites that need PostgreSQL, Redis and a live Celery worker"
	@echo "make test-postgresql  the whole suite once more on PostgreSQL"
	@echo "make e2e            browser tests in headless Chromium; screenshots in var/e2e-screenshots/"
	@echo "make worker | beat  run a Celery worker / the beat scheduler against CELERY_BROKER_URL"
	@echo "make lint           ruff lint and format check, and the layers (make lint-imports)"

$(VENV)/.installed: pyproject.toml
	@python="$$( $(FIND_PYTHON) )" || { \
	  echo "ADN Portal needs Python 3.12 or newer (Django 6). None was found:" >&2; \
	  echo "install one (python.org, your package manager or pyenv) or name it: make PYTHON=/path/to/python3.12" >&2; \
	  exit 1; }; \
	echo "Using $$python"; \
	[ -x $(PY) ] || "$$python" -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	@touch $@

install: $(VENV)/.installed

# PDFs (adn_portal/lib/pdf.py) are made by WeasyPrint, which loads Pango from the system.
pdf-libraries: install
	@$(PY) -W error::DeprecationWarning -c "import weasyprint" 2>/dev/null || { echo "WeasyPrint (PDFs) needs Pango, HarfBuzz's subsetter and a font: install them (Debian: apt-get install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core; macOS: brew install pango)" >&2; exit 1; }

# Each catalogue compiled when its .po changes, as compilemessages does it (msgfmt
# --check-format): the targets that need them all ask, and a Django start each time cost more
# than the compiling.
MO_FILES := $(patsubst %.po,%.mo,$(wildcard locale/*/LC_MESSAGES/django.po))
messages: install pdf-libraries $(MO_FILES)

locale/%/LC_MESSAGES/django.mo: locale/%/LC_MESSAGES/django.po
	@command -v msgfmt >/dev/null || { echo "msgfmt is missing: install GNU gettext (Debian: apt-get install gettext)" >&2; exit 1; }
	msgfmt --check-format -o $@ $<

run: messages
	$(MANAGE) migrate --noinput
	$(MANAGE) seed_demo
	$(MANAGE) runserver 127.0.0.1:8000

test: messages
	env -u DATABASE_URL -u CELERY_BROKER_URL $(PY) -m pytest -m "not services and not e2e" -n auto -q

# Journeys in Debian's headless Chromium (/usr/bin/chromium; Playwright never downloads a
# browser), against a live server on SQLite with eager Celery, one process.
e2e: messages tests/e2e/node_modules/.installed tests/services/oidc/node_modules/.installed
	rm -rf var/e2e-screenshots && mkdir -p var/e2e-screenshots
	env -u DATABASE_URL -u CELERY_BROKER_URL $(PY) -m pytest -m e2e -q -p no:xdist

# The whole suite once more on PostgreSQL (tasks eager), then the tests that need the broker
# and a live worker process.
# axe-core for the accessibility run, from the npm registry (pinned by the lock file).
tests/e2e/node_modules/.installed: tests/e2e/package.json tests/e2e/package-lock.json
	@command -v npm >/dev/null || { echo "npm is missing: install Node.js (Debian: apt-get install nodejs npm)" >&2; exit 1; }
	cd tests/e2e && npm ci --no-audit --no-fund --silent
	@touch $@

# The OpenID Provider of the federal log-in tests (tests/fixtures/oidc.py): panva's certified
# oidc-provider for Node, from the npm registry (pinned by the lock file).
tests/services/oidc/node_modules/.installed: tests/services/oidc/package.json tests/services/oidc/package-lock.json
	@command -v npm >/dev/null || { echo "npm is missing: install Node.js (Debian: apt-get install nodejs npm)" >&2; exit 1; }
	cd tests/services/oidc && npm ci --no-audit --no-fund --silent
	@touch $@

oidc-provider: tests/services/oidc/node_modules/.installed

test-postgresql: messages
	DATABASE_URL="$${DATABASE_URL:-$(SERVICES_DATABASE_URL)}" \
	CELERY_BROKER_URL="$${CELERY_BROKER_URL:-$(SERVICES_BROKER_URL)}" CELERY_TASK_ALWAYS_EAGER=true \
	$(PY) -m pytest -m "not services and not e2e" -q --create-db -n auto \
	  --dist loadfile --no-loadscope-reorder

# The tests of the code that reads the database engine (connection.vendor: the directory's full
# text, the indicators' SQL, the matching, the record chains) run again on PostgreSQL here; the
# whole suite on PostgreSQL is `make test-postgresql` (about 7 minutes more). `--dist loadfile
# --no-loadscope-reorder`: a file's tests on one worker, files in the order collected, where
# tests/conftest.py puts the tests on the seeded demo first: one worker seeds it once (the
# longest part) while the other takes the rest. (xdist's loadgroup ignores its groups under
# pytest 9: it renames node ids through an attribute pytest no longer reads.)
POSTGRESQL_TESTS ?= tests/stats tests/companies tests/applications/test_expert_matching.py \
	tests/applications/test_expert_matching_shortlist.py \
	tests/applications/test_queue_pages.py \
	tests/applications/test_expert_matching_on_the_demo.py \
	tests/security/test_tamper_evident_record.py

# The real-stack tests (tests/services) mostly wait (on workers starting, on locks, on
# timeouts): they run while the engine tests run, whose worker seeding the demo leaves a core
# idle for minutes (each in its own test databases: test_<name> here, test_<name>_gw<n> there).
# Then those marked `alone`, which stop the shared Redis and restart PostgreSQL under everyone.
test-services: messages tests/services/oidc/node_modules/.installed
	@mkdir -p var
	@export DATABASE_URL="$${DATABASE_URL:-$(SERVICES_DATABASE_URL)}" \
	  CELERY_BROKER_URL="$${CELERY_BROKER_URL:-$(SERVICES_BROKER_URL)}"; \
	CELERY_TASK_ALWAYS_EAGER=true $(PY) -m pytest $(POSTGRESQL_TESTS) -m "not services and not e2e" \
	  -q --create-db -n auto --dist loadfile --no-loadscope-reorder > var/test-engine.log 2>&1 & \
	engine=$$!; trap 'kill $$engine 2>/dev/null' EXIT; \
	echo "The engine tests on PostgreSQL, in the background (var/test-engine.log); the real-stack tests:"; \
	$(PY) -m pytest tests/services -m "services and not alone" -q --create-db; \
	services=$$?; wait $$engine; engine=$$?; trap - EXIT; \
	echo "The engine tests on PostgreSQL:"; cat var/test-engine.log; \
	[ $$services = 0 ] && [ $$engine = 0 ] || exit 1; \
	echo "The real-stack tests that run alone:"; \
	$(PY) -m pytest tests/services -m alone -q --create-db

# The demo data the API's live runs start from (test-api-fuzz, test-api-client): migrated and
# seeded once, then copied for each run. Rebuilt when the code changes.
API_DEMO_DB := var/api-demo.sqlite3
$(API_DEMO_DB): $(shell find adn_portal programs companies applications stats -name '*.py' -newer $(API_DEMO_DB) 2>/dev/null | head -1) | messages
	@mkdir -p var && rm -f $@.tmp
	@set -e; export DATABASE_URL=sqlite:///$(CURDIR)/$@.tmp CELERY_BROKER_URL=; \
	$(MANAGE) migrate --noinput -v0; $(MANAGE) seed_demo --no-history > var/api-demo-seed.log
	@mv $@.tmp $@

# A live server (runserver, eager tasks, no throttling) on a copy of the demo data in the folder
# $(2), on port $(1), its schema in $(2)/schema.yaml; stopped when the recipe's shell exits.
define API_SERVER
rm -rf $(2) && mkdir -p $(2) && cp $(API_DEMO_DB) $(2)/db.sqlite3; \
export DATABASE_URL=sqlite:///$(CURDIR)/$(2)/db.sqlite3 CELERY_BROKER_URL= \
  API_THROTTLE_ANON=100000/minute API_THROTTLE_USER=100000/minute; \
$(MANAGE) runserver 127.0.0.1:$(1) --noreload > $(2)/server.log 2>&1 & server=$$!; \
trap "kill $$server" EXIT; \
for _ in $$(seq 150); do curl -sf -o $(2)/schema.yaml http://127.0.0.1:$(1)/api/v1/schema/ && break; sleep 0.2; done
endef

# Property-based run of schemathesis against the OpenAPI schema, on a live server with demo data,
# as five roles: no server error, no answer outside the schema, and its stateful phase chaining
# operations by the schema's links (adn_portal/wiring/api_links.py; settings in
# tests/api_fuzz/schemathesis.toml, its hooks in tests/api_fuzz/hooks.py). Each role on the
# paths it uses: the public on the public endpoints, the programme manager on staff's, the
# public ones and its notifications, the applicant on all but staff's and the expert company's,
# the reviewer on staff's, the expert company on its own (elsewhere they get the 404, 403 or
# empty list the first runs see; the manager on the applicant's paths only had empty lists, and
# its stateful phase spent its scenarios on their 27 links, none of which it could follow). The
# run's copy of the demo data gives the applicant ten more small businesses
# (tests/api_fuzz/applicant_organisations.py): each create that succeeds starts a chain, and an
# organisation has one open file of a programme at a time. FUZZ_DIR: the copy, the server's log
# and each role's report.
FUZZ_PORT ?= 8765
FUZZ_DIR ?= var/fuzz
FUZZ_ROLES ?= 'anonymous:^/api/v1/(programmes|calls|experts|key-figures)/' \
	'gestionnaire@adn.demo:^/api/v1/(staff/|me/notification|programmes/|calls/|experts/|key-figures/)' \
	'pme@adn.demo:^/api/v1/(?!staff/|me/expert/)' \
	'evaluatrice@adn.demo:^/api/v1/(staff/|me/notification)' \
	'expert@adn.demo:^/api/v1/me/'
test-api-fuzz: messages $(API_DEMO_DB)
	@set -eo pipefail; $(call API_SERVER,$(FUZZ_PORT),$(FUZZ_DIR)); \
	$(MANAGE) shell -v0 -c "from tests.api_fuzz.applicant_organisations import add_organisations; add_organisations()"; \
	for role in $(FUZZ_ROLES); do \
	  account=$${role%%:*}; paths=$${role#*:}; auth=(); \
	  [ "$$account" = anonymous ] || auth=(-H "Authorization: Token $$($(MANAGE) api_token $$account)"); \
	  echo "schemathesis as $$account on $$paths"; \
	  $(VENV)/bin/schemathesis --config-file tests/api_fuzz/schemathesis.toml \
	    run http://127.0.0.1:$(FUZZ_PORT)/api/v1/schema/ --no-color "$${auth[@]}" \
	    --include-path-regex "$$paths" --checks all --exclude-checks positive_data_acceptance \
	    --max-examples 5 --workers 2 --seed 7 | tee $(FUZZ_DIR)/$$account.txt; \
	done; \
	echo "Links followed by the stateful phase:"; \
	for role in $(FUZZ_ROLES); do \
	  account=$${role%%:*}; echo "  $$account: $$(grep -h 'API Links:' $(FUZZ_DIR)/$$account.txt | sed 's/ *API Links: *//')"; \
	done

# An integrator's client (issue 22): a Python client generated from the live schema by
# openapi-python-client (pinned in the dev dependencies), every module imported, then
# tests/api_client/tremplin_journey.py drives a Tremplin IA file from draft to decision with it
# alone. The client is generated in var/api-client/, never committed.
CLIENT_PORT ?= 8766
test-api-client: messages $(API_DEMO_DB)
	@set -e; $(call API_SERVER,$(CLIENT_PORT),var/api-client); \
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(VENV)/bin/openapi-python-client generate --meta none \
	  --path var/api-client/schema.yaml --output-path var/api-client/adn_portal_client \
	  > var/api-client/generate.log 2>&1 || { cat var/api-client/generate.log; exit 1; }; \
	if grep -q -i warning var/api-client/generate.log; then cat var/api-client/generate.log; exit 1; fi; \
	applicant=$$($(MANAGE) api_token pme@adn.demo); \
	manager=$$($(MANAGE) api_token gestionnaire@adn.demo); \
	reviewer=$$($(MANAGE) api_token evaluatrice@adn.demo); \
	PYTHONPATH=var/api-client $(PY) tests/api_client/tremplin_journey.py \
	  --url http://127.0.0.1:$(CLIENT_PORT) --applicant-token "$$applicant" \
	  --manager-token "$$manager" --reviewer-token "$$reviewer"

# Benchmarks on PostgreSQL (a database of their own, created here): the staff queue and the
# indicators at 100,000 files, the cost of cache misses in process (then with BENCH_EXPERTS
# recognised experts), a 40-question application form's step pages and saves (queries equal to
# a 5-question form's), each figure with its target. BENCH_FILES=1000000 for the big run.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/adn_portal_bench
BENCH_FILES ?= 100000
BENCH_EXPERTS ?= 10000
bench: install
	psql "$(BENCH_DATABASE_URL:/adn_portal_bench=/postgres)" -qc "DROP DATABASE IF EXISTS adn_portal_bench" -c "CREATE DATABASE adn_portal_bench"
	@mkdir -p bench/results
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) -m bench.queue --files $(BENCH_FILES) | tee bench/results/queue.txt
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) -m bench.indicators --files $(BENCH_FILES) | tee bench/results/indicators.txt
	@command -v wrk >/dev/null || { echo "wrk is missing (Debian: apt-get install wrk)" >&2; exit 1; }
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) -m bench.http --files $(BENCH_FILES)
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) -m bench.cache_memory | tee bench/results/cache_memory.txt
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) -m bench.misses --files $(BENCH_FILES) --experts $(BENCH_EXPERTS)
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) -m bench.forms
	$(MAKE) --no-print-directory bench-rush

# The deadline rush (bench/rush/): applicants through the pages (Locust) against gunicorn,
# a Celery worker and beat on PostgreSQL and Redis, in a database of its own, at each level of
# RUSH_CURVE concurrent applicants. `make rush-check` (CI): 20 applicants, exits 1 on any
# error, lost or duplicated submission, gap in the references or e-mail received twice.
RUSH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/adn_portal_rush
RUSH_CURVE ?= 50,100,200,300
RUSH_DATABASE = $(lastword $(subst /, ,$(RUSH_DATABASE_URL)))
define RUSH_DATABASE_FRESH
psql "$(RUSH_DATABASE_URL:/$(RUSH_DATABASE)=/postgres)" -qc "DROP DATABASE IF EXISTS $(RUSH_DATABASE)" -c "CREATE DATABASE $(RUSH_DATABASE)"
endef
bench-rush: messages
	$(RUSH_DATABASE_FRESH)
	DATABASE_URL=$(RUSH_DATABASE_URL) $(PY) -m bench.rush --curve $(RUSH_CURVE)

rush-check: messages
	$(RUSH_DATABASE_FRESH)
	DATABASE_URL=$(RUSH_DATABASE_URL) $(PY) -m bench.rush --curve 20 --think 1-3 --check --output var/rush-check.txt

# Every string of the code extracted, and translated in French, English and German.
check-translations: install
	$(MANAGE) makemessages -l fr -l en -l de --ignore .venv --ignore tests --ignore var --ignore bench --no-obsolete -v0
	@for lang in fr en de; do \
	  stats=$$(msgfmt --check --statistics -o /dev/null locale/$$lang/LC_MESSAGES/django.po 2>&1); echo "$$lang: $$stats"; \
	  case "$$stats" in *fuzzy*|*untranslated*) echo "$$lang: translations incomplete" >&2; exit 1;; esac; \
	done

demo-code: install
	@$(MANAGE) demo_totp_code

worker: install
	$(VENV)/bin/celery -A adn_portal worker -l info

beat: install
	$(VENV)/bin/celery -A adn_portal beat -l info

lint: install lint-imports
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# The layers (pyproject.toml [tool.importlinter]): a lower layer importing a higher one fails.
lint-imports: install
	$(VENV)/bin/lint-imports --no-cache

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# The checks ask the PostgreSQL server its version (generated columns): any database of the
# server will do, the maintenance one always exists.
check-deploy: install
	DJANGO_SETTINGS_MODULE=adn_portal.settings.production \
	SECRET_KEY="$${SECRET_KEY:-$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))')}" \
	RECORD_CHAIN_KEY="$${RECORD_CHAIN_KEY:-$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))')}" \
	ALLOWED_HOSTS="$${ALLOWED_HOSTS:-portal.example.org}" \
	DATABASE_URL="$${DATABASE_URL:-$(SERVICES_DATABASE_URL:/adn_portal=/postgres)}" \
	CELERY_BROKER_URL="$${CELERY_BROKER_URL:-$(SERVICES_BROKER_URL)}" \
	EMAIL_URL="$${EMAIL_URL:-smtp://localhost:25}" \
	SITE_URL="$${SITE_URL:-https://portal.example.org}" \
	$(MANAGE) check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) db.sqlite3 var staticfiles
	find . -name '*.mo' -path '*/locale/*' -not -path './$(VENV)/*' -delete
