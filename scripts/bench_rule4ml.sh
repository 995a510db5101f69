#!/usr/bin/env bash
# rule4ml 0.2.0 beside presynth on the SAME held-out rows of the shared data (architectures the
# bundled calibration held out, estimator/calibration/v1.json) and the SAME networks: presynth
# ingests the data, and scripts/bench_rule4ml.py rebuilds every held-out network in Keras from
# presynth's records and asks rule4ml. The metrics use presynth's definitions.
#
# NOT run in CI: rule4ml pulls TensorFlow/PyTorch into its own venv (.venv-rule4ml, ~8 GB).
# Usage: scripts/bench_rule4ml.sh [OUT_DIR]      (default OUT_DIR: target/rule4ml-bench)
#   PRESYNTH=path/to/presynth to use a built binary (default: builds target/release/presynth)
# Writes OUT_DIR/rule4ml_metrics.csv and OUT_DIR/analytic_metrics.csv (same rows, same columns).
# Caveats (also in bench_rule4ml.py): rule4ml was trained on Vivado 2019.1, 10 ns, io_parallel,
# RF <= 64, three precisions; these rows are Vitis 2023.2, 5 ns, RF 384-32765. rule4ml predicts
# HLS resources; the 2/3-layer and conv2d rows' resource labels are post-synthesis.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-target/rule4ml-bench}
mkdir -p "$OUT"
VENV=.venv-rule4ml
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --upgrade pip
  "$VENV/bin/pip" install --quiet "rule4ml==0.2.0"
fi
DATA=(data/wa-hls4ml-search-early-1layer data/wa-hls4ml-jdweitz-csv-sample)
PRESYNTH=${PRESYNTH:-}
if [ -z "$PRESYNTH" ]; then cargo build --quiet --release --bin presynth; PRESYNTH=target/release/presynth; fi
rm -rf "$OUT/records"
"$PRESYNTH" dataset ingest "${DATA[@]}" -o "$OUT/records" >/dev/null
"$PRESYNTH" evaluate "${DATA[@]}" --estimator analytic --split heldout --plots "$OUT/plots" \
  --rows-csv "$OUT/analytic_rows.csv" --format csv 2>/dev/null |
  tail -n +2 | sed 's/^/analytic,/' | { echo "estimator,target,family,strategy,n,smape,mape,r2,within_10pct,exact"; cat; } \
  > "$OUT/analytic_metrics.csv"
KERAS_BACKEND=torch "$VENV/bin/python" scripts/bench_rule4ml.py \
  "$OUT/records/records.jsonl" "$OUT/analytic_rows.csv" "$OUT"
echo "== presynth analytic (same rows) =="
cat "$OUT/analytic_metrics.csv"
