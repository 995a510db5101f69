#!/usr/bin/env bash
# Idempotent: creates .venv-qkeras (git-ignored) with TensorFlow 2.14 (CPU), QKeras 0.9.0 and
# hls4ml 1.3.0, for the QKeras cases of the bit-exact harness (scripts/qkeras_reference.py, run by
# tests/cli_codegen_qkeras.rs) and for regenerating the QKeras fixtures
# (scripts/make_qkeras_fixtures.py). hls4ml converts QKeras models only through QKeras itself,
# which needs tf.keras 2 (TensorFlow <= 2.14); .venv has Keras 3, so this is a venv of its own.
# Versions are pinned in scripts/qkeras-constraints.txt. About 1 min and 1.5 GB on a fresh
# machine; fast when done (stamp file).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=.venv-qkeras
STAMP="$VENV/.presynth-ok-1"
if [ -f "$STAMP" ]; then exit 0; fi
python3 -m venv "$VENV"
"$VENV/bin/pip" install -q --upgrade pip
"$VENV/bin/pip" install -q -c scripts/qkeras-constraints.txt \
  "tensorflow-cpu==2.14.1" "qkeras==0.9.0" "hls4ml==1.3.0" \
  "tensorflow-model-optimization==0.7.5" pyparsing pyyaml h5py
TF_CPP_MIN_LOG_LEVEL=3 "$VENV/bin/python" -c "import tensorflow, qkeras, hls4ml"
touch "$STAMP"
echo "qkeras venv ready: $VENV"
