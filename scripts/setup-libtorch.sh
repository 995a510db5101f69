#!/usr/bin/env bash
# Idempotent: lays out a CPU-only libtorch 2.13.0 (the version tch 0.26 / torch-sys 0.26 expects)
# in third_party/libtorch/{include,lib}, taken from PyPI wheels with `pip download --no-deps`:
#   - torch 2.13.0 (cp311, manylinux_2_28 x86_64): headers, libtorch_cpu, libc10, libgomp;
#   - nvidia-cuda-runtime and nvidia-cuda-cupti at the versions torch's metadata pins (through
#     cuda-toolkit[cudart,cupti]): libtorch_cpu.so has DT_NEEDED on libcudart.so.13 and
#     libcupti.so.13 even for CPU work, so both must be loadable.
# The wheel's libtorch.so is NOT used: it is only a shim with DT_NEEDED on libtorch_cuda.so
# (470 MB plus cuDNN, NCCL...). tch links `-ltorch`, so we build an empty stand-in libtorch.so
# and link CPU-only. Wheels are cached in third_party/wheels (git-ignored). Fast when done: a
# stamp file records the version. The build finds the result through LIBTORCH (set in
# .cargo/config.toml) and an rpath (surrogate/build.rs, build.rs).
set -euo pipefail
cd "$(dirname "$0")/.."

TORCH_VERSION=2.13.0
DEST=third_party/libtorch
CACHE=third_party/wheels
STAMP="$DEST/.presynth-ok-$TORCH_VERSION-1"
if [ -f "$STAMP" ]; then exit 0; fi

PY=${PYTHON:-python3}
PLATFORMS=(--platform manylinux_2_28_x86_64 --platform manylinux_2_27_x86_64
    --platform manylinux_2_25_x86_64 --platform manylinux_2_17_x86_64
    --platform manylinux2014_x86_64)
fetch() { # fetch REQUIREMENT: download one wheel without dependencies into the cache
    "$PY" -m pip download -q --no-deps --only-binary=:all: --python-version 3.11 \
        "${PLATFORMS[@]}" -d "$CACHE" "$1"
}

mkdir -p "$CACHE"
torch_whl() { ls "$CACHE"/torch-"$TORCH_VERSION"-cp311-cp311-manylinux*_x86_64.whl 2>/dev/null | head -n1; }
if [ -z "$(torch_whl)" ]; then
    echo "downloading torch $TORCH_VERSION wheel (about 530 MB)..."
    fetch "torch==$TORCH_VERSION"
fi
TORCH_WHL=$(torch_whl)

# The CUDA runtime versions torch pins: torch -> cuda-toolkit==X -> nvidia-cuda-runtime==Y.*,
# nvidia-cuda-cupti==Z.*. Read them from the wheels' METADATA rather than hard-coding them.
meta() { unzip -p "$1" '*.dist-info/METADATA'; }
CTK_VERSION=$(meta "$TORCH_WHL" | sed -n 's/^Requires-Dist: cuda-toolkit\[[^]]*\]==\([0-9.]*\).*/\1/p' | head -n1)
if [ -z "$CTK_VERSION" ]; then
    echo "error: $TORCH_WHL: no 'Requires-Dist: cuda-toolkit[...]==VERSION' line in METADATA" >&2
    exit 1
fi
ctk_whl() { ls "$CACHE"/cuda_toolkit-"$CTK_VERSION"*.whl 2>/dev/null | head -n1; }
[ -n "$(ctk_whl)" ] || fetch "cuda-toolkit==$CTK_VERSION"
CTK_WHL=$(ctk_whl)
pin() { # pin PACKAGE EXTRA: the version spec cuda-toolkit gives PACKAGE under EXTRA
    meta "$CTK_WHL" | grep "^Requires-Dist: $1==" | grep "extra == '$2'" |
        sed -n "s/^Requires-Dist: $1==\([0-9.*]*\).*/\1/p" | head -n1
}
declare -A LIBS=([nvidia-cuda-runtime]=libcudart.so [nvidia-cuda-cupti]=libcupti.so)
declare -A EXTRA=([nvidia-cuda-runtime]=cudart [nvidia-cuda-cupti]=cupti)

TMP=$(mktemp -d "third_party/.libtorch-tmp.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
mkdir -p "$TMP/out/lib" "$TMP/out/include"

for pkg in nvidia-cuda-runtime nvidia-cuda-cupti; do
    spec=$(pin "$pkg" "${EXTRA[$pkg]}")
    if [ -z "$spec" ]; then
        echo "error: $CTK_WHL: no pin for $pkg (extra ${EXTRA[$pkg]}) in METADATA" >&2
        exit 1
    fi
    prefix=${spec%\*}; prefix=${prefix%.}
    file_prefix=${pkg//-/_}
    whl=$(ls "$CACHE"/"$file_prefix"-"$prefix"*.whl 2>/dev/null | head -n1 || true)
    if [ -z "$whl" ]; then
        fetch "$pkg==$spec"
        whl=$(ls "$CACHE"/"$file_prefix"-"$prefix"*.whl | head -n1)
    fi
    unzip -q -o "$whl" "nvidia/*/lib/${LIBS[$pkg]}.*" -d "$TMP/nv"
done
find "$TMP/nv" -name 'lib*.so.*' -exec mv {} "$TMP/out/lib/" \;

echo "extracting libtorch (CPU libraries and headers) from $(basename "$TORCH_WHL")..."
unzip -q "$TORCH_WHL" 'torch/include/*' 'torch/lib/libtorch_cpu.so' 'torch/lib/libc10.so' \
    'torch/lib/libgomp.so.1' -d "$TMP/whl"
mv "$TMP/whl/torch/include"/* "$TMP/out/include/"
mv "$TMP/whl/torch/lib"/* "$TMP/out/lib/"
ln -s libgomp.so.1 "$TMP/out/lib/libgomp.so"
# Empty stand-in for the wheel's libtorch.so shim (see the header comment).
echo "/* empty: CPU-only stand-in for libtorch.so, see scripts/setup-libtorch.sh */" >"$TMP/empty.c"
${CC:-cc} -shared -fPIC -Wl,-soname,libtorch.so -o "$TMP/out/lib/libtorch.so" "$TMP/empty.c"
# torch-sys reads this file and checks the version against the one it was written for.
echo "$TORCH_VERSION" >"$TMP/out/build-version"

rm -rf "$DEST"
mv "$TMP/out" "$DEST"
touch "$STAMP"
echo "libtorch $TORCH_VERSION (CPU) ready: $DEST ($(du -sh "$DEST" | cut -f1))"
