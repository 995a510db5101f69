"""rule4ml 0.2.0 beside presynth on the real-project corpus (data/real-projects/rows.csv): the
same rows, the same networks, the same reported figures (benchmark for issue 13, not CI).

Run it with the rule4ml venv's Python (scripts/bench_rule4ml.sh makes .venv-rule4ml):

    KERAS_BACKEND=torch .venv-rule4ml/bin/python scripts/bench_real_rule4ml.py \
        [--presynth target/debug/presynth]

For every row presynth scores (scripts/bench_real_projects.py's settings), `presynth inspect
--format json` gives the network as presynth loaded it (kinds, attributes, activations,
precisions), which is rebuilt in Keras for rule4ml; rows with layers rule4ml cannot take
(branches, attention, ...) are listed, not scored. rule4ml's board is the row's part when it
knows it, else the board of the same family (pynq-z2 for 7-series, zcu102 for Zynq UltraScale+
and Kintex UltraScale+, alveo-u250 for Alveo and Virtex UltraScale+); its hls4ml and Vivado
versions are the closest it knows to the row's tool (rule4ml 0.2.0: hls4ml 0.8.1-1.1.0, Vivado
2019.1-2023.2). Both are scored with SMAPE on the rows both predicted.
"""

import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import bench_real_projects as brp  # noqa: E402  (stdlib only)

import torch  # noqa: F401,E402  (import before keras: the other order aborts on LLVM options)
import keras  # noqa: E402
from rule4ml.models.wrappers import MultiModelWrapper  # noqa: E402

BOARDS = [("xc7z020", "pynq-z2"), ("xczu9eg", "zcu102"), ("xcu200", "alveo-u200"), ("xcu250", "alveo-u250"),
          ("xc7", "pynq-z2"), ("xczu", "zcu102"), ("xck26", "zcu102"), ("xcku", "zcu102"),
          ("xcu", "alveo-u250"), ("xcvu", "alveo-u250")]
# rule4ml output column -> the corpus column it predicts.
COLUMNS = {"LUT": "lut", "FF": "ff", "DSP": "dsp", "BRAM": "bram_18k", "CYCLES": "latency", "INTERVAL": "ii"}


def board(part):
    p = part.replace("-", "").lower()
    return next(b for prefix, b in BOARDS if p.startswith(prefix))


def versions(row):
    """(hls4ml, vivado) versions rule4ml 0.2.0 knows, closest to the row's tool."""
    v = row["tool_version"] or "2020.1"
    year = float(v.split(".")[0]) + float("0." + (v.split(".")[1] if "." in v else "0"))
    viv = "2019.1" if year < 2021 else "2023.2"
    return ("0.8.1" if year < 2021 else "1.1.0"), viv


def keras_model(layers, name):
    """A Sequential Keras model of presynth's `inspect` rows (chains of supported kinds)."""
    out, shape = [], None
    for r in layers:
        (kind, attrs), = r["attributes"].items() if isinstance(r["attributes"], dict) else [(r["attributes"], None)]
        act = None if r["activation"] == "linear" else r["activation"].replace("leaky_relu", "relu")
        if kind == "Input":
            shape = tuple(attrs["shape"])
        elif len(r["input_shape"]) != 1:
            raise ValueError(f"{kind} with {len(r['input_shape'])} inputs")
        elif kind == "Dense":
            out.append(keras.layers.Dense(attrs["units"], use_bias=attrs["use_bias"], activation=act))
        elif kind in ("Conv1D", "Conv2D"):
            two = kind == "Conv2D"
            cls = keras.layers.Conv2D if two else keras.layers.Conv1D
            k, s = attrs["kernel"], attrs["stride"]
            out.append(cls(attrs["filters"], tuple(k) if two else k[0] if isinstance(k, list) else k,
                           strides=tuple(s) if two else s[0] if isinstance(s, list) else s,
                           padding=attrs["padding"].lower(), use_bias=attrs["use_bias"], activation=act))
        elif kind in ("Pool1D", "Pool2D"):
            two = kind == "Pool2D"
            cls = {("Max", True): keras.layers.MaxPooling2D, ("Avg", True): keras.layers.AveragePooling2D,
                   ("Max", False): keras.layers.MaxPooling1D, ("Avg", False): keras.layers.AveragePooling1D}[(attrs["op"], two)]
            p, s = attrs["pool"], attrs["stride"]
            out.append(cls(tuple(p) if two else p, strides=tuple(s) if two else s, padding=attrs["padding"].lower()))
        elif kind == "Flatten":
            out.append(keras.layers.Flatten())
        elif kind == "BatchNorm":
            out.append(keras.layers.BatchNormalization())
        elif kind == "Dropout":
            continue
        elif kind == "Activation":
            a = attrs if isinstance(attrs, str) else next(iter(attrs))
            a = {"Relu": "relu", "Sigmoid": "sigmoid", "Tanh": "tanh", "Softmax": "softmax", "Linear": "linear",
                 "LeakyRelu": "relu"}.get(a)
            if a is None:
                raise ValueError(f"activation {attrs}")
            out.append(keras.layers.Activation(a))
        else:
            raise ValueError(f"layer kind {kind}")
    if shape is None:
        raise ValueError("no input layer")
    model = keras.Sequential(out, name=name)
    model.build((None, *shape))
    s = (None, *shape)
    for layer in model.layers:
        # rule4ml reads each layer's build shape; Keras 3 records none on weightless layers
        if getattr(layer, "_build_shapes_dict", None) is None:
            layer._build_shapes_dict = {"input_shape": s}
        s = layer.compute_output_shape(s)
    return model


def inspect(presynth, row):
    cmd = [presynth, "inspect", os.path.join(brp.DATA, row["model_file"]), "--format", "json"]
    if row["config_file"].endswith(".yml"):
        cmd += ["--config", os.path.join(brp.DATA, row["config_file"])]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        raise ValueError((r.stderr.strip().splitlines() or ["inspect failed"])[-1])
    return json.loads(r.stdout)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--presynth", default=os.path.join(brp.ROOT, "target", "debug", "presynth"))
    a = ap.parse_args()
    brp.load_devices(a.presynth)
    import csv
    rows = list(csv.DictReader(open(os.path.join(brp.DATA, "rows.csv"), encoding="utf-8")))
    est = MultiModelWrapper()
    est.load_default_models()
    pairs = {"presynth": {t: [] for t in COLUMNS.values()}, "rule4ml": {t: [] for t in COLUMNS.values()}}
    skipped = []
    for row in rows:
        if row["layer_overrides"] in ("qkeras", "hgq") and row["model_file"].endswith(".psn"):
            skipped.append((row["row_id"], "quantized model: the DSL file has no quantizers"))
            continue
        ours, err = brp.estimate(a.presynth, row, "analytic")
        if ours is None:
            skipped.append((row["row_id"], "presynth: " + err))
            continue
        try:
            net = inspect(a.presynth, row)
            model = keras_model(net["layers"], "m")
        except ValueError as e:
            skipped.append((row["row_id"], f"not rebuilt for rule4ml: {e}"))
            continue
        first = next((r for r in net["layers"] if r["kind"] != "Input"), net["layers"][0])
        prec = first["weight_precision"]
        hls4ml_v, viv_v = versions(row)
        cfg = {"model": {"strategy": row["strategy"].capitalize(), "precision": prec,
                         "reuse_factor": int(row["reuse_factor"] or 1)}, "board": board(row["part"])}
        try:
            p = est.predict(model, hls_configs=cfg, hls4ml_versions=hls4ml_v, vivado_versions=viv_v).iloc[0]
        except Exception as e:  # rule4ml refuses some inputs (its own range checks)
            skipped.append((row["row_id"], f"rule4ml: {type(e).__name__}: {e}"))
            continue
        for col, (csv_col, target) in zip(COLUMNS, [(c, t) for c, t in brp.CS]):
            truth = float(row[csv_col])
            mine = brp.pick(ours, target, False)
            theirs = float(p[col])
            if mine is None or theirs != theirs:
                continue
            pairs["presynth"][target].append((float(mine), truth))
            pairs["rule4ml"][target].append((theirs, truth))
    n = max(len(v) for v in pairs["presynth"].values())
    print(f"rows scored by both: {n} of {len(rows)} (csynth figures; SMAPE %)")
    print("estimator".ljust(12) + "".join(t.rjust(10) for t in COLUMNS.values()))
    for who in ("presynth", "rule4ml"):
        cells = [brp.smape(pairs[who][t]) for t in COLUMNS.values()]
        print(who.ljust(12) + "".join(("-" if c is None else f"{c:.1f}").rjust(10) for c in cells))
    print(f"\nnot scored ({len(skipped)}):")
    for rid, why in skipped:
        print(f"  {rid}: {why}")


if __name__ == "__main__":
    sys.exit(main())
