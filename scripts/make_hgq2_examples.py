#!/usr/bin/env python3
"""Write the HGQ2 transformer examples in examples/transformer/ (hgq2 0.1.6, Keras 3).

Run: KERAS_BACKEND=jax JAX_PLATFORMS=cpu .venv/bin/python scripts/make_hgq2_examples.py

For each model NAME (seeded), in the format of scripts/make_transformer_examples.py:
  NAME.keras           the archive; its config.json has Python's `Infinity` (HGQ2's default
                       `i_decay_speed` of weight quantizers), which strict JSON rejects
  NAME.json            model.to_json()
  NAME.expected.json   Keras's truth: count_params() (which counts every quantizer's bit-width
                       variables and each layer's beta/ebops), per-layer output shapes and
                       count_params(), and the first/last/sum of the layer weights presynth keeps
                       (kernels, biases, LayerNorm gamma/beta; not the quantizer state).

Only kernels and biases get seeded values (normal(0, 0.5)); the quantizers keep HGQ2's initial
bit widths (datalane kif: i=4, f=2 per element; weights kbi: b=4, i=2), as an untrained model has.

The network is the issue-15 encoder block in HGQ2 layers: QDense embedding of 16 features ->
QMultiHeadAttention (2 heads of 8) -> QAdd -> LayerNormalization -> QEinsumDense FFN (32, relu) ->
QEinsumDense (16) -> QAdd -> LayerNormalization -> QGlobalAveragePooling1D -> QDense head ->
QSoftmax; seq 8, d_model 16. HGQ2 0.1.6 has no quantized LayerNormalization, so the block uses
Keras's (axis=2, the one axis hls4ml 1.3.0's parser takes). The QEinsumDense output shapes are
given in full: HGQ2's per-element quantizers need a known sequence length.
"""

import os
import sys

import keras
import numpy as np
from hgq.config import LayerConfigScope, QuantizerConfigScope
from hgq.layers import (QAdd, QDense, QEinsumDense, QGlobalAveragePooling1D,
                        QMultiHeadAttention, QSoftmax)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_transformer_examples import save_example  # noqa: E402


def hgq2_encoder(with_layernorm=True, name="hgq2_encoder"):
    x_in = keras.Input((8, 16), name="features")
    with QuantizerConfigScope(place="all", default_q_type="kbi", overflow_mode="SAT_SYM"), \
            QuantizerConfigScope(place="datalane", default_q_type="kif", overflow_mode="WRAP"), \
            LayerConfigScope(enable_ebops=True, beta0=1e-5):
        x = QDense(16, name="proj")(x_in)
        a = QMultiHeadAttention(num_heads=2, key_dim=8, name="mha")(x, x)
        x = QAdd(name="res1")([x, a])
        if with_layernorm:
            x = keras.layers.LayerNormalization(axis=2, epsilon=1e-3, name="ln1")(x)
        f = QEinsumDense("abc,cd->abd", output_shape=(8, 32), bias_axes="d",
                         activation="relu", name="ffn1")(x)
        f = QEinsumDense("abc,cd->abd", output_shape=(8, 16), bias_axes="d", name="ffn2")(f)
        x = QAdd(name="res2")([x, f])
        if with_layernorm:
            x = keras.layers.LayerNormalization(axis=2, epsilon=1e-3, name="ln2")(x)
        x = QGlobalAveragePooling1D(name="pool")(x)
        x = QDense(4, name="head")(x)
        out = QSoftmax(name="prob")(x)
    return keras.Model(x_in, out, name=name)


def is_hgq2(layer):
    return type(layer).__module__.startswith("hgq.")


def kept(layer, v):
    """The variables presynth keeps as layer weights: all of a Keras layer's; an HGQ2 layer's
    kernels and biases (its quantizer variables and scalar beta/ebops are quantizer state)."""
    if not is_hgq2(layer):
        return True
    return v.name in ("kernel", "bias") and len(v.shape) > 0


def randomise(model, seed):
    rng = np.random.default_rng(seed)
    for layer in model.layers:
        for v in layer.weights:
            if v.name in ("kernel", "bias") and len(v.shape) > 0:
                v.assign(rng.normal(0.0, 0.5, size=v.shape).astype(np.float32))


def main():
    keras.utils.set_random_seed(15)
    model = hgq2_encoder()
    randomise(model, 3015)
    save_example(model, kept)


if __name__ == "__main__":
    main()
