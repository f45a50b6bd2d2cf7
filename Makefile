# Two entry points (see README): `make dataset` builds the dataset, `make test` runs the tests.
# Both create the virtual environment from the lock file first when it is missing or stale.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin

.PHONY: dataset test test-unlocked lint lock clean

$(BIN)/dxdata: requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(BIN)/dxdata

dataset: $(BIN)/dxdata
	$(BIN)/dxdata refresh --raw-dir data/raw --out-dir data/processed

test: $(BIN)/dxdata
	$(BIN)/ruff check .
	$(BIN)/pytest

# What `pip install .` without the lock file gives (issue 15, point 14; issue 16): a second venv resolved
# from pyproject.toml alone, with the package installed as a wheel (not editable: nothing read from the
# checkout), then the tests of reading HTML and the seeds run against that installed package (`-o pythonpath=`
# drops src/ from pytest's path), and test_install.py runs `dxdata refresh` and `dxdata release` from a
# folder outside the checkout (DXDATA_EXPECT_WHEEL=1: it fails rather than skips if dxdata is not the wheel).
# CI runs this too.
UNLOCKED := .venv-unlocked
test-unlocked:
	rm -rf $(UNLOCKED) build
	$(PYTHON) -m venv $(UNLOCKED)
	$(UNLOCKED)/bin/pip install --quiet --upgrade pip
	$(UNLOCKED)/bin/pip install --quiet '.[dev]'
	rm -rf build
	DXDATA_EXPECT_WHEEL=1 $(UNLOCKED)/bin/pytest -o pythonpath= -m "not slow" \
		tests/test_install.py tests/test_ingest*.py tests/test_evaluate.py -k "not lock_pins"

lint: $(BIN)/dxdata
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Re-pin every dependency after changing pyproject.toml (run in a fresh venv).
lock:
	$(BIN)/pip freeze --exclude-editable | grep -v '^dxdata' > requirements.lock

clean:
	rm -rf $(VENV) $(UNLOCKED) build data/processed/versions data/processed/LATEST
