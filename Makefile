# shequ-kit: `make report` builds every sample community's report; `make test` runs the suite.
# Both set everything up first and are safe to run again.

PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
YEAR   ?= $(shell ls data/sample 2>/dev/null | grep -E '^[0-9]{4}$$' | sort | tail -n 1)

.PHONY: setup system report test test-quick lint bench bench-report lab sample clean

setup: system $(STAMP)

system:
	@PYTHON=$(PYTHON) bash scripts/setup-system.sh

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 >/dev/null
	$(BIN)/python -m shequ_kit.labsettings
	$(BIN)/python -c "import matplotlib.font_manager as fm; fm._load_fontmanager(try_read_cache=False)"
	@touch $(STAMP)

report: setup
	$(BIN)/shequ-kit run --data data/sample --year $(YEAR) --out outputs

test: setup
	$(BIN)/python -m pytest -q

test-quick: setup
	$(BIN)/python -m pytest -q -m "not slow"

lint: setup
	$(BIN)/ruff check shequ_kit tests bench

bench: setup
	$(BIN)/python bench/bench_reader.py

bench-report: setup
	$(BIN)/python bench/bench_report.py

lab: setup
	$(BIN)/jupyter lab --notebook-dir=. $(if $(filter 0,$(shell id -u)),--allow-root,)

sample: setup
	$(BIN)/shequ-kit sample --out data/sample

clean:
	rm -rf $(VENV) outputs/*/
