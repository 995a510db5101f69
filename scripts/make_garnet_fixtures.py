#!/usr/bin/env python3
"""GarNet / GarNetStack fixtures (hls4ml's contrib layers) with tf.keras's own truth.

hls4ml 1.3.0 converts GarNet and GarNetStack only through its tf.keras (Keras 2) converter
(`converters/keras/graph.py`), and `hls4ml.contrib.garnet` imports `tensorflow.keras` and QKeras,
so this script runs in `.venv-qkeras` (TensorFlow 2.14, QKeras 0.9.0, hls4ml 1.3.0):

    TF_CPP_MIN_LOG_LEVEL=3 .venv-qkeras/bin/python scripts/make_garnet_fixtures.py

For every network it writes, under frontends/tests/fixtures/garnet/:
  NAME.h5             the legacy full-model file (`model.save('NAME.h5')`, the custom class
                      saved by name, as hls4ml users save it);
  NAME.json           `model.to_json()`;
  NAME.weights.h5     `model.save_weights(...)` (the legacy weights layout);
  NAME.expected.json  tf.keras's truth: `count_params()`, each layer's output shape (batch axis
                      dropped), `count_params()` and weights (name, shape, first values).
Seeds are fixed (tf.random.set_seed(position)); rerunning rewrites identical values.
"""

import json
import os
import sys
from pathlib import Path

os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '3')

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from tensorflow import keras  # noqa: E402

from hls4ml.contrib.garnet import GarNet, GarNetStack  # noqa: E402

OUT = Path(__file__).resolve().parent.parent / 'frontends' / 'tests' / 'fixtures' / 'garnet'


def inputs(n_vert, n_feat):
    x = keras.Input(shape=(n_vert, n_feat), name='x')
    n = keras.Input(shape=(1,), dtype='uint16', name='n')
    return x, n


def garnet_mean():
    # collapse='mean' (hls4ml's collapse_mean), the form of hls4ml's own GarNet tests
    x, n = inputs(16, 3)
    y = GarNet(4, 5, 3, simplified=True, collapse='mean', input_format='xn', output_activation=None,
               name='gar_1')([x, n])
    return keras.Model([x, n], y, name='garnet_mean')


def garnet_vertices():
    # no collapse: one output row per vertex; mean_by_nvert; then a Dense on the features
    x, n = inputs(8, 4)
    y = GarNet(2, 3, 4, simplified=True, collapse=None, input_format='xn', output_activation=None,
               mean_by_nvert=True, name='gar_v')([x, n])
    y = keras.layers.Dense(2, name='fc')(y)
    return keras.Model([x, n], y, name='garnet_vertices')


def garnet_stack():
    # GarNetStack builds QDense transforms whenever quantize_transforms is not None
    # (contrib/garnet.py), which then need total_bits; None is its plain-Dense form
    x, n = inputs(16, 3)
    y = GarNetStack([4, 2], [4, 5], [3, 3], simplified=True, collapse='mean', input_format='xn',
                    output_activation=None, quantize_transforms=None, name='gst')([x, n])
    return keras.Model([x, n], y, name='garnet_stack')


BUILDERS = [garnet_mean, garnet_vertices, garnet_stack]


def randomize(model, seed):
    # Keras zero-initialises biases; give every weight seeded non-zero values so that a reader
    # that mixes up kernel and bias (or FLR and Fout) fails
    rng = np.random.default_rng(seed)
    for w in model.weights:
        w.assign(rng.uniform(-1.0, 1.0, size=w.shape).astype('float32'))


def shape_of(t):
    return [int(d) for d in t.shape[1:]]


def expected(model):
    layers = []
    for layer in model.layers:
        outs = layer.output if isinstance(layer.output, list) else [layer.output]
        layers.append(
            dict(
                name=layer.name,
                class_name=type(layer).__name__,
                output_shape=shape_of(outs[0]),
                params=int(layer.count_params()),
                weights=[
                    dict(
                        name=w.name.split('/', 1)[1].rsplit(':', 1)[0],
                        shape=[int(d) for d in w.shape],
                        first=[float(v) for v in w.numpy().reshape(-1)[:3]],
                    )
                    for w in layer.weights
                ],
            )
        )
    return dict(
        name=model.name,
        tensorflow_version=tf.__version__,
        count_params=int(model.count_params()),
        input_shapes=[shape_of(t) for t in model.inputs],
        layers=layers,
    )


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    for seed, build in enumerate(BUILDERS):
        tf.random.set_seed(seed)
        model = build()
        randomize(model, seed)
        name = model.name
        model.save(OUT / f'{name}.h5')
        (OUT / f'{name}.json').write_text(model.to_json())
        model.save_weights(OUT / f'{name}.weights.h5')
        (OUT / f'{name}.expected.json').write_text(json.dumps(expected(model), indent=1) + '\n')
        print(name, model.count_params(), file=sys.stderr)


if __name__ == '__main__':
    main()
