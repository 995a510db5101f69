#!/usr/bin/env python3
"""Regenerate tests/fixtures/hls4ml-configs/: configs and projects written by hls4ml 1.3.0 itself.

For every Keras example model in examples/hls4ml-examples/keras (Keras 2 JSON + weights HDF5;
Keras 3 cannot read those JSON files, so the model is rebuilt layer by layer in Keras 3 with the
same names and settings and its weights are read from the HDF5 file by layer name) this writes

  configs/<model>_<granularity>.yml   hls4ml.utils.config_from_keras_model(model,
                                       granularity=<model|type|name>, backend='Vitis'),
                                       dumped with yaml.safe_dump exactly as a user saves it
  expected.json                        {model: Keras count_params()} (the truth the tests compare)

and, for the PROJECTS below, an hls4ml project written with
convert_from_keras_model(..., hls_config=<name-granularity config>) + write() (no synthesis),
keeping only the files presynth's project reader needs:

  projects/<model>/hls4ml_config.yml, keras_model.keras,
  projects/<model>/firmware/{parameters.h,defines.h,myproject.cpp}, firmware/weights/*.txt

For every ONNX example in examples/hls4ml-examples/onnx, when `onnx` and `qonnx` import (they
are not in .venv; e.g. `pip install --target /tmp/onnxpkgs onnx qonnx` and PYTHONPATH=/tmp/onnxpkgs),
the model is cleaned and made channels-last as hls4ml's ONNX docs ask (qonnx cleanup,
ConvertToChannelsLastAndClean, GemmToMatMul) and

  configs/onnx_<model>_<granularity>.yml   hls4ml.utils.config_from_onnx_model(...)
  expected.json "onnx_initializer_params"   the element count of each model's initializers

Run:  KERAS_BACKEND=jax JAX_PLATFORMS=cpu .venv/bin/python scripts/make_hls4ml_configs.py [OUT] [--onnx-only]
(--onnx-only rewrites only the ONNX configs and their expected.json entry; the projects carry a
random Stamp and temporary paths, so a full run rewrites them.)
"""

import json
import os
import shutil
import sys
import tempfile
import warnings

os.environ.setdefault("KERAS_BACKEND", "jax")
os.environ.setdefault("JAX_PLATFORMS", "cpu")
warnings.filterwarnings("ignore")

import h5py  # noqa: E402
import keras  # noqa: E402
import yaml  # noqa: E402
import hls4ml  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
EXAMPLES = os.path.join(ROOT, "examples", "hls4ml-examples", "keras")
ARGS = [a for a in sys.argv[1:] if not a.startswith("--")]
ONNX_ONLY = "--onnx-only" in sys.argv
OUT = ARGS[0] if ARGS else os.path.join(ROOT, "tests", "fixtures", "hls4ml-configs")
ONNX_DIR = os.path.join(ROOT, "examples", "hls4ml-examples", "onnx")

MODELS = [
    "KERAS_1layer",
    "KERAS_3layer",
    "KERAS_conv1d_small",
    "KERAS_conv1d",
    "KERAS_dense_16x100x100x100x100x100x5",
    "jetTagger_Conv2D_Small_NoBatchNorm",
]
# (project folder, example model, Strategy, ReuseFactor, keep keras_model.keras). The Resource
# project checks the transposed weights hls4ml writes for that strategy; it keeps only the C++
# (its weights are compared with the KERAS_conv1d_small project's keras_model.keras).
PROJECTS = [
    ("KERAS_3layer", "KERAS_3layer", "Latency", 1, True),
    ("KERAS_conv1d_small", "KERAS_conv1d_small", "Latency", 1, True),
    ("KERAS_conv1d_small_resource", "KERAS_conv1d_small", "Resource", 2, False),
]
GRANULARITIES = ["model", "type", "name"]


def layer_from_keras2(cls, c):
    """A Keras 3 layer with the settings of a Keras 2 layer config (the classes the examples use)."""
    name = c["name"]
    if cls == "Dense":
        return keras.layers.Dense(c["units"], activation=c["activation"], use_bias=c["use_bias"], name=name)
    if cls in ("Conv1D", "Conv2D"):
        L = keras.layers.Conv1D if cls == "Conv1D" else keras.layers.Conv2D
        return L(
            c["filters"],
            c["kernel_size"],
            strides=c["strides"],
            padding=c["padding"],
            activation=c["activation"],
            use_bias=c["use_bias"],
            name=name,
        )
    if cls == "Flatten":
        return keras.layers.Flatten(name=name)
    if cls == "Dropout":
        return keras.layers.Dropout(c["rate"], name=name)
    if cls == "Activation":
        return keras.layers.Activation(c["activation"], name=name)
    raise SystemExit(f"layer class {cls} not handled by this script")


def load_example(name):
    j = json.load(open(os.path.join(EXAMPLES, name + ".json")))
    layers = j["config"]["layers"]
    inp = layers[0]
    assert inp["class_name"] == "InputLayer", name
    x = keras.Input(tuple(inp["config"]["batch_input_shape"][1:]), name=inp["config"]["name"])
    y = x
    for l in layers[1:]:
        y = layer_from_keras2(l["class_name"], l["config"])(y)
    model = keras.Model(x, y, name=j["config"]["name"])
    with h5py.File(os.path.join(EXAMPLES, name + "_weights.h5"), "r") as f:
        g = f["model_weights"] if "model_weights" in f else f
        for layer in model.layers:
            if not layer.weights:
                continue
            lg = g[layer.name]
            names = [n.decode() if isinstance(n, bytes) else n for n in lg.attrs["weight_names"]]
            layer.set_weights([lg[n][()] for n in names])
    return model


def onnx_configs():
    """{model: initializer element count}, writing configs/onnx_*.yml; {} without onnx/qonnx."""
    try:
        import numpy as np
        import onnx
        from onnx import numpy_helper
        from qonnx.core.modelwrapper import ModelWrapper
        from qonnx.transformation.channels_last import ConvertToChannelsLastAndClean
        from qonnx.transformation.gemm_to_matmul import GemmToMatMul
        from qonnx.util.cleanup import cleanup_model
    except ImportError as e:
        print(f"ONNX configs skipped: {e}", file=sys.stderr)
        return {}
    counts = {}
    for f in sorted(os.listdir(ONNX_DIR)):
        if not f.endswith(".onnx"):
            continue
        name = f[: -len(".onnx")]
        raw = onnx.load(os.path.join(ONNX_DIR, f))
        counts[name] = int(sum(np.prod(numpy_helper.to_array(i).shape) for i in raw.graph.initializer))
        m = cleanup_model(ModelWrapper(raw))
        m = m.transform(ConvertToChannelsLastAndClean())
        m = m.transform(GemmToMatMul())
        m = cleanup_model(m)
        for g in GRANULARITIES:
            cfg = hls4ml.utils.config_from_onnx_model(m, granularity=g, backend="Vitis")
            with open(os.path.join(OUT, "configs", f"onnx_{name}_{g}.yml"), "w") as fh:
                yaml.safe_dump(cfg, fh, sort_keys=False)
        print(name, counts[name], flush=True)
    return counts


def main():
    os.makedirs(os.path.join(OUT, "configs"), exist_ok=True)
    if ONNX_ONLY:
        path = os.path.join(OUT, "expected.json")
        exp = json.load(open(path))
        exp["onnx_initializer_params"] = onnx_configs()
        with open(path, "w") as f:
            json.dump(exp, f, indent=1)
            f.write("\n")
        return
    expected = {}
    for name in MODELS:
        model = load_example(name)
        expected[name] = model.count_params()
        for g in GRANULARITIES:
            cfg = hls4ml.utils.config_from_keras_model(model, granularity=g, backend="Vitis")
            with open(os.path.join(OUT, "configs", f"{name}_{g}.yml"), "w") as f:
                yaml.safe_dump(cfg, f, sort_keys=False)
        for prj_name, model_name, strategy, rf, keep_model in PROJECTS:
            if model_name != name:
                continue
            cfg = hls4ml.utils.config_from_keras_model(model, granularity="name", backend="Vitis")
            cfg["Model"]["Strategy"] = strategy
            cfg["Model"]["ReuseFactor"] = rf
            for entry in cfg["LayerName"].values():
                if "ReuseFactor" in entry:
                    entry["ReuseFactor"] = rf
            with tempfile.TemporaryDirectory() as tmp:
                prj = os.path.join(tmp, "prj")
                hm = hls4ml.converters.convert_from_keras_model(
                    model, hls_config=cfg, output_dir=prj, backend="Vitis", io_type="io_parallel"
                )
                hm.write()
                dst = os.path.join(OUT, "projects", prj_name)
                shutil.rmtree(dst, ignore_errors=True)
                os.makedirs(os.path.join(dst, "firmware", "weights"))
                keep = ["hls4ml_config.yml", "firmware/parameters.h", "firmware/defines.h", "firmware/myproject.cpp"]
                if keep_model:
                    keep.append("keras_model.keras")
                for rel in keep:
                    shutil.copy(os.path.join(prj, rel), os.path.join(dst, rel))
                for w in sorted(os.listdir(os.path.join(prj, "firmware", "weights"))):
                    if w.endswith(".txt"):
                        shutil.copy(os.path.join(prj, "firmware", "weights", w), os.path.join(dst, "firmware", "weights", w))
        print(name, expected[name], flush=True)
    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump(
            {
                "count_params": expected,
                "onnx_initializer_params": onnx_configs(),
                "hls4ml": hls4ml.__version__,
                "keras": keras.__version__,
            },
            f,
            indent=1,
        )
        f.write("\n")


if __name__ == "__main__":
    main()
