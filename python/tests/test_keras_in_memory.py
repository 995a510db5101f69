"""An in-memory Keras 3 model gives the same estimate as the same model saved to files (the
truth: the CLI on the saved .json + .weights.h5 and .keras), its weights are really used
(zeroed weights change the Latency estimate, as hls4ml skips zero multiplications), and the
config dict of hls4ml's config_from_keras_model equals the same config as a YAML file."""

import os

os.environ.setdefault("KERAS_BACKEND", "jax")
os.environ.setdefault("JAX_PLATFORMS", "cpu")

import numpy as np
import pytest

keras = pytest.importorskip("keras") if os.environ.get("CI") != "true" else __import__("keras")

import presynth

SETTINGS = {"part": "xcu250", "strategy": "Latency", "reuse_factor": 1}


def small_model(name="small_net"):
    rng = np.random.default_rng(7)
    inp = keras.Input((16, 4), name="inp")
    x = keras.layers.Conv1D(4, 3, activation="relu", name="conv")(inp)
    x = keras.layers.BatchNormalization(name="bn")(x)
    x = keras.layers.Flatten(name="flat")(x)
    x = keras.layers.Dense(16, activation="relu", name="fc1")(x)
    out = keras.layers.Dense(5, activation="softmax", name="out")(x)
    model = keras.Model(inp, out, name=name)
    # Weights with exact zeros (a pruned model): the estimate depends on them.
    for layer in model.layers:
        ws = []
        for w in layer.get_weights():
            v = rng.normal(size=w.shape).astype("float32")
            v[rng.random(w.shape) < 0.4] = 0.0
            ws.append(v)
        layer.set_weights(ws)
    bn = model.get_layer("bn")
    g, b, m, var = bn.get_weights()
    bn.set_weights([g, b, m, np.abs(var) + 0.5])
    return model


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    d = tmp_path_factory.mktemp("keras")
    model = small_model()
    (d / "small_net.json").write_text(model.to_json())
    model.save_weights(d / "small_net.weights.h5")
    model.save(d / "small_net.keras")
    return model, d


def test_in_memory_equals_saved_json_and_weights(saved, cli):
    model, d = saved
    got = presynth.estimate(model, **SETTINGS)
    from_file = presynth.estimate(d / "small_net.json", **SETTINGS)
    assert got == from_file
    args = ["--part", "xcu250", "--strategy", "Latency", "--reuse-factor", "1"]
    assert got == cli.json("estimate", d / "small_net.json", *args)
    assert got == presynth.estimate(d / "small_net.keras", **SETTINGS)
    assert presynth.inspect(model) == presynth.inspect(d / "small_net.json")


def test_weights_are_used(saved):
    model, _ = saved
    before = presynth.estimate(model, **SETTINGS)
    dense = small_model("small_net")
    fc1 = dense.get_layer("fc1")
    k, b = fc1.get_weights()
    fc1.set_weights([np.where(k == 0, 0.5, k).astype("float32"), b])
    after = presynth.estimate(dense, **SETTINGS)
    # fewer zero weights in fc1 -> more multipliers in its Latency implementation
    fc1_before = next(l for l in before["layers"] if l["name"] == "fc1")
    fc1_after = next(l for l in after["layers"] if l["name"] == "fc1")
    assert fc1_after["multipliers"] > fc1_before["multipliers"]


def test_hls4ml_config_dict_equals_the_yaml_file(saved, tmp_path, cli):
    hls4ml = pytest.importorskip("hls4ml") if os.environ.get("CI") != "true" else __import__("hls4ml")
    import yaml

    model, d = saved
    cfg = hls4ml.utils.config_from_keras_model(model, granularity="name", default_precision="ap_fixed<12,4>",
                                               default_reuse_factor=2)
    cfg["LayerName"]["fc1"]["ReuseFactor"] = 4
    path = tmp_path / "cfg.yml"
    path.write_text(yaml.safe_dump(cfg))
    got = presynth.estimate(model, cfg, part="xcu250")
    assert got == presynth.estimate(model, path, part="xcu250")
    assert got == cli.json("estimate", d / "small_net.json", "--config", path, "--part", "xcu250")
    fc1 = next(l for l in got["layers"] if l["name"] == "fc1")
    assert fc1["requested_reuse_factor"] == 4


def test_estimate_many_takes_keras_models(saved):
    model, d = saved
    got = presynth.estimate_many([model, {"model": model, "reuse_factor": 2}, d / "small_net.json"], part="xcu250")
    assert got[0] == presynth.estimate(model, part="xcu250")
    assert got[1] == presynth.estimate(model, part="xcu250", reuse_factor=2)
    assert got[2] == got[0]
