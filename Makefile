# Two commands: `make site` and `make test`. Both set up everything they need.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PUFA := $(VENV)/bin/pufa
STAMP := $(VENV)/.installed

.PHONY: site test setup browser bench clean serve

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

# Debian's Chromium for browser tests (Playwright cannot download its own here).
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
	  (apt-get update -q && apt-get install -y -q chromium chromium-driver) || \
	  (sudo apt-get update -q && sudo apt-get install -y -q chromium chromium-driver); \
	fi

site: $(STAMP)
	$(PUFA) build --project .

test: $(STAMP) browser
	$(PY) -m pytest -q

bench: $(STAMP)
	$(PY) bench/report.py

serve: $(STAMP)
	$(PUFA) serve --project .

clean:
	rm -rf site .pufa-cache
