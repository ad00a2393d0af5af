# Two commands: `make site` and `make test`. Both set up everything they need.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PUFA := $(VENV)/bin/pufa
STAMP := $(VENV)/.installed

.PHONY: site test setup browser axe lighthouse bench clean serve

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

# Debian's Chromium for browser tests (Playwright cannot download its own here), and a
# CJK font so pages are laid out with real Chinese glyph widths, as on a phone.
BROWSER_PACKAGES := chromium chromium-driver fonts-noto-cjk
browser:
	@if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then \
	  (apt-get update -q && apt-get install -y -q $(BROWSER_PACKAGES)) || \
	  (sudo apt-get update -q && sudo apt-get install -y -q $(BROWSER_PACKAGES)); \
	fi

site: $(STAMP)
	$(PUFA) build --project .

# axe-core (accessibility rules) for tests/test_a11y_*.py, injected into pages by Playwright.
AXE := .axe/node_modules/axe-core/axe.min.js
$(AXE):
	@command -v npm >/dev/null || (apt-get update -q && apt-get install -y -q npm) || (sudo apt-get update -q && sudo apt-get install -y -q npm)
	npm install --prefix .axe --no-audit --no-fund axe-core@4

axe: $(AXE)

# Lighthouse (performance + accessibility scores, phone form factor) for tests/test_lighthouse.py.
# Major version 12: the last one that runs on Debian's Node 18/20 (13 needs Node 22).
LIGHTHOUSE := .lighthouse/node_modules/.bin/lighthouse
$(LIGHTHOUSE):
	@command -v npm >/dev/null || (apt-get update -q && apt-get install -y -q npm) || (sudo apt-get update -q && sudo apt-get install -y -q npm)
	npm install --prefix .lighthouse --no-audit --no-fund lighthouse@12

lighthouse: $(LIGHTHOUSE)

test: $(STAMP) browser $(AXE) $(LIGHTHOUSE)
	$(PY) -m pytest -q

bench: $(STAMP)
	$(PY) bench/report.py

serve: $(STAMP)
	$(PUFA) serve --project .

clean:
	rm -rf site .pufa-cache
