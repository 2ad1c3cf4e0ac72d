PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
MANIFEST := dbt_project/target/manifest.json
WEB      := $(VENV)/share/fiscal-web/.fetched
# the default warehouse's own Dagster instance, where `fiscal run` records its runs (orchestration/lock.py)
DAGSTER_HOME ?= $(CURDIR)/warehouse/fiscal.duckdb.dagster

.PHONY: setup setup-spark browser run test test-fast test-spark bench dev docs clean

setup: $(STAMP) $(MANIFEST) $(WEB)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall whenever the declared dependencies change.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The dbt manifest is built once here, not on every run; again when a file of the project changes,
# or is moved or removed (its folder's time changes).
$(MANIFEST): $(STAMP) $(shell find dbt_project \( -name '*.sql' -o -name '*.yml' -o -name '*.csv' -o -type d \) \
		-not -path '*/target*' -not -path '*/logs*' -not -name dbt_project)
	cd dbt_project && ../$(BIN)/dbt parse --quiet --profiles-dir .
	touch $(MANIFEST)

# The scripts and styles of the Data Docs pages, from the npm registry, so that the pages work
# without the internet (expectations/offline.py); without npm they load from CDNs as before.
$(WEB): expectations/offline.py | $(STAMP)
	$(BIN)/python -m expectations.offline $(VENV)/share/fiscal-web
	touch $@

# The Spark engine (`fiscal run --engine spark`): PySpark and dbt-spark from the package index, and a
# Java runtime from Debian's packages where there is none.
SPARK_STAMP := $(VENV)/.installed-spark
setup-spark: setup $(SPARK_STAMP)

$(SPARK_STAMP): pyproject.toml | $(STAMP)
	command -v java >/dev/null || (apt-get install -y -qq openjdk-17-jre-headless || sudo apt-get install -y -qq openjdk-17-jre-headless)
	$(BIN)/pip install --quiet -e '.[dev,spark]'
	touch $@

DEMO := data/demo/truth.json

# A synthetic province (marked as such) so the yearly reports compare counties side by side.
$(DEMO): | $(STAMP)
	$(BIN)/fiscal generate --out data/demo --counties 10 --years 2023-2024 --seed 1

# The demo province plants error-level inconsistencies on purpose: the reports are written anyway,
# with the regions that failed marked 未通过 (the scheduled rollup stops at them instead).
run: setup $(DEMO)
	$(BIN)/fiscal run --allow-errors

# The report rendering test draws the HTML report in headless Chromium with CJK fonts.
browser:
	bash scripts/install-browser.sh

# The tests run in parallel, one worker per core; those of one built warehouse share a worker.
PARALLEL := -n auto --dist loadgroup

test: setup browser
	$(BIN)/python -m pytest -q $(PARALLEL) -m "not spark"

# Both engines on the samples and a small generated province: the same rows per mart, findings per
# rule and report figures (a few minutes: Spark's build).
test-spark: setup-spark
	$(BIN)/python -m pytest -q -m spark tests/spark

# The fast tier: parsers, readers, the rules on their fixtures, the report writer and the demo,
# without building a warehouse (about 20 s).
test-fast: setup browser
	$(BIN)/python -m pytest -q $(PARALLEL) -m "not warehouse" tests/ingest tests/expectations/test_rules.py \
		tests/reporting/test_html_escaping.py tests/demo tests/reliability/test_fuzz.py tests/reliability/test_bad_input.py

# Province-scale benchmark: generated corpora of about 2k and 20k documents (BENCH_SIZES to change,
# e.g. BENCH_SIZES=2000,20000,100000), figures written to BENCHMARKS.md.
BENCH_SIZES ?= 2000,20000
bench: setup
	command -v pdftotext >/dev/null || (apt-get install -y -qq poppler-utils || sudo apt-get install -y -qq poppler-utils)
	$(BIN)/python -m bench.pdf_speed data/samples/real
	$(BIN)/python -m bench.hostile
	$(BIN)/python -m bench.formats
	$(BIN)/python -m bench.serve
	# Tesseract, the engine OCR is compared with (the comparison is left out where it cannot be installed)
	command -v tesseract >/dev/null || apt-get install -y -qq tesseract-ocr tesseract-ocr-chi-sim || sudo apt-get install -y -qq tesseract-ocr tesseract-ocr-chi-sim || true
	$(BIN)/python -m bench.ocr
	$(BIN)/python -m bench.run --sizes $(BENCH_SIZES)

dev: setup
	mkdir -p $(DAGSTER_HOME)
	PATH=$(CURDIR)/$(BIN):$$PATH DAGSTER_HOME=$(DAGSTER_HOME) $(BIN)/dagster dev -w workspace.yaml -h 127.0.0.1 -p 3000

# The dbt docs site of the default warehouse (every model, column and test, with the warehouse's
# catalogue), one self-contained page beside the warehouse: warehouse/fiscal.duckdb.dbt/docs/static_index.html
DOCS_DIR := $(CURDIR)/warehouse/fiscal.duckdb.dbt/docs
docs: setup
	cd dbt_project && FISCAL_DB=$(CURDIR)/warehouse/fiscal.duckdb DBT_LOG_PATH=$(DOCS_DIR) \
		../$(BIN)/dbt docs generate --static --quiet --profiles-dir . --target-path $(DOCS_DIR)
	@echo "dbt docs: $(DOCS_DIR)/static_index.html"

clean:
	rm -rf warehouse reports data/demo dbt_project/target dbt_project/logs bench/work
