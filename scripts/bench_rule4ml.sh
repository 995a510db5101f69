#!/usr/bin/env bash
# Side-by-side accuracy of presynth's analytic estimator and rule4ml 0.2.0 on the SAME held-out
# rows of the shared data (architectures listed in estimator/calibration/v1.json).
#
# NOT run in CI: rule4ml pulls TensorFlow/PyTorch into its own venv (.venv-rule4ml, ~8 GB).
# Usage: scripts/bench_rule4ml.sh [OUT_DIR]      (default OUT_DIR: target/rule4ml-bench)
#
# Caveats, printed in the report too: rule4ml was trained on Vivado 2019.1 at a 10 ns clock,
# io_parallel, precisions ap_fixed<2,1>/<8,3>/<16,6>, RF 1..64; the shared rows are Vitis, 5 ns,
# RF 384..4093, weights ap_fixed<prec,1>. rule4ml predicts % of the board; we multiply by the
# absolute counts it also reports (alveo-u250). rule4ml's labels are HLS (csynth)
# estimates, so its resource predictions are compared with csynth labels (pilot rows) and, for
# the 2/3-layer rows (post-synthesis labels), shown for reference only.
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
DATA=(../shared/data/wa-hls4ml-search-early-1layer ../shared/data/wa-hls4ml-jdweitz-csv-sample)
PRESYNTH=${PRESYNTH:-}
if [ -z "$PRESYNTH" ]; then cargo build --quiet --release; PRESYNTH=target/release/presynth; fi
"$PRESYNTH" evaluate "${DATA[@]}" --estimator analytic --split heldout \
  --plots "$OUT/plots" --rows-csv "$OUT/analytic_rows.csv" --format csv > "$OUT/analytic_metrics.csv"
KERAS_BACKEND=torch "$VENV/bin/python" - "$OUT" "${DATA[@]}" <<'PY'
import csv, json, math, sys, os, glob
out, dirs = sys.argv[1], sys.argv[2:]
cal = json.load(open("estimator/calibration/v1.json"))
held = set(cal["holdout_architectures"])
import torch  # before keras/tensorflow: importing both the other way round aborts (LLVM options)
import keras
from rule4ml.models.wrappers import MultiModelWrapper
board = "alveo-u250"

def arch_key(widths):
    return " ".join([f"in({widths[0]})"] + [f"dense({w})" for w in widths[1:]])

rows = []
for d in dirs:
    for f in sorted(glob.glob(os.path.join(d, "*.csv"))):
        for r in csv.DictReader(open(f)):
            if r.get("hls_synth_success", "True").lower() != "true" or r["model_name"].startswith("conv2d"):
                continue
            widths = [int(x) for x in r["model_string"].split("-")] if "model_string" in r else [int(r["d_in"]), int(r["d_out"])]
            if arch_key(widths) not in held:
                continue
            rows.append((f, r, widths))

est = MultiModelWrapper()
est.load_default_models()  # rule4ml 0.2.0 default: the v2 GNN estimators
preds = []
for f, r, widths in rows:
    m = keras.Sequential([keras.layers.Dense(w) for w in widths[1:]], name=r["model_name"])
    m.build((None, widths[0]))
    cfg = {"model": {"strategy": r["strategy"].capitalize(), "precision": f"ap_fixed<{r['prec']}, 1>",
                     "reuse_factor": int(r["rf"])}, "board": board}
    # hls4ml 1.1.0 / Vivado-Vitis 2023.2: the closest versions rule4ml knows to the shared runs.
    p = est.predict(m, hls_configs=cfg, hls4ml_versions="1.1.0", vivado_versions="2023.2").iloc[0]
    preds.append((f, r, p))

def metrics(pv, tv):
    n = len(pv)
    sm = 100 * sum(0 if abs(p) + abs(t) == 0 else 2 * abs(p - t) / (abs(p) + abs(t)) for p, t in zip(pv, tv)) / n
    mean = sum(tv) / n
    sst = sum((t - mean) ** 2 for t in tv)
    r2 = float("nan") if sst == 0 else 1 - sum((t - p) ** 2 for p, t in zip(pv, tv)) / sst
    return n, sm, r2

res = {"lut": ("LUT", "LUT_hls"), "ff": ("FF", "FF_hls"), "dsp": ("DSP", "DSP_hls"), "bram_18k": ("BRAM", "BRAM_18K_hls")}
with open(os.path.join(out, "rule4ml_metrics.csv"), "w") as fo:
    fo.write("target,strategy,n,smape,r2\n")
    for strat in ("latency", "resource"):
        sel = [(f, r, p) for f, r, p in preds if r["strategy"].lower() == strat]
        if not sel:
            continue
        for kind, files in (("csynth", "results_"), ("post_synthesis", "layer_head")):
            ks = [(f, r, p) for f, r, p in sel if files in os.path.basename(f)]
            if not ks:
                continue
            for name, (col, lab) in res.items():
                scale = 2 if (kind == "post_synthesis" and name == "bram_18k") else 1
                pv = [float(p[col]) for _, _, p in ks]
                tv = [float(r[lab]) * scale for _, r, _ in ks]
                n, sm, r2 = metrics(pv, tv)
                fo.write(f"{kind}.{name},{strat.capitalize()},{n},{sm:.3f},{r2:.4f}\n")
        pv = [float(p["CYCLES"]) for _, _, p in sel]
        tv = [float(r["BestLatency_hls"]) for _, r, _ in sel]
        n, sm, r2 = metrics(pv, tv)
        fo.write(f"latency_best,{strat.capitalize()},{n},{sm:.3f},{r2:.4f}\n")
        ii = [(float(p["INTERVAL"]), float(r["IntervalMax_hls"])) for f, r, p in sel if "results_" in os.path.basename(f)]
        if ii:
            n, sm, r2 = metrics([a for a, _ in ii], [b for _, b in ii])
            fo.write(f"ii,{strat.capitalize()},{n},{sm:.3f},{r2:.4f}\n")
print(open(os.path.join(out, "rule4ml_metrics.csv")).read())
PY
echo "== presynth analytic (same held-out rows) =="
cat "$OUT/analytic_metrics.csv"
