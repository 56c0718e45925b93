# CampusEval — two commands: `make run` (install, set up, start) and `make test` (everything CI runs).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha256sum | cut -c1-12)
PG_URL ?= postgres://postgres@127.0.0.1:5432/postgres
HOST ?= 127.0.0.1:8000

.PHONY: run test test-sqlite test-postgres lint system-deps bench example install

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $@

install: $(STAMP)

# Debian packages the tests need: Chromium for browser tests, CJK fonts and poppler for PDFs,
# gettext for translation catalogues. Installed only when missing (needs root or sudo).
system-deps:
	@missing=""; \
	test -x /usr/bin/chromium || missing="$$missing chromium"; \
	fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || missing="$$missing fonts-noto-cjk"; \
	command -v pdftoppm >/dev/null || missing="$$missing poppler-utils"; \
	command -v msgfmt >/dev/null || missing="$$missing gettext"; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q $$missing; \
	fi

example: $(STAMP)
	$(BIN)/campuseval frameworks check
	$(BIN)/campuseval score bozhou-2024-school campuseval/frameworks/examples/bozhou-2024-school.sample.yaml --as-of 2024-05-30

run: $(STAMP)
	$(BIN)/campuseval frameworks check
	mkdir -p "$${VAR_DIR:-var}"
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py compilemessages --ignore=.venv -v 0 2>/dev/null || true
	$(BIN)/python manage.py collectstatic --noinput -v 0
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py runserver $(HOST) --insecure

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
