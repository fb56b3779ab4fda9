# Corporate Parenting: two commands. `make run` serves the demo; `make test` runs every test.
SHELL := /bin/bash
HOST ?= 127.0.0.1
PORT ?= 8000
UV_RUN = scripts/uv-run.sh

.PHONY: run test stop replica replica-stop backup restore install db demo lint format bench bench-import bench-national bench-returns bench-pdf bench-national-pages bench-explain bench-load help

help:
	@echo "make run    install, start PostgreSQL, migrate, load demo data, serve on http://$(HOST):$(PORT)"
	@echo "make test   run the whole test suite (real PostgreSQL, real Chromium)"
	@echo "make stop   stop the private PostgreSQL (and its read replica)"
	@echo "make replica        start a read replica: a hot standby of the private PostgreSQL"
	@echo "make replica-stop   stop the read replica; reads go back to the primary"
	@echo "make backup   write a backup of the database to var/backups (or FILE=...)"
	@echo "make restore FILE=var/backups/<name>.dump   replace the database with a backup"
	@echo "make lint   ruff check and ruff format --check"

install:
	@scripts/system-deps.sh run
	@source scripts/common.sh && sync_python

db: install
	@scripts/pg.sh start

run: db
	@scripts/check-port.sh $(HOST) $(PORT)
	@$(UV_RUN) python manage.py migrate --no-input
	@$(UV_RUN) python manage.py load_postcodes
	@if [ -z "$$DATABASE_URL" ] || [ "$$CP_LOAD_DEMO" = "1" ]; then \
		$(UV_RUN) python manage.py load_demo; \
	else \
		echo "DATABASE_URL is set: demo users and data are not loaded (set CP_LOAD_DEMO=1 to load them)."; \
	fi
	@echo
	@echo "  Corporate Parenting is at http://$(HOST):$(PORT)/   (Ctrl+C to stop)"
	@echo
	@scripts/serve.sh $(HOST) $(PORT)

test:
	@scripts/system-deps.sh test
	@source scripts/common.sh && sync_python
	@scripts/pg.sh start
	@$(UV_RUN) ruff check .
	@$(UV_RUN) ruff format --check .
	@$(UV_RUN) pytest

stop:
	@if [ -d var/pg-replica ]; then scripts/replica.sh stop; fi
	@scripts/pg.sh stop

replica: db
	@scripts/replica.sh start

replica-stop:
	@scripts/replica.sh stop

backup: db
	@scripts/backup.sh backup $(FILE)

restore: db
	@scripts/backup.sh restore $(FILE)

lint:
	@$(UV_RUN) ruff check .
	@$(UV_RUN) ruff format --check .

format:
	@$(UV_RUN) ruff check --fix .
	@$(UV_RUN) ruff format .

bench: db
	@$(UV_RUN) python manage.py migrate --no-input -v0
	@$(UV_RUN) python manage.py load_demo > /dev/null
	@$(UV_RUN) python bench/home_pages.py

bench-import: db
	@$(UV_RUN) python bench/import_903.py

bench-national: db
	@$(UV_RUN) python bench/national.py $(NATIONAL_ARGS)

bench-returns: db
	@$(UV_RUN) python bench/returns.py

bench-national-pages: db
	@$(UV_RUN) python bench/national_pages.py

bench-explain: db
	@$(UV_RUN) python bench/explain_national.py

bench-pdf: db
	@$(UV_RUN) python bench/pdf.py

bench-load: db
	@$(UV_RUN) python bench/load.py
