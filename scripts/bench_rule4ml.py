"""rule4ml 0.2.0 on the SAME rows and networks presynth evaluates (benchmark, not CI).

Usage: bench_rule4ml.py RECORDS.jsonl ROWS.csv OUT_DIR
  RECORDS.jsonl  `presynth dataset ingest DATA -o DIR` output (ids, IR networks, HLS settings)
  ROWS.csv       `presynth evaluate DATA --split heldout --rows-csv ROWS.csv` (target, family,
                 strategy, id, predicted, true): the rows and labels to score rule4ml on
Writes OUT_DIR/rule4ml_rows.csv (same columns as ROWS.csv) and OUT_DIR/rule4ml_metrics.csv
(estimator,target,family,strategy,n,smape,mape,r2,within_10pct,exact: the definitions of presynth's
estimator/src/metrics.rs), and prints the metrics.

Each network is rebuilt in Keras from presynth's IR record (Dense, Conv1D/2D, pooling, Flatten,
fused activations), so rule4ml sees exactly the architecture presynth estimated. rule4ml predicts
HLS (csynth) resources, so a row whose labels are Vivado post-synthesis figures compares an HLS
estimate with a post-synthesis truth: the metrics keep the label's target name and say so.
rule4ml's training range (Vivado 2019.1, 10 ns, io_parallel, RF <= 64, precisions <2,1>, <8,3>,
<16,6>) is far from these rows (Vitis 2023.2, 5 ns, RF 384-32765): its figures are shown as the
published peer on the same rows, not as a tuned competitor.
"""
import csv
import json
import math
import os
import sys

import torch  # noqa: F401  (import before keras/tensorflow: the other order aborts on LLVM options)
import keras
from rule4ml.models.wrappers import MultiModelWrapper

BOARD = "alveo-u250"
# rule4ml output column -> presynth targets it predicts (csynth and post-synthesis labels alike).
COLUMNS = {
    "LUT": ["csynth.lut", "post_synthesis.lut"],
    "FF": ["csynth.ff", "post_synthesis.ff"],
    "DSP": ["csynth.dsp", "post_synthesis.dsp"],
    "BRAM": ["csynth.bram_18k", "post_synthesis.bram_18k"],
    "CYCLES": ["latency_best", "latency_worst"],
    "INTERVAL": ["ii"],
}
ACTIVATIONS = {"Linear": None, "Relu": "relu", "Tanh": "tanh", "Sigmoid": "sigmoid", "Softmax": "softmax"}


def fixed(p):
    f = p["Fixed"]
    return f"ap_fixed<{f['width']}, {f['integer']}>"


def keras_model(net, name):
    """A Keras model with the IR network's layers, shapes and activations (weights irrelevant)."""
    nodes = net["graph"]["nodes"]
    order = [e for e in net["graph"]["edges"]]
    if any(len([e for e in order if e[1] == i]) > 1 for i in range(len(nodes))):
        raise ValueError("multi-input layers are not rebuilt")
    layers = []
    for n in nodes:
        kind = n["kind"]
        act = ACTIVATIONS.get(n["activation"], "unsupported")
        if act == "unsupported":
            raise ValueError(f"activation {n['activation']}")
        if isinstance(kind, dict) and "Input" in kind:
            shape = tuple(kind["Input"]["shape"])
            continue
        if isinstance(kind, dict) and "Dense" in kind:
            d = kind["Dense"]
            layers.append(keras.layers.Dense(d["units"], use_bias=d["use_bias"], activation=act))
        elif isinstance(kind, dict) and ("Conv2D" in kind or "Conv1D" in kind):
            two = "Conv2D" in kind
            c = kind["Conv2D" if two else "Conv1D"]
            cls = keras.layers.Conv2D if two else keras.layers.Conv1D
            layers.append(cls(c["filters"], tuple(c["kernel"]) if two else c["kernel"][0],
                              strides=tuple(c["stride"]) if two else c["stride"][0],
                              padding=c["padding"].lower(), use_bias=c["use_bias"], activation=act))
        elif isinstance(kind, dict) and ("Pool2D" in kind or "Pool1D" in kind):
            two = "Pool2D" in kind
            p = kind["Pool2D" if two else "Pool1D"]
            cls = {("Max", True): keras.layers.MaxPooling2D, ("Avg", True): keras.layers.AveragePooling2D,
                   ("Max", False): keras.layers.MaxPooling1D, ("Avg", False): keras.layers.AveragePooling1D}[(p["op"], two)]
            layers.append(cls(tuple(p["pool"]) if two else p["pool"][0],
                              strides=tuple(p["stride"]) if two else p["stride"][0], padding=p["padding"].lower()))
        elif kind == "Flatten":
            layers.append(keras.layers.Flatten())
        else:
            raise ValueError(f"layer kind {kind}")
    # rule4ml reads the input shape of a built Sequential model (Keras 3 `_build_shapes_dict`).
    model = keras.Sequential(layers, name=name)
    model.build((None, *shape))
    # Keras 3 records no build shape on weightless layers (pooling, Flatten), where rule4ml
    # looks for each layer's input shape: give them the shape they were built on.
    s = (None, *shape)
    for layer in model.layers:
        if getattr(layer, "_build_shapes_dict", None) is None:
            layer._build_shapes_dict = {"input_shape": s}
        s = layer.compute_output_shape(s)
    return model


def metrics(pairs):
    p = [a for a, _ in pairs]
    t = [b for _, b in pairs]
    n = len(p)
    smape = 100 * sum(0 if abs(a) + abs(b) == 0 else 2 * abs(a - b) / (abs(a) + abs(b)) for a, b in pairs) / n
    nz = [(a, b) for a, b in pairs if b != 0]
    mape = 100 * sum(abs(a - b) / abs(b) for a, b in nz) / len(nz) if nz else float("nan")
    mean = sum(t) / n
    sst = sum((b - mean) ** 2 for b in t)
    r2 = float("nan") if sst == 0 else 1 - sum((b - a) ** 2 for a, b in pairs) / sst
    within = sum(abs(a - b) <= 0.1 * abs(b) for a, b in pairs) / n
    exact = sum(round(a) == round(b) for a, b in pairs) / n
    return n, smape, mape, r2, within, exact


def main(records_path, rows_path, out):
    os.makedirs(out, exist_ok=True)
    records = {}
    for line in open(records_path):
        r = json.loads(line)
        records[r["id"]] = r
    wanted = list(csv.DictReader(open(rows_path)))
    ids = sorted({w["id"] for w in wanted})
    est = MultiModelWrapper()
    est.load_default_models()  # rule4ml 0.2.0's default estimators
    preds, skipped = {}, {}
    for rid in ids:
        r = records.get(rid)
        if r is None or r.get("network") is None:
            skipped[rid] = "no network in the records"
            continue
        try:
            model = keras_model(r["network"], r["network"]["name"])
        except ValueError as e:
            skipped[rid] = str(e)
            continue
        hls = r["hls"]
        precision = fixed(r["weight_precision"]) if r.get("weight_precision") else fixed(hls["precision"])
        cfg = {"model": {"strategy": hls["strategy"], "precision": precision,
                         "reuse_factor": int(hls["reuse_factor"])}, "board": BOARD}
        # hls4ml 1.1.0 / Vivado-Vitis 2023.2: the closest versions rule4ml knows to these runs.
        p = est.predict(model, hls_configs=cfg, hls4ml_versions="1.1.0", vivado_versions="2023.2").iloc[0]
        preds[rid] = {col: float(p[col]) for col in COLUMNS}
    rows, groups = [], {}
    for w in wanted:
        if w["id"] not in preds:
            continue
        col = next(c for c, ts in COLUMNS.items() if w["target"] in ts)
        v = preds[w["id"]][col]
        if math.isnan(v):
            continue
        rows.append((w["target"], w["family"], w["strategy"], w["id"], v, float(w["true"])))
        groups.setdefault((w["target"], w["family"], w["strategy"]), []).append((v, float(w["true"])))
    with open(os.path.join(out, "rule4ml_rows.csv"), "w", newline="") as f:
        wr = csv.writer(f)
        wr.writerow(["target", "family", "strategy", "id", "predicted", "true"])
        wr.writerows(rows)
    lines = ["estimator,target,family,strategy,n,smape,mape,r2,within_10pct,exact"]
    for (target, family, strategy), pairs in sorted(groups.items()):
        n, s, m, r2, w10, ex = metrics(pairs)
        lines.append(f"rule4ml,{target},{family},{strategy},{n},{s:.3f},{m:.3f},{r2:.4f},{w10:.4f},{ex:.4f}")
    open(os.path.join(out, "rule4ml_metrics.csv"), "w").write("\n".join(lines) + "\n")
    print("\n".join(lines))
    for rid, why in sorted(skipped.items()):
        print(f"rule4ml: skipped {rid}: {why}", file=sys.stderr)
    print(f"rule4ml: {len(preds)} networks predicted, {len(skipped)} skipped", file=sys.stderr)


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(*sys.argv[1:])
