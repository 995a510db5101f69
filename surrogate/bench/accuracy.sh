#!/usr/bin/env bash
# Accuracy benchmark of the surrogates against the analytic model, the linfa baselines and
# rule4ml 0.2.0 on the rows of data whose architectures the analytic calibration held
# out (the surrogates are trained with --exclude-heldout, so no estimator has seen those
# architectures), then the generalisation test (train on 1- and 2-layer dense rows, evaluate on
# 3-layer dense and on conv2d rows).
# Usage: surrogate/bench/accuracy.sh [OUT_DIR]   (default: target/surrogate-accuracy)
#   MEMBERS=5 ensemble size; RETRAIN=1 retrains models already in OUT_DIR;
#   RULE4ML=0 skips rule4ml (run when .venv-rule4ml exists: scripts/bench_rule4ml.sh makes it).
# Prints one CSV: estimator,target,family,strategy,n,smape,mape,r2,within_10pct,exact.
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=${1:-target/surrogate-accuracy}
DATA=data
MEMBERS=${MEMBERS:-5}
BIN=${PRESYNTH:-target/debug/presynth}
mkdir -p "$OUT"
train() { # train DIR ARGS...: train a model into OUT/DIR unless it is there
    local dir=$1; shift
    [ -f "$OUT/$dir/model.json" ] && [ -z "${RETRAIN:-}" ] && return 0
    "$BIN" train "$@" --members "$MEMBERS" --format csv -o "$OUT/$dir" >"$OUT/$dir.train.csv"
}
run() { # run LABEL DATA ARGS...: evaluate, prefix each CSV row with LABEL
    local label=$1 data=$2; shift 2
    "$BIN" evaluate $data --plots "$OUT/plots-$label" --format csv "$@" 2>/dev/null |
        tail -n +2 | sed "s/^/$label,/"
}
for arch in gnn transformer; do
    for mode in hybrid pure; do
        train "$arch-$mode" --data "$DATA" --arch "$arch" --mode "$mode" --exclude-heldout
    done
done
echo "estimator,target,family,strategy,n,smape,mape,r2,within_10pct,exact"
run analytic "$DATA" --split heldout --estimator analytic
for arch in gnn transformer; do
    for mode in hybrid pure; do
        run "$arch-$mode" "$DATA" --split heldout --estimator "$arch" --model "$OUT/$arch-$mode"
    done
done
run linfa-linear "$DATA" --split heldout --estimator linfa-linear
run linfa-tree "$DATA" --split heldout --estimator linfa-tree
if [ "${RULE4ML:-1}" != 0 ] && [ -x .venv-rule4ml/bin/python ]; then
    PRESYNTH=$BIN scripts/bench_rule4ml.sh "$OUT/rule4ml" >/dev/null 2>"$OUT/rule4ml.log"
    tail -n +2 "$OUT/rule4ml/rule4ml_metrics.csv"
fi

# Generalisation: train on the single-layer and 2-layer dense rows, evaluate on the 3-layer
# dense rows and on the conv2d rows (every row of those files: none was trained on).
CSV=$DATA/wa-hls4ml-jdweitz-csv-sample
for arch in gnn transformer; do
    for mode in hybrid pure; do
        train "gen-$arch-$mode" --data "$DATA/wa-hls4ml-search-early-1layer" "$CSV/2layer_head.csv" \
            --arch "$arch" --mode "$mode"
    done
done
GEN="$CSV/3layer_head.csv $CSV/conv2d.csv"
run generalisation-analytic "$GEN" --estimator analytic
for arch in gnn transformer; do
    for mode in hybrid pure; do
        run "generalisation-$arch-$mode" "$GEN" --estimator "$arch" --model "$OUT/gen-$arch-$mode"
    done
done
