#!/usr/bin/env bash
# The Python package's tests (scripts/test.sh runs this after `cargo test --workspace`, which
# builds target/debug/presynth, the CLI the tests compare with): build the wheel (debug, see
# scripts/build-wheel.sh), install it into .venv, run pytest on python/tests/.
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
bash scripts/build-wheel.sh
.venv/bin/pip install --quiet --force-reinstall --no-deps target/wheels/presynth-*.whl
PRESYNTH_BIN="${PRESYNTH_BIN:-$PWD/target/debug/presynth}" .venv/bin/python -m pytest -q python/tests
