# helpline — the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.install.stamp

.PHONY: install run test bench check clean browser

install: $(STAMP)

# torch is pinned to the CPU build first so that sentence-transformers does not pull a
# multi-GB CUDA build; the rest comes from pyproject.toml.
$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "need $(PYTHON) (set PYTHON=...)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet "torch==2.13.0"
	$(BIN)/python -m pip install --quiet -e '.[dev,st]'
	@$(MAKE) --no-print-directory browser
	touch $(STAMP)

# The console's browser test drives Debian's chromium; Playwright never downloads a browser.
browser:
	@test -x /usr/bin/chromium || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; \
	  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; fi; }

# The demo: web chat, REST and the agent console on http://127.0.0.1:8080 with the demo bank.
# Set HELPLINE_ADMIN_TOKEN to sign in to the console at /console/.
run: install
	$(BIN)/helpline run

test: install browser
	HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 $(BIN)/python -m pytest -q

check: install
	$(BIN)/helpline check data/bank

bench: install
	HF_HUB_OFFLINE=1 $(BIN)/python benchmarks/accuracy.py --out docs/benchmarks.md

clean:
	rm -rf $(VENV) var .pytest_cache
