#!/usr/bin/env bash
# The project's test command (README and CI run exactly this): set-up, then every test of the
# workspace, including the hls4ml bit-exact harness and the CLI end-to-end tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export KERAS_BACKEND=jax JAX_PLATFORMS=cpu
export RAYON_NUM_THREADS="${RAYON_NUM_THREADS:-2}"
cargo test --workspace
# The Python package: wheel built and installed into .venv, pytest (python/tests/).
bash scripts/test-python.sh
