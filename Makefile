# Two commands: `make run` and `make test`. Everything else is a helper for them or for CI.
PYTHON_VERSION := $(shell cat .python-version)
PY_BOOT := $(shell command -v pyenv >/dev/null 2>&1 && pyenv prefix $(PYTHON_VERSION) >/dev/null 2>&1 && echo "$$(pyenv prefix $(PYTHON_VERSION))/bin/python" || command -v python3.12 || echo python3)
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
STUDENTS ?= 1200
SEED ?= 1
WORKERS ?= 2
# pytest-xdist workers for `make test`; browser tests run fine in parallel (each worker has its own live server).
TEST_WORKERS ?= auto

.PHONY: run test venv install install-dev migrate seed serve bench lint typecheck migrations-check ci clean browsers pdf-libs saml-libs \
	loadtest loadtest-1700 wrk messages screenshots

$(VENV)/bin/python:
	$(PY_BOOT) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(VENV)/bin/python saml-libs
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(VENV)/bin/python saml-libs
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

migrate: install
	$(PY) manage.py migrate --noinput -v0

## make run: set up, migrate, seed the demo school on first run, serve on http://$(HOST):$(PORT), with the background
## worker and the notification scheduler beside granian (deploy/run-demo.sh stops them when granian stops)
run: migrate pdf-libs
	$(PY) manage.py seed_demo --if-empty --students $(STUDENTS) --seed $(SEED)
	$(PY) manage.py collectstatic --noinput -v0
	$(PY) manage.py demo_accounts
	bash deploy/run-demo.sh $(VENV) $(HOST) $(PORT) $(WORKERS)

## make test: install the test dependencies and run the whole suite (browser tests included)
test: install-dev browsers pdf-libs
	$(PY) -m pytest -n $(TEST_WORKERS)

browsers:
	@command -v xgettext >/dev/null 2>&1 || \
		{ echo "Installing GNU gettext for the translation checks"; \
		  (apt-get update -qq && apt-get install -y -qq gettext) >/dev/null 2>&1 || \
		  (sudo apt-get update -qq && sudo apt-get install -y -qq gettext) >/dev/null 2>&1 || \
		  echo "Could not install gettext: the translation tests are skipped. Install the 'gettext' package."; }
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || \
		{ echo "Installing Debian's chromium for the browser tests"; \
		  (apt-get update -qq && apt-get install -y -qq chromium) >/dev/null 2>&1 || \
		  (sudo apt-get update -qq && sudo apt-get install -y -qq chromium) >/dev/null 2>&1 || \
		  echo "Could not install chromium: browser tests will fail. Install the 'chromium' package."; }

## make screenshots: the main page of each demo role at phone and desktop width into docs/screenshots/ (a fresh
## demo school in var/screenshots.sqlite3; inzage/demo/management/commands/screenshots.py)
SHOTS_DB := var/screenshots.sqlite3
screenshots: install-dev browsers
	mkdir -p var && rm -f $(SHOTS_DB)
	DATABASE_URL=sqlite:///$(SHOTS_DB) $(PY) manage.py migrate --noinput -v0
	DATABASE_URL=sqlite:///$(SHOTS_DB) $(PY) manage.py seed_demo --students 200 --seed $(SEED)
	DATABASE_URL=sqlite:///$(SHOTS_DB) $(PY) manage.py screenshots

## make messages: add new translatable strings to every catalogue (Dutch and English), compile them, and list the
## strings that still need a translation (inzage/web/catalogues.py)
messages: install-dev
	$(PY) -m inzage.web.catalogues

## pdf-libs: WeasyPrint (the report PDFs) needs Pango and a font; Debian's chromium brings both, a bare machine not.
pdf-libs:
	@{ ldconfig -p 2>/dev/null | grep -q 'libpango-1.0.so' && fc-list 2>/dev/null | grep -qi 'DejaVu Sans'; } || \
		{ echo "Installing Pango and the DejaVu fonts for the report PDFs"; \
		  (apt-get update -qq && apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core) >/dev/null 2>&1 || \
		  (sudo apt-get update -qq && sudo apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core) >/dev/null 2>&1 || \
		  echo "Could not install Pango: report PDFs will fail. Install libpango-1.0-0 and fonts-dejavu-core."; }

## saml-libs: SAML sign-in (python3-saml's xmlsec) links against libxmlsec1, found through pkg-config when pip has to
## build it; the SAML test's identity provider (pysaml2) signs with Debian's xmlsec1 command.
saml-libs:
	@{ pkg-config --exists xmlsec1 2>/dev/null && command -v xmlsec1 >/dev/null 2>&1; } || \
		{ echo "Installing libxmlsec1 and xmlsec1 for SAML sign-in"; \
		  (apt-get update -qq && apt-get install -y -qq libxmlsec1-dev pkg-config xmlsec1) >/dev/null 2>&1 || \
		  (sudo apt-get update -qq && sudo apt-get install -y -qq libxmlsec1-dev pkg-config xmlsec1) >/dev/null 2>&1 || \
		  echo "Could not install libxmlsec1: SAML sign-in and its test will fail. Install libxmlsec1-dev, pkg-config and xmlsec1."; }

bench: install-dev pdf-libs
	$(PY) bench/run.py $(BENCH)

## make loadtest: the parent's grades page under wrk at c=8 and c=32 (SOAK=300: a 5-minute soak at c=32 instead);
## granian as `make run` serves it, on PostgreSQL (database inzage_loadtest, recreated), 256 parents signed in.
SOAK ?=
LOADTEST_DURATION ?= 20
loadtest: install wrk
	SOAK=$(SOAK) WORKERS=$(WORKERS) LOADTEST_DURATION=$(LOADTEST_DURATION) bash loadtest/run.sh

## make loadtest-1700: the same load across a 17:00 publication moment on a shifted app clock; the parent's page
## must show the grade from the first request at or after 17:00:00 and not before.
loadtest-1700: install wrk
	AT_1700=1 WORKERS=$(WORKERS) bash loadtest/run.sh

wrk:
	@command -v wrk >/dev/null 2>&1 || \
		{ echo "Installing Debian's wrk for the load test"; \
		  (apt-get update -qq && apt-get install -y -qq wrk) >/dev/null 2>&1 || \
		  (sudo apt-get update -qq && sudo apt-get install -y -qq wrk) >/dev/null 2>&1 || \
		  { echo "Could not install wrk: install the 'wrk' package."; exit 1; }; }

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: install-dev
	$(VENV)/bin/mypy

migrations-check: install-dev
	$(PY) manage.py makemigrations --check --dry-run

ci:
	bash .ci/run

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache .mypy_cache .ruff_cache

## make loadtest-cluster: nginx in front of granian app servers (1 worker each) sharing Redis, PostgreSQL's primary
## for writes and a streaming hot standby for portal reads; wrk through nginx with 1 and with 2 app servers, then a
## run during which one app server restarts. Loopback only, everything stops at the end (docs/scale-out.md).
.PHONY: loadtest-cluster
loadtest-cluster: install
	@for pkg in nginx wrk; do command -v $$pkg >/dev/null 2>&1 || \
		{ echo "Installing Debian's $$pkg for the cluster load test"; \
		  (apt-get update -qq && apt-get install -y -qq $$pkg) >/dev/null 2>&1 || \
		  (sudo apt-get update -qq && sudo apt-get install -y -qq $$pkg) >/dev/null 2>&1 || \
		  { echo "Could not install $$pkg: install the '$$pkg' package."; exit 1; }; }; done
	bash loadtest/cluster.sh
