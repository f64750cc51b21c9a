# Two commands for a newcomer:  `make demo` (run the engine with demo data) and `make test`.
# Both do the set-up first (a virtualenv in .venv, the npm front-end libraries), once.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.setup-stamp

.PHONY: setup demo test test-sqlite test-postgres lint clean

VENDOR  := static/vendor/socket.io.min.js static/vendor/qrcode.js \
           static/vendor/noble-hashes/sha2.js static/vendor/noble-curves/ed25519.js

setup: $(STAMP) $(VENDOR)

$(STAMP): requirements.txt
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $(STAMP)

# Plain browser scripts, served from our own origin (closed exam LANs have no CDN).
$(VENDOR) &: package.json
	npm install --no-audit --no-fund --silent
	mkdir -p static/vendor
	cp node_modules/socket.io-client/dist/socket.io.min.js static/vendor/
	cp node_modules/qrcode-generator/dist/qrcode.js static/vendor/qrcode.js
# noble is ES modules only; its root *.js are the build. Browsers resolve no bare
# `@noble/hashes/...` without an import map (an inline script, which the CSP refuses),
# so the copies of curves import the copied hashes by relative path.
	rm -rf static/vendor/noble-hashes static/vendor/noble-curves
	mkdir -p static/vendor/noble-hashes static/vendor/noble-curves/abstract
	cp node_modules/@noble/hashes/*.js node_modules/@noble/hashes/LICENSE static/vendor/noble-hashes/
	cp node_modules/@noble/curves/*.js node_modules/@noble/curves/LICENSE static/vendor/noble-curves/
	cp node_modules/@noble/curves/abstract/*.js static/vendor/noble-curves/abstract/
	sed -i "s#from '@noble/hashes/#from '../noble-hashes/#" static/vendor/noble-curves/*.js
	sed -i "s#from '@noble/hashes/#from '../../noble-hashes/#" static/vendor/noble-curves/abstract/*.js

demo: setup
	$(BIN)/flask --app wsgi demo --reset
	$(BIN)/python wsgi.py

# The whole suite: SQLite, then PostgreSQL with Redis when they answer (CI starts them).
test: setup
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q
	@if $(BIN)/python -m tests.services_up; then \
	  EXAM_TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test \
	  EXAM_TEST_REDIS_URL=redis://127.0.0.1:6379/0 $(BIN)/python -m pytest -q -m "not sqlite_only"; \
	else echo "PostgreSQL/Redis not reachable: PostgreSQL run skipped"; \
	  if [ -n "$$CI" ]; then exit 1; fi; fi

lint: setup
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) node_modules static/vendor instance
