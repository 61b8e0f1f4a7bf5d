# Every target bootstraps .venv itself (Python 3.11, packages from the package index only).
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
EUROCURATE_CORPUS ?= ../shared/corpus
export EUROCURATE_CORPUS
# The demo's HMAC key for PII fingerprints. A real run takes its key from the operator's secret store.
EUROCURATE_PII_KEY ?= eurocurate-demo-key-not-secret
export EUROCURATE_PII_KEY
DEMO_DATA := data/demo
DEMO_OUT := out/demo

# The project's bytecode, written once: an editable install leaves the sources uncompiled, and where
# PYTHONDONTWRITEBYTECODE is set (many container images) every process, each Ray worker included, compiled
# the ~120 modules it imports again (~0.1 CPU s). Up-to-date files are skipped.
BYTECODE = $(BIN)/python -m compileall -q eurocurate dedup filters langid manifests pipelines tools > /dev/null

.PHONY: demo test lint eval bench fuzz venv clean

venv: $(STAMP)

$(STAMP): pyproject.toml langid/_ngram.c langid/_heliport.c langid/utf8.h
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	$(BYTECODE)
	touch $(STAMP)

$(DEMO_DATA)/.built: $(STAMP)
	$(BIN)/python -m eurocurate.tools.demo_corpus --output $(DEMO_DATA)
	touch $@

demo: $(STAMP) $(DEMO_DATA)/.built
	$(BIN)/eurocurate run pipelines/demo.yaml --input $(DEMO_DATA) --output $(DEMO_OUT) \
		--set 'stages.optout.robots_warcs=[$(DEMO_DATA)-robots]'
	$(BIN)/eurocurate verify $(DEMO_OUT)
	$(BIN)/eurocurate summary $(DEMO_OUT) > /dev/null
	$(BIN)/eurocurate report $(DEMO_OUT)

test: $(STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/python -m pytest tests -q --durations=25

# Property-based attacks on the readers and header parsers with a large budget (`make test` runs 50 examples each).
fuzz: $(STAMP)
	HYPOTHESIS_PROFILE=fuzz $(BIN)/python -m pytest tests/fuzz -q

lint: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# The long-tail language set is built from pinned registry artefacts (cached in ~/.cache/eurocurate/longtail);
# when a registry cannot be reached the build writes out/longtail/UNAVAILABLE.txt and its evaluation skips saying why.
LONGTAIL := out/longtail

# The quality rules on pinned Debian documentation and Firefox strings outside the corpus (tools/quality_outside.py);
# without the Debian archive it writes out/quality_outside/UNAVAILABLE.txt and its evaluation skips saying why.
QUALITY_OUTSIDE := out/quality_outside

eval: $(STAMP)
	$(BIN)/python -m eurocurate.tools.longtail_set --output $(LONGTAIL) || true
	$(BIN)/python -m eurocurate.tools.quality_outside --output $(QUALITY_OUTSIDE) || true
	EUROCURATE_LONGTAIL=$(LONGTAIL) EUROCURATE_QUALITY_OUTSIDE=$(QUALITY_OUTSIDE) $(BIN)/python -m pytest tests/eval -q -s

# LANGID_BASELINE_PYTHON=/other/.venv/bin/python also measures another installation's language ID the same way.
LANGID_BASELINE_PYTHON ?=
bench: $(STAMP)
	$(BYTECODE)
	$(BIN)/python -m eurocurate.tools.bench --output out/bench
	$(BIN)/python -m eurocurate.tools.bench_langid --json out/bench/langid.json \
		$(if $(LANGID_BASELINE_PYTHON),--baseline-python $(LANGID_BASELINE_PYTHON))
	$(BIN)/python -m eurocurate.tools.bench_dedup --docs 2000000 --max-docs-in-memory 8000000 250000
	$(BIN)/python -m eurocurate.tools.bench_pii

clean:
	rm -rf out $(DEMO_DATA) $(DEMO_DATA)-robots
