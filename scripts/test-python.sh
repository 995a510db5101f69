#!/usr/bin/env bash
# The Python package's tests (scripts/test.sh runs this after `cargo test --workspace`, which
# builds target/debug/presynth and target/debug/presynth-ml, the CLIs the tests compare with).
# Three wheels (debug, see scripts/build-wheel.sh), each installed into .venv in turn:
#   1. without libhdf5 (--no-hdf5): python/tests/test_no_hdf5.py (HDF5 refused clearly);
#   2. with the learned estimators (--features learned): python/tests/test_learned.py
#      (estimator="hybrid" equals presynth-ml's JSON);
#   3. the default wheel, last, so that it is the one left installed: every test.
# The two extra wheels cost about 3 minutes here (docs/python.md); each test file skips loudly
# in a wheel it does not apply to.
# Under CI=true a missing tool or a failed build fails the run; elsewhere a missing maturin is
# reported loudly and the Python tests are skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/maturin ] || [ ! -x .venv/bin/pytest ]; then
  if [ "${CI:-}" = "true" ]; then
    echo "test-python: maturin or pytest missing from .venv (scripts/setup.sh installs them)" >&2
    exit 1
  fi
  echo "test-python: SKIPPED: maturin or pytest missing from .venv; run scripts/setup.sh" >&2
  exit 0
fi
export KERAS_BACKEND=jax JAX_PLATFORMS=cpu
export RAYON_NUM_THREADS="${RAYON_NUM_THREADS:-2}"
export PRESYNTH_BIN="${PRESYNTH_BIN:-$PWD/target/debug/presynth}"
export PRESYNTH_ML_BIN="${PRESYNTH_ML_BIN:-$PWD/target/debug/presynth-ml}"
wheel() { # wheel [BUILD-WHEEL OPTIONS]: build and install one wheel
  bash scripts/build-wheel.sh "$@"
  .venv/bin/pip install --quiet --force-reinstall --no-deps target/wheels/presynth-*.whl
}
wheel --no-hdf5
.venv/bin/python -m pytest -q python/tests/test_no_hdf5.py
if [ -f third_party/libtorch/lib/libtorch_cpu.so ]; then
  wheel --features learned
  .venv/bin/python -m pytest -q python/tests/test_learned.py
elif [ "${CI:-}" = "true" ]; then
  echo "test-python: third_party/libtorch is missing (scripts/setup.sh lays it out)" >&2
  exit 1
else
  echo "test-python: SKIPPED the learned wheel: third_party/libtorch is missing; run scripts/setup.sh" >&2
fi
wheel
.venv/bin/python -m pytest -q python/tests
