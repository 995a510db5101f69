#!/usr/bin/env python3
"""Build small seeded Keras 3 networks and save them as test fixtures for the Keras frontend.

For every network NAME this writes, under frontends/tests/fixtures/keras/ (or the folder given as the
first argument):

  NAME.keras           Keras 3 archive (config.json + model.weights.h5)
  NAME.json            model.to_json()
  NAME.expected.json   Keras's own truth: count_params(), per-layer output shapes and parameter
                       counts, and a few weight values per weight tensor
  NAME.h5              legacy full-model HDF5 (model.save('NAME.h5')) for the networks in H5_TOO

Run:  KERAS_BACKEND=jax JAX_PLATFORMS=cpu .venv/bin/python scripts/make_keras_fixtures.py
The networks are seeded, so re-running gives the same architectures and weights.
"""

import json
import os
import sys
import warnings

os.environ.setdefault("KERAS_BACKEND", "jax")
os.environ.setdefault("JAX_PLATFORMS", "cpu")
warnings.filterwarnings("ignore")

import numpy as np  # noqa: E402
import keras  # noqa: E402
from keras import layers as L  # noqa: E402

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "frontends", "tests", "fixtures", "keras")

# Networks that also get a legacy full-model .h5 file.
H5_TOO = {"mlp_relu", "conv2d_pool_bn", "functional_add_concat", "recurrent", "prelu",
          "depthwise_separable_1d"}


def mlp_relu():
    return keras.Sequential([
        keras.Input((16,)),
        L.Dense(32, activation="relu", name="fc1"),
        L.Dense(16, activation="relu", name="fc2"),
        L.Dense(5, activation="softmax", name="out"),
    ], name="mlp_relu")


def mlp_activations():
    # every fused activation on Dense, plus separate Activation layers and Dropout
    return keras.Sequential([
        keras.Input((12,)),
        L.Dense(10, activation="tanh", name="d_tanh"),
        L.Dense(10, activation="sigmoid", name="d_sigmoid"),
        L.Dropout(0.2, name="drop"),
        L.Dense(8, activation="linear", name="d_linear"),
        L.Activation("relu", name="act_relu"),
        L.Dense(8, name="d_plain"),
        L.Activation("tanh", name="act_tanh"),
        L.Dense(4, name="d_last"),
        L.Activation("softmax", name="act_softmax"),
    ], name="mlp_activations")


def mlp_leaky():
    # LeakyReLU, ReLU and Softmax layers, Dense without bias, BatchNorm without centre/scale
    return keras.Sequential([
        keras.Input((20,)),
        L.Dense(16, use_bias=False, name="fc_nobias"),
        L.BatchNormalization(center=False, scale=False, epsilon=1e-3, name="bn_plain"),
        L.LeakyReLU(negative_slope=0.1, name="leaky"),
        L.Dense(16, name="fc2"),
        L.BatchNormalization(name="bn_full"),
        L.ReLU(name="relu_layer"),
        L.Dense(3, name="fc3"),
        L.Softmax(name="softmax_layer"),
    ], name="mlp_leaky")


def conv1d_pool_bn():
    return keras.Sequential([
        keras.Input((32, 3)),
        L.Conv1D(8, 3, activation="relu", padding="valid", name="c1"),
        L.MaxPooling1D(2, name="mp1"),
        L.Conv1D(6, 5, strides=2, padding="same", name="c2"),
        L.BatchNormalization(name="bn1"),
        L.Activation("relu", name="r2"),
        L.AveragePooling1D(pool_size=3, strides=1, padding="same", name="ap1"),
        L.MaxPooling1D(pool_size=3, strides=2, padding="valid", name="mp2"),
        L.Flatten(name="flat"),
        L.Dense(4, activation="softmax", name="out"),
    ], name="conv1d_pool_bn")


def conv2d_pool_bn():
    return keras.Sequential([
        keras.Input((12, 12, 2)),
        L.Conv2D(4, (3, 3), padding="same", name="c1"),
        L.BatchNormalization(name="bn1"),
        L.Activation("relu", name="r1"),
        L.MaxPooling2D((2, 2), name="mp1"),
        L.Conv2D(6, (3, 2), strides=(2, 1), padding="valid", activation="relu", name="c2"),
        L.AveragePooling2D(pool_size=(2, 2), padding="same", name="ap1"),
        L.Conv2D(3, (1, 1), use_bias=False, name="c3"),
        L.Dropout(0.1, name="drop"),
        L.Flatten(name="flat"),
        L.Dense(5, activation="softmax", name="out"),
    ], name="conv2d_pool_bn")


def conv2d_strided_same():
    return keras.Sequential([
        keras.Input((11, 9, 1)),
        L.Conv2D(5, (3, 3), strides=(3, 3), padding="same", activation="relu", name="c1"),
        L.Conv2D(2, (5, 5), strides=(2, 2), padding="same", activation="relu", name="c2"),
        L.AveragePooling2D(pool_size=(1, 2), strides=(1, 1), padding="valid", name="ap"),
        L.Flatten(name="flat"),
        L.Dense(10, activation="relu", name="fc"),
        L.Dense(2, activation="sigmoid", name="out"),
    ], name="conv2d_strided_same")


def global_pools():
    # all four global poolings, joined by Concatenate
    i1 = keras.Input((10, 4), name="seq_in")
    c1 = L.Conv1D(6, 3, activation="relu", name="c1d")(i1)
    g1 = L.GlobalAveragePooling1D(name="gap1")(c1)
    g2 = L.GlobalMaxPooling1D(name="gmp1")(c1)
    i2 = keras.Input((8, 8, 3), name="img_in")
    c2 = L.Conv2D(6, (3, 3), activation="relu", name="c2d")(i2)
    g3 = L.GlobalAveragePooling2D(name="gap2")(c2)
    g4 = L.GlobalMaxPooling2D(name="gmp2")(c2)
    cat = L.Concatenate(name="cat")([g1, g2, g3, g4])
    out = L.Dense(3, activation="softmax", name="out")(cat)
    return keras.Model([i1, i2], out, name="global_pools")


def reshape_flatten():
    i = keras.Input((64,), name="flat_in")
    r = L.Reshape((8, 8, 1), name="to_img")(i)
    c = L.Conv2D(2, (3, 3), padding="same", name="c2d")(r)
    f = L.Flatten(name="flat")(c)
    r2 = L.Reshape((-1, 4), name="to_seq")(f)
    c1 = L.Conv1D(3, 2, strides=2, name="c1d")(r2)
    f2 = L.Flatten(name="flat2")(c1)
    o = L.Dense(4, name="out")(f2)
    return keras.Model(i, o, name="reshape_flatten")


def functional_add_concat():
    i = keras.Input((16,), name="x")
    a = L.Dense(8, activation="relu", name="branch_a")(i)
    b = L.Dense(8, activation="tanh", name="branch_b")(i)
    s = L.Add(name="add")([a, b])
    c = L.Concatenate(name="cat")([s, a, i])
    d = L.Dropout(0.5, name="drop")(c)
    o = L.Dense(4, activation="softmax", name="out")(d)
    return keras.Model(i, o, name="functional_add_concat")


def functional_conv_residual():
    i = keras.Input((10, 10, 3), name="img")
    c1 = L.Conv2D(4, (3, 3), padding="same", activation="relu", name="c1")(i)
    c2 = L.Conv2D(4, (3, 3), padding="same", name="c2")(c1)
    bn = L.BatchNormalization(name="bn")(c2)
    s = L.Add(name="res_add")([c1, bn])
    r = L.ReLU(name="res_relu")(s)
    cat = L.Concatenate(axis=-1, name="chan_cat")([r, i])
    p = L.MaxPooling2D((2, 2), strides=(2, 2), name="pool")(cat)
    g = L.GlobalAveragePooling2D(name="gap")(p)
    o = L.Dense(2, name="out")(g)
    return keras.Model(i, o, name="functional_conv_residual")


def multi_output():
    i = keras.Input((6,), name="x")
    h = L.Dense(12, activation="relu", name="h")(i)
    o1 = L.Dense(3, activation="softmax", name="cls")(h)
    o2 = L.Dense(1, name="reg")(h)
    return keras.Model(i, [o1, o2], name="multi_output")


def concat_axis1_conv1d():
    i = keras.Input((8, 2), name="x")
    a = L.Conv1D(3, 3, padding="same", name="ca")(i)
    b = L.Conv1D(3, 1, name="cb")(i)
    t = L.Concatenate(axis=1, name="time_cat")([a, b])
    p = L.AveragePooling1D(2, name="ap")(t)
    f = L.Flatten(name="flat")(p)
    o = L.Dense(2, activation="sigmoid", name="out")(f)
    return keras.Model(i, o, name="concat_axis1_conv1d")


def spatial_2d():
    # ZeroPadding2D / UpSampling2D / Cropping2D in their int, pair and pair-of-pairs forms
    return keras.Sequential([
        keras.Input((6, 5, 2)),
        L.Conv2D(3, 3, activation="relu", name="c1"),
        L.ZeroPadding2D(((1, 0), (2, 1)), name="pad_pairs"),
        L.ZeroPadding2D(1, name="pad_int"),
        L.UpSampling2D((2, 3), name="up"),
        L.Cropping2D((1, 2), name="crop_pair"),
        L.Cropping2D(((0, 1), (2, 0)), name="crop_pairs"),
        L.Conv2D(2, 3, name="c2"),
        L.Flatten(name="flat"),
        L.Dense(3, name="out"),
    ], name="spatial_2d")


def spatial_1d():
    return keras.Sequential([
        keras.Input((10, 3)),
        L.Conv1D(4, 3, activation="relu", name="c1"),
        L.ZeroPadding1D(3, name="pad_int"),
        L.ZeroPadding1D((0, 2), name="pad_pair"),
        L.Cropping1D((1, 2), name="crop"),
        L.UpSampling1D(3, name="up"),
        L.Flatten(name="flat"),
        L.Dense(2, name="out"),
    ], name="spatial_1d")


def merges():
    i = keras.Input((6, 6, 2), name="img")
    a = L.Conv2D(3, (3, 3), activation="relu", name="ca")(i)
    b = L.Conv2D(3, (3, 3), activation="tanh", name="cb")(i)
    c = L.Conv2D(3, (3, 3), name="cc")(i)
    s = L.Subtract()([a, b])  # auto-named: checks the DSL's Keras prefix
    m = L.Multiply()([a, c])
    v = L.Average(name="avg3")([s, m, c])
    x = L.Maximum(name="max")([v, a])
    n = L.Minimum(name="min3")([x, b, c])
    o = L.Dense(2, name="out")(L.Flatten(name="flat")(n))
    return keras.Model(i, o, name="merges")


def table_activations():
    return keras.Sequential([
        keras.Input((6,)),
        L.Dense(5, activation="softplus", name="d1"),
        L.Activation("softsign", name="sg"),
        L.Dense(4, activation="selu", name="d2"),
        L.ELU(alpha=0.5, name="elu_layer"),
        L.Dense(3, activation="elu", name="d3"),
    ], name="table_activations")


# new builders go at the end: a network's seed is its position in this list
def depthwise_separable():
    # DepthwiseConv2D (depth multiplier, no bias) and SeparableConv2D (same padding, stride)
    return keras.Sequential([
        keras.Input((9, 8, 3)),
        L.DepthwiseConv2D(3, depth_multiplier=2, activation="relu", name="dw"),
        L.SeparableConv2D(5, 3, strides=2, padding="same", name="sep"),
        L.DepthwiseConv2D((2, 1), use_bias=False, name="dw_nobias"),
        L.Flatten(name="flat"),
        L.Dense(2, name="out"),
    ], name="depthwise_separable")


def recurrent():
    # LSTM, GRU (reset_after True and False), SimpleRNN (relu, no bias) and a Bidirectional LSTM
    return keras.Sequential([
        keras.Input((6, 4)),
        L.LSTM(5, return_sequences=True, name="lstm"),
        L.GRU(4, return_sequences=True, name="gru"),
        L.GRU(3, reset_after=False, return_sequences=True, name="gru_before"),
        L.SimpleRNN(3, activation="relu", use_bias=False, return_sequences=True, name="rnn"),
        L.Bidirectional(L.LSTM(2), name="bidi"),
        L.Dense(2, name="out"),
    ], name="recurrent")


def prelu():
    # PReLU after a Dense (alpha per unit) and after a Conv1D (alpha over width x channels)
    return keras.Sequential([
        keras.Input((7, 2)),
        L.Conv1D(3, 3, name="conv"),
        L.PReLU(name="prelu_conv"),
        L.Flatten(name="flat"),
        L.Dense(4, name="fc"),
        L.PReLU(name="prelu_fc"),
        L.Dense(2, name="out"),
    ], name="prelu")


def permute():
    # Permute of a sequence (2, 1) and of an image (3, 1, 2)
    inp = keras.Input((6, 3), name="seq")
    x = L.Permute((2, 1), name="swap")(inp)
    x = L.Dense(4, name="fc")(x)
    x = L.Reshape((3, 2, 2), name="img")(x)
    x = L.Permute((3, 1, 2), name="rot")(x)
    x = L.Flatten(name="flat")(x)
    out = L.Dense(2, name="out")(x)
    return keras.Model(inp, out, name="permute")


def dot():
    # Dot of two Dense outputs (1-D operands, the form hls4ml converts)
    inp = keras.Input((5,), name="x")
    a = L.Dense(4, activation="relu", name="a")(inp)
    b = L.Dense(4, name="b")(inp)
    d = L.Dot(axes=1, name="dot")([a, b])
    out = L.Dense(2, name="out")(d)
    return keras.Model(inp, out, name="dot")


def depthwise_separable_1d():
    # DepthwiseConv1D (depth multiplier, no bias) and SeparableConv1D (same padding, stride)
    return keras.Sequential([
        keras.Input((11, 3)),
        L.DepthwiseConv1D(3, depth_multiplier=2, activation="relu", name="dw"),
        L.SeparableConv1D(5, 3, strides=2, padding="same", name="sep"),
        L.DepthwiseConv1D(2, use_bias=False, name="dw_nobias"),
        L.Flatten(name="flat"),
        L.Dense(2, name="out"),
    ], name="depthwise_separable_1d")


BUILDERS = [mlp_relu, mlp_activations, mlp_leaky, conv1d_pool_bn, conv2d_pool_bn,
            conv2d_strided_same, global_pools, reshape_flatten, functional_add_concat,
            functional_conv_residual, multi_output, concat_axis1_conv1d, spatial_2d, spatial_1d,
            depthwise_separable, merges, table_activations, recurrent, prelu, permute, dot,
            depthwise_separable_1d]


def randomise(model, seed):
    """Give every weight seeded values (BatchNorm variances positive) so tests can check them."""
    rng = np.random.default_rng(seed)
    for layer in model.layers:
        ws = layer.get_weights()
        if not ws:
            continue
        new = []
        for v, w in zip(layer.weights, ws):
            vals = rng.normal(0.0, 0.5, size=w.shape).astype(np.float32)
            if "variance" in v.name:
                vals = np.abs(vals) + 0.5
            new.append(vals)
        layer.set_weights(new)


def weight_name(layer, v):
    """A weight's Keras name; a Bidirectional layer's two directions both name theirs `kernel`,
    ..., so they are told apart by the direction's layer in the variable's path
    (`.../forward_lstm/lstm_cell/kernel` -> `forward_kernel`), as presynth names them."""
    if isinstance(layer, keras.layers.Bidirectional):
        for d in ("forward", "backward"):
            if f"/{d}_" in v.path:
                return f"{d}_{v.name}"
    return v.name


def expected(model):
    layers = []
    for layer in model.layers:
        out = layer.output
        shapes = [list(t.shape[1:]) for t in (out if isinstance(out, (list, tuple)) else [out])]
        weights = []
        for v in layer.weights:
            a = np.asarray(v.numpy(), dtype=np.float64).ravel()
            weights.append({
                "name": weight_name(layer, v),
                "shape": list(v.shape),
                "first": [float(x) for x in a[:3]],
                "last": float(a[-1]),
                "sum": float(a.sum()),
            })
        layers.append({
            "name": layer.name,
            "class_name": layer.__class__.__name__,
            "output_shape": shapes[0],
            "params": int(layer.count_params()),
            "weights": weights,
        })
    return {
        "name": model.name,
        "keras_version": keras.__version__,
        "count_params": int(model.count_params()),
        "inputs": [t.name if hasattr(t, "name") else None for t in model.inputs],
        "input_shapes": [list(t.shape[1:]) for t in model.inputs],
        "outputs": [list(t.shape[1:]) for t in model.outputs],
        "layers": layers,
    }


def main():
    os.makedirs(OUT, exist_ok=True)
    for seed, build in enumerate(BUILDERS):
        keras.utils.set_random_seed(seed)
        model = build()
        randomise(model, 1000 + seed)
        name = model.name
        base = os.path.join(OUT, name)
        model.save(base + ".keras")
        with open(base + ".json", "w") as f:
            f.write(model.to_json())
        with open(base + ".expected.json", "w") as f:
            json.dump(expected(model), f, indent=1)
            f.write("\n")
        if name in H5_TOO:
            model.save(base + ".h5")
        print(f"{name}: {model.count_params()} parameters")


if __name__ == "__main__":
    main()
