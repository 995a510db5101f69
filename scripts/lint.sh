#!/usr/bin/env bash
# Static checks CI runs before the tests (.ci/run): formatting, clippy with warnings denied, no
# wildcard arm in a match over layer kinds (the IR's LayerKind, hls-codegen's Op): a `_ =>`
# there turns a forgotten kind into wrong numbers instead of a compile error; and the build
# without HDF5.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo fmt --all --check
cargo clippy --workspace --all-targets --locked -- -D warnings
wild=$(cargo clippy --workspace --all-targets --locked --message-format=short -- \
    -A clippy::all -W clippy::wildcard_enum_match_arm 2>&1 |
    grep -E 'wildcard' | grep -E '(LayerKind|[^A-Za-z_]Op)::' || true)
if [ -n "$wild" ]; then
    echo "error: wildcard arms over layer kinds (list the kinds, or ask the registry):" >&2
    echo "$wild" >&2
    exit 1
fi
# presynth builds without the HDF5 C library (frontends' `hdf5` feature off) and says why when
# an HDF5 file is asked for.
cargo check -p presynth --no-default-features --locked
cargo test -p presynth-frontends --no-default-features --lib --locked -q
# The Python extension's other feature sets (scripts/build-wheel.sh --features learned,
# --no-hdf5): code under cfg(feature = ...) that the workspace build never compiles.
cargo clippy -p presynth-python --features learned --locked -- -D warnings
cargo clippy -p presynth-python --no-default-features --locked -- -D warnings
echo "lint: fmt, clippy, layer-kind matches, the builds without HDF5 and the learned wheel's clean"
