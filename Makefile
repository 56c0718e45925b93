# CampusEval — two commands: `make run` (install, set up, start) and `make test` (everything CI runs).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha256sum | cut -c1-12)
PG_URL ?= postgres://postgres@127.0.0.1:5432/postgres
HOST ?= 127.0.0.1:8000

.PHONY: run worker test test-sqlite test-postgres lint system-deps bench bench-deadline example install wheelhouse install-offline

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $@

install: $(STAMP)

# Debian packages the tests need: Chromium for browser tests, CJK fonts and poppler for PDFs,
# gettext for translation catalogues, nginx for the deployment smoke test (tests/deploy), docker-compose
# to validate deploy/compose.yaml (nothing is pulled or run).
# Installed only when missing (needs root or sudo). The full list: deploy/debian-packages.txt.
system-deps:
	@missing=""; \
	test -x /usr/bin/chromium || missing="$$missing chromium"; \
	fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || missing="$$missing fonts-noto-cjk"; \
	command -v pdftoppm >/dev/null || missing="$$missing poppler-utils"; \
	command -v msgfmt >/dev/null || missing="$$missing gettext"; \
	command -v nginx >/dev/null || test -x /usr/sbin/nginx || missing="$$missing nginx"; \
	command -v docker-compose >/dev/null || missing="$$missing docker-compose"; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q $$missing; \
	fi

example: $(STAMP)
	$(BIN)/campuseval frameworks check
	$(BIN)/campuseval score bozhou-2024-school campuseval/frameworks/examples/bozhou-2024-school.sample.yaml --as-of 2024-05-30

# `make run` keeps its own random SECRET_KEY in var/secret_key (DEBUG is off and the placeholder
# key fails the system check campuseval.E001); an exported SECRET_KEY wins.
run worker: export SECRET_KEY ?= $(shell mkdir -p "$${VAR_DIR:-var}" && f="$${VAR_DIR:-var}/secret_key" && { test -s "$$f" || $(PYTHON) -c "import secrets; print(secrets.token_urlsafe(50))" > "$$f"; } && cat "$$f")
run: $(STAMP)
	$(BIN)/campuseval frameworks check
	mkdir -p "$${VAR_DIR:-var}"
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py compilemessages --ignore=.venv -v 0 2>/dev/null || true
	$(BIN)/python manage.py collectstatic --noinput -v 0
	$(BIN)/python manage.py seed_demo
	GUNICORN_BIND=$(HOST) $(BIN)/gunicorn -c deploy/gunicorn.conf.py campuseval.wsgi

# The background task worker (large exports, reminders' e-mail) for `make run`'s database.
worker: $(STAMP)
	$(BIN)/python manage.py db_worker

# Every wheel the project needs (runtime and dev, so CI runs offline too) into wheelhouse/,
# on a machine with the package index; copy the checkout with wheelhouse/ to the intranet server
# and run `make install-offline` there. Debian packages: deploy/debian-packages.txt.
wheelhouse: $(STAMP)
	rm -rf wheelhouse && mkdir -p wheelhouse
	$(BIN)/pip wheel --quiet --wheel-dir wheelhouse '.[dev]' pip 'setuptools>=68' wheel
	@echo "wheelhouse/: $$(ls wheelhouse/*.whl | wc -l) wheels"

install-offline:
	@test -d wheelhouse || { echo "wheelhouse/ is missing: run 'make wheelhouse' where the package index is reachable"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --no-index --find-links wheelhouse --upgrade pip
	$(BIN)/pip install --quiet --no-index --find-links wheelhouse -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check campuseval tests benchmarks
	$(BIN)/mypy campuseval

test-sqlite: $(STAMP) system-deps
	$(BIN)/pytest -p no:cacheprovider -q -n 2

test-postgres: $(STAMP) system-deps
	DATABASE_URL=$(PG_URL) $(BIN)/pytest -p no:cacheprovider -q -n 2

test: $(STAMP) system-deps
	$(BIN)/campuseval frameworks check
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory test-sqlite
	$(MAKE) --no-print-directory test-postgres

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_engine.py

# Deadline day against gunicorn (README 性能): PostgreSQL 200 users, SQLite 50, then the PostgreSQL ramp
bench-deadline: $(STAMP)
	PG_URL=$(PG_URL) $(BIN)/python -m benchmarks.deadline_day --db postgres --users 200
	$(BIN)/python -m benchmarks.deadline_day --db sqlite --users 50
	PG_URL=$(PG_URL) $(BIN)/python -m benchmarks.deadline_day --db postgres --ramp

# Province scale (README 性能 › 省级规模, issue 13): 20,000 schools generated through the services on PostgreSQL, every page timed
.PHONY: bench-province
bench-province: $(STAMP)
	PG_URL=$(PG_URL) $(BIN)/python -m benchmarks.province --db postgres --schools 20000
