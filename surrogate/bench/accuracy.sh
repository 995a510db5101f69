#!/usr/bin/env bash
# Accuracy benchmark of the surrogates against the analytic model and the linfa baselines on the
# rows of ../shared/data whose architectures the analytic calibration held out (the surrogates
# are trained with --exclude-heldout, so no estimator has seen those architectures).
# Usage: surrogate/bench/accuracy.sh [OUT_DIR]   (default: target/surrogate-accuracy)
# Prints one CSV: estimator,target,strategy,n,smape,mape,r2,within_10pct,exact.
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=${1:-target/surrogate-accuracy}
DATA=../shared/data
MEMBERS=${MEMBERS:-5}
BIN=${PRESYNTH:-target/debug/presynth}
mkdir -p "$OUT"
for arch in gnn transformer; do
    for mode in hybrid pure; do
        [ -f "$OUT/$arch-$mode/model.json" ] && [ -z "${RETRAIN:-}" ] && continue
        "$BIN" train --data "$DATA" --arch "$arch" --mode "$mode" --members "$MEMBERS" \
            --exclude-heldout --format csv -o "$OUT/$arch-$mode" >"$OUT/$arch-$mode.train.csv"
    done
done
echo "estimator,target,strategy,n,smape,mape,r2,within_10pct,exact"
run() { # run LABEL ARGS...: evaluate on the held-out rows, prefix each CSV row with LABEL
    local label=$1; shift
    "$BIN" evaluate "$DATA" --split heldout --plots "$OUT/plots-$label" --format csv "$@" 2>/dev/null |
        tail -n +2 | sed "s/^/$label,/"
}
run analytic --estimator analytic
for arch in gnn transformer; do
    for mode in hybrid pure; do
        run "$arch-$mode" --estimator "$arch" --model "$OUT/$arch-$mode"
    done
done
run linfa-linear --estimator linfa-linear
run linfa-tree --estimator linfa-tree

# Generalisation: train on the single-layer and 2-layer dense rows, evaluate on the 3-layer rows
# (the conv2d CSV rows have no kernel sizes, hence no network, and cannot be evaluated).
CSV=$DATA/wa-hls4ml-jdweitz-csv-sample
for arch in gnn transformer; do
    for mode in hybrid pure; do
        [ -f "$OUT/gen-$arch-$mode/model.json" ] && [ -z "${RETRAIN:-}" ] && continue
        "$BIN" train --data "$DATA/wa-hls4ml-search-early-1layer" "$CSV/2layer_head.csv" --arch "$arch" \
            --mode "$mode" --members "$MEMBERS" --format csv -o "$OUT/gen-$arch-$mode" >"$OUT/gen-$arch-$mode.train.csv"
    done
done
gen() { # gen LABEL ARGS...: evaluate on the 3-layer rows
    local label=$1; shift
    "$BIN" evaluate "$CSV/3layer_head.csv" --plots "$OUT/plots-gen-$label" --format csv "$@" 2>/dev/null |
        tail -n +2 | sed "s/^/generalisation-$label,/"
}
gen analytic --estimator analytic
for arch in gnn transformer; do
    for mode in hybrid pure; do
        gen "$arch-$mode" --estimator "$arch" --model "$OUT/gen-$arch-$mode"
    done
done
