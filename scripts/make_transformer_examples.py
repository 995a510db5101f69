#!/usr/bin/env python3
"""Write the Keras 3 transformer examples in examples/transformer/.

Run: KERAS_BACKEND=jax JAX_PLATFORMS=cpu .venv/bin/python scripts/make_transformer_examples.py

For each model NAME (seeded: a model's seed is its position in BUILDERS):
  NAME.keras           the archive (config + seeded random weights)
  NAME.json            model.to_json() (the weights are the archive's model.weights.h5)
  NAME.h5              legacy full-model HDF5 (model.save('NAME.h5')) for the networks in H5_TOO
  NAME.expected.json   Keras's own truth, in the format of scripts/make_keras_fixtures.py:
                       count_params(), per-layer output shapes (from running the model, so
                       EinsumDense's unknown axes are concrete), per-layer count_params() and
                       the first/last/sum of every weight, named by its path inside the layer
                       (`query/kernel` for attention, `kernel` for Dense).

frontends/tests/keras_fixtures.rs checks presynth's reading of every NAME against these.
"""

import json
import os
import sys

import keras
import numpy as np
from keras import layers

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_keras_fixtures import randomise  # noqa: E402  (seeded normal(0, 0.5) weights)

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "examples", "transformer")


def transformer_encoder():
    """One encoder block: Embedding -> MHA -> Add -> LayerNorm -> FFN -> Add -> LayerNorm ->
    GlobalAveragePooling1D -> Dense head; seq 16, d_model 32, 4 heads of 8."""
    tokens = keras.Input((16,), dtype="int32", name="tokens")
    x = layers.Embedding(64, 32, name="embed")(tokens)
    a = layers.MultiHeadAttention(num_heads=4, key_dim=8, name="mha")(x, x)
    x = layers.Add(name="res1")([x, a])
    x = layers.LayerNormalization(epsilon=1e-6, name="ln1")(x)
    f = layers.Dense(64, activation="relu", name="ffn1")(x)
    f = layers.Dense(32, name="ffn2")(f)
    x = layers.Add(name="res2")([x, f])
    x = layers.LayerNormalization(epsilon=1e-6, name="ln2")(x)
    x = layers.GlobalAveragePooling1D(name="pool")(x)
    out = layers.Dense(5, activation="softmax", name="head")(x)
    return keras.Model(tokens, out, name="transformer_encoder")


def transformer_gqa_causal():
    """Dense embedding of 8 features -> causal grouped-query attention (4 query heads over 2
    key/value heads) -> Add -> LayerNorm -> EinsumDense FFN -> Add -> LayerNorm -> pooling ->
    head; seq 16, d_model 32."""
    x_in = keras.Input((16, 8), name="features")
    x = layers.Dense(32, name="proj")(x_in)
    a = layers.GroupQueryAttention(
        head_dim=8, num_query_heads=4, num_key_value_heads=2, name="gqa"
    )(x, x, use_causal_mask=True)
    x = layers.Add()([x, a])
    x = layers.LayerNormalization()(x)
    f = layers.EinsumDense("abc,cd->abd", output_shape=(None, 64), bias_axes="d",
                           activation="relu")(x)
    f = layers.EinsumDense("abc,cd->abd", output_shape=(None, 32), bias_axes="d")(f)
    x = layers.Add()([x, f])
    x = layers.LayerNormalization(center=False)(x)
    x = layers.GlobalAveragePooling1D()(x)
    out = layers.Dense(3)(x)
    return keras.Model(x_in, out, name="transformer_gqa_causal")


def transformer_cross():
    """Cross-attention from 8 query positions to 12 memory positions, separate value and key
    widths of the key and value inputs, an output projection to 20, then LayerNorm over both axes, pooling and a head."""
    q = keras.Input((8, 16), name="query")
    mem = keras.Input((12, 24), name="memory")
    k = keras.Input((12, 10), name="keys")
    a = layers.MultiHeadAttention(num_heads=2, key_dim=8, value_dim=8, output_shape=20,
                                  name="cross")(q, mem, k)
    x = layers.LayerNormalization(axis=[1, 2], name="ln")(a)
    x = layers.GlobalMaxPooling1D()(x)
    out = layers.Dense(4, activation="sigmoid")(x)
    return keras.Model([q, mem, k], out, name="transformer_cross")


BUILDERS = [transformer_encoder, transformer_gqa_causal, transformer_cross]
H5_TOO = {"transformer_encoder"}


def concrete_shapes(model):
    """Each layer's output shape from running the model on one sample."""
    inner = [l for l in model.layers if not isinstance(l, keras.layers.InputLayer)]
    probe = keras.Model(model.inputs, [l.output for l in inner])
    sample = []
    for t in model.inputs:
        shape = (1,) + tuple(t.shape[1:])
        if "int" in str(t.dtype):
            sample.append(np.zeros(shape, dtype="int32"))
        else:
            sample.append(np.zeros(shape, dtype="float32"))
    outs = probe.predict(sample, verbose=0)
    shapes = {l.name: list(o.shape[1:]) for l, o in zip(inner, outs)}
    for t in model.inputs:
        shapes[t.name] = list(t.shape[1:])
    return shapes


def expected(model, kept=lambda layer, v: True):
    """Keras's truth for NAME.expected.json; `kept(layer, variable)` chooses the weights listed
    (all of them unless a caller, such as the HGQ2 script, leaves quantizer state out)."""
    shapes = concrete_shapes(model)
    entries = []
    for layer in model.layers:
        weights = []
        for v in layer.weights:
            if not kept(layer, v):
                continue
            a = np.asarray(v.numpy(), dtype=np.float64).ravel()
            weights.append({
                "name": v.path.split("/", 1)[1],
                "shape": list(v.shape),
                "first": [float(x) for x in a[:3]],
                "last": float(a[-1]),
                "sum": float(a.sum()),
            })
        entries.append({
            "name": layer.name,
            "class_name": layer.__class__.__name__,
            "output_shape": shapes[layer.name],
            "params": int(layer.count_params()),
            "weights": weights,
        })
    return {
        "name": model.name,
        "keras_version": keras.__version__,
        "count_params": int(model.count_params()),
        "inputs": [t.name for t in model.inputs],
        "input_shapes": [list(t.shape[1:]) for t in model.inputs],
        "outputs": [shapes[model.layers[-1].name]],
        "layers": entries,
    }


def save_example(model, kept=lambda layer, v: True, h5=False):
    """Write NAME.keras, NAME.json, NAME.expected.json (and NAME.h5 if asked) into OUT and print
    the per-layer counts."""
    os.makedirs(OUT, exist_ok=True)
    base = os.path.join(OUT, model.name)
    model.save(base + ".keras")
    with open(base + ".json", "w") as f:
        f.write(model.to_json())
    with open(base + ".expected.json", "w") as f:
        json.dump(expected(model, kept), f, indent=1)
        f.write("\n")
    if h5:
        model.save(base + ".h5")
    print(f"{model.name}: {model.count_params()} parameters")
    for layer in model.layers:
        print(f"  {layer.name:24s} {layer.__class__.__name__:26s} {layer.count_params()}")


def main():
    for seed, build in enumerate(BUILDERS):
        keras.utils.set_random_seed(seed)
        model = build()
        randomise(model, 2000 + seed)
        save_example(model, h5=model.name in H5_TOO)


if __name__ == "__main__":
    main()
