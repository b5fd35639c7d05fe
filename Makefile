# ChipTown: the verbs a newcomer types. POSIX make; tested with GNU make on Debian 12 as root.
#
#   make demo     virtualenv, install, migrate, demo data, web server and task worker on http://127.0.0.1:8000
#   make test     system packages, virtualenv, PostgreSQL and Redis, lint, then the suite on SQLite and PostgreSQL
#   make bench    benchmarks, one JSON file each in bench/results/ (make bench BENCH=healthz runs one)

PYTHON = python3
VENV = .venv
BIN = $(VENV)/bin
DEMO_ADDR = 127.0.0.1:8000
DEMO_SCALE = 1
BENCH =
TEST_DATABASE_URL = postgres://postgres@127.0.0.1:5432/test
TEST_REDIS_URL = redis://127.0.0.1:6379/15
SYSTEM_PACKAGES = chromium fonts-wqy-zenhei gettext poppler-utils
LINT_PATHS = src tests bench
PYTEST_ARGS =

# Installs the Debian packages listed in $$want that are missing; apt-get update runs only when one is.
APT_ENSURE = \
	if ! command -v dpkg >/dev/null 2>&1; then \
		echo "Not a Debian system: make sure these are installed: $$want" >&2; \
	else \
		missing=""; \
		for p in $$want; do \
			dpkg -s "$$p" 2>/dev/null | grep -q '^Status: install ok installed' || missing="$$missing $$p"; \
		done; \
		if [ -n "$$missing" ]; then \
			sudo=""; [ "$$(id -u)" = 0 ] || sudo=sudo; \
			echo "Installing Debian packages:$$missing"; \
			$$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
			$$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing \
				|| exit 1; \
		fi; \
	fi

# pytest's exit code 5 means "no tests collected": say so, and fail like any other error.
PYTEST_FAILED = rc=$$?; [ $$rc -ne 5 ] || echo "pytest collected no tests: that is a failure" >&2; exit $$rc

.PHONY: help venv system-packages services lint test demo bench messages clean distclean

help:
	@echo "make demo             install, migrate, load demo data, serve on http://$(DEMO_ADDR) with a task worker"
	@echo "make test             system packages, services, lint, then pytest on SQLite and on PostgreSQL"
	@echo "                      (PYTEST_ARGS=tests/registry limits both passes)"
	@echo "make bench [BENCH=x]  benchmarks into bench/results/ (python -m bench.run --list names them)"
	@echo "make lint             ruff check, ruff format --check, mypy"
	@echo "make venv             virtualenv in $(VENV), installed when pyproject.toml changed; compiled messages"
	@echo "make system-packages  Debian packages the tests need: $(SYSTEM_PACKAGES)"
	@echo "make services         start PostgreSQL and Redis if they are down"
	@echo "make messages         update the zh_Hans message catalogue from the source"
	@echo "make clean            caches and compiled messages; make distclean also removes $(VENV) and var/"

venv: $(VENV)/.installed
	@if ls src/chiptown/locale/*/LC_MESSAGES/*.po >/dev/null 2>&1; then \
		want=gettext; $(APT_ENSURE); \
		cd src/chiptown && ../../$(BIN)/chiptown compilemessages --verbosity 0; \
	fi

# The stamp is newer than pyproject.toml once the install has succeeded, so repeated runs skip pip.
$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "ChipTown needs Python 3.11 or newer as $(PYTHON)" >&2; exit 1; }
	@want=""; $(PYTHON) -c 'import ensurepip' 2>/dev/null || want=python3-venv; \
		if [ -n "$$want" ]; then $(APT_ENSURE); fi
	@[ -x $(BIN)/python ] || { echo "Creating $(VENV)"; $(PYTHON) -m venv $(VENV); }
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $@

system-packages:
	@want="$(SYSTEM_PACKAGES)"; $(APT_ENSURE)

services:
	@pg_isready -q -h 127.0.0.1 || { \
		echo "Starting PostgreSQL"; \
		pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start; \
	}
	@redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 || { \
		echo "Starting Redis"; \
		mkdir -p /var/lib/redis /var/log/redis; \
		redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
			--dir /var/lib/redis --logfile /var/log/redis/ci.log; \
	}
	@i=0; until pg_isready -q -h 127.0.0.1 && [ "$$(redis-cli -h 127.0.0.1 ping 2>/dev/null)" = PONG ]; do \
		i=$$((i + 1)); \
		if [ $$i -ge 30 ]; then echo "PostgreSQL or Redis did not come up within 30 s" >&2; exit 1; fi; \
		sleep 1; \
	done

lint: venv
	$(BIN)/ruff check $(LINT_PATHS)
	$(BIN)/ruff format --check $(LINT_PATHS)
	$(BIN)/mypy

# Browser tests run once, in the SQLite pass; tests that need PostgreSQL's concurrency only in its pass.
test: system-packages venv services lint
	@echo "== pytest on SQLite"
	env -u DATABASE_URL REDIS_URL=$(TEST_REDIS_URL) $(BIN)/pytest -m "not postgres" $(PYTEST_ARGS) || { $(PYTEST_FAILED); }
	@echo "== pytest on PostgreSQL"
	env DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) $(BIN)/pytest -m "not browser" $(PYTEST_ARGS) \
		|| { $(PYTEST_FAILED); }

# The database task backend (REDIS_URL unset) so the db_worker started beside the server runs the jobs.
# DEBUG serves static files; cookies are not Secure because the demo runs over plain http.
demo: venv
	@mkdir -p var/static
	env -u REDIS_URL $(BIN)/chiptown migrate --noinput
	env -u REDIS_URL $(BIN)/chiptown demo-data --scale $(DEMO_SCALE)
	@echo
	@echo "Open http://$(DEMO_ADDR)/ and log in at http://$(DEMO_ADDR)/accounts/login/ (Ctrl-C stops everything)"
	@trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	env -u REDIS_URL DEBUG=true SECURE_COOKIES=false $(BIN)/chiptown db_worker --no-reload --queue-name "*" & worker=$$!; \
	env -u REDIS_URL DEBUG=true SECURE_COOKIES=false $(BIN)/chiptown runserver $(DEMO_ADDR)

bench: venv services
	$(BIN)/python -m bench.run $(BENCH)

messages: venv
	mkdir -p src/chiptown/locale
	cd src/chiptown && ../../$(BIN)/chiptown makemessages -l zh_Hans --ignore=migrations --add-location=file --no-obsolete

clean:
	rm -rf .mypy_cache .ruff_cache .pytest_cache .coverage htmlcov build test-results
	find src tests bench -name __pycache__ -type d -prune -exec rm -rf {} +
	find src -name '*.mo' -type f -exec rm -f {} +

distclean: clean
	rm -rf $(VENV) var src/chiptown.egg-info
