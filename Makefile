# Tous Voisins – Tous Solidaires. `make help` lists the targets.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

.DEFAULT_GOAL := help
.PHONY: help install run setup test lint format check messages bench clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(BIN)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

install: $(BIN)/.installed ## Create the virtualenv and install the dependencies

setup: install ## Migrate, import communes and gestures, load the demo content
	$(MANAGE) migrate --noinput
	$(MANAGE) site_address_sync
	$(MANAGE) import_communes
	$(MANAGE) load_demo

run: setup ## Set up, then serve the site on http://$(HOST):$(PORT)/ with its task worker, the mailings' recovery (every minute), the network meetings' reminders and the help requests' unanswered proposals (hourly), the task results' pruning, the directory's retention and yearly check, the registrations' and the help requests' retention (daily)
	@echo "Site: http://$(HOST):$(PORT)/   admin: http://$(HOST):$(PORT)/admin/   (Ctrl-C stops them all)"
	@trap 'kill 0' INT TERM EXIT; \
	$(MANAGE) db_worker --queue-name '*' & \
	n=0; while sleep 60; do \
		$(MANAGE) mailings_recover >/dev/null; \
		if [ $$((n % 60)) -eq 0 ]; then \
			$(MANAGE) network_send_reminders >/dev/null; \
			$(MANAGE) helprequests_expire >/dev/null; \
		fi; \
		if [ $$((n % 1440)) -eq 0 ]; then \
			$(MANAGE) prune_db_task_results --queue-name '*' --min-age-days 7 --verbosity 0; \
			$(MANAGE) directory_purge >/dev/null; \
			$(MANAGE) directory_yearly_check >/dev/null; \
			$(MANAGE) network_purge_registrations >/dev/null; \
			$(MANAGE) helprequests_anonymise >/dev/null; \
		fi; \
		n=$$((n + 1)); \
	done & \
	$(MANAGE) runserver $(HOST):$(PORT)

test: install ## Run the whole test suite (DATABASE_URL picks the database; SQLite by default)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install ## Ruff lint and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install ## Apply ruff's fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check: install ## Django system checks and missing migrations
	$(MANAGE) check
	$(MANAGE) makemigrations --check --dry-run

messages: install ## Update and compile the translation catalogues
	$(MANAGE) makemessages -l en --ignore=.venv --ignore=tests --ignore=bench
	$(MANAGE) compilemessages --ignore=.venv

bench: install ## Run the benchmarks in bench/ (writes figures to stdout)
	$(BIN)/python bench/run_all.py

clean: ## Remove the virtualenv and the local database
	rm -rf $(VENV) db.sqlite3 media
