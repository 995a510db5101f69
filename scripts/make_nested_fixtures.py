#!/usr/bin/env python3
"""Keras models holding other models (nested Sequential/Functional) or wrapping a layer
(TimeDistributed), saved in every format presynth's Keras frontend reads, with Keras's own truth
beside them.

Writes, under frontends/tests/fixtures/keras/nested/ (or the folder given as the first argument),
for every model NAME and the Keras that runs this script (PREFIX k3 for Keras 3, k2 for tf.keras 2):

  PREFIX_NAME.keras             the .keras archive
  PREFIX_NAME.json              model.to_json()
  PREFIX_NAME.weights.h5        save_weights (Keras 3 layout; tf.keras 2: legacy layout, PREFIX_NAME_weights.h5)
  PREFIX_NAME.h5                legacy full-model HDF5 (model.save('x.h5'))
  PREFIX_NAME.expected.json     count_params() and, per layer that is not a model nor an
                                InputLayer (nested ones included), its name, output shape,
                                count_params() and the first values of each weight

Run with both Keras versions:
    KERAS_BACKEND=jax JAX_PLATFORMS=cpu .venv/bin/python scripts/make_nested_fixtures.py
    TF_CPP_MIN_LOG_LEVEL=3 .venv-qkeras/bin/python scripts/make_nested_fixtures.py
(made with Keras 3.15.1 / JAX and TensorFlow 2.14.1 / tf.keras 2.14.0). Seeded: re-running gives
the same architectures and weights.
"""

import json
import os
import sys
import warnings

os.environ.setdefault('KERAS_BACKEND', 'jax')
os.environ.setdefault('JAX_PLATFORMS', 'cpu')
os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '3')
warnings.filterwarnings('ignore')

import numpy as np  # noqa: E402

try:
    import keras  # noqa: E402

    K3 = keras.__version__ >= '3'
except ImportError:
    K3 = False
if K3:
    VERSION = keras.__version__
else:
    import tensorflow as tf  # noqa: E402
    from tensorflow import keras  # noqa: E402,F811

    VERSION = f'tf.keras (TensorFlow {tf.__version__})'

L = keras.layers
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    os.path.dirname(os.path.abspath(__file__)), '..', 'frontends', 'tests', 'fixtures', 'keras', 'nested'
)
PREFIX = 'k3' if K3 else 'k2'


def seq_in_seq():
    # a Sequential model holding a Sequential one
    inner = keras.Sequential(
        [L.InputLayer((8,), name='inner_input'), L.Dense(8, activation='relu', name='inner_fc'), L.Dense(5, name='inner_plain')], name='inner'
    )
    return keras.Sequential(
        [L.InputLayer((6,), name='input_layer'), L.Dense(8, activation='relu', name='fc1'), inner, L.Dense(3, name='out')], name='seq_in_seq'
    )


def func_in_func():
    # a Functional model holding a Functional one, which holds a Sequential one (two levels)
    deep = keras.Sequential([L.InputLayer((5,), name='deep_input'), L.Dense(4, name='deep_fc')], name='deep')
    si = keras.Input((4, 4), name='sub_in')
    y = L.Flatten(name='sub_flat')(si)
    y = L.Dense(5, activation='relu', name='sub_fc')(y)
    y = deep(y)
    sub = keras.Model(si, y, name='sub')
    x = keras.Input((6, 3), name='x')
    h = L.Conv1D(4, 3, name='conv')(x)
    out = L.Dense(2, name='out')(sub(h))
    return keras.Model(x, out, name='func_in_func')


def shared():
    # one sub-model called twice (refused: hls4ml's tf.keras converter reads only its first call)
    si = keras.Input((4,), name='sh_in')
    sub = keras.Model(si, L.Dense(4, name='sh_fc')(si), name='sh')
    x = keras.Input((4,), name='x')
    out = L.Dense(2, name='out')(sub(sub(x)))
    return keras.Model(x, out, name='shared')


def td_dense():
    # TimeDistributed(Dense(4, relu)) over (5, 3), then a Dense over the positions
    x = keras.Input((5, 3), name='x')
    h = L.TimeDistributed(L.Dense(4, activation='relu', name='td_fc'), name='td')(x)
    return keras.Model(x, L.Dense(2, name='out')(h), name='td_dense')


def td_conv1d():
    # TimeDistributed(Conv1D(3, 3)) over (4, 6, 2): one step is a (6, 2) sequence
    x = keras.Input((4, 6, 2), name='x')
    h = L.TimeDistributed(L.Conv1D(3, 3, name='td_conv'), name='td')(x)
    h = L.Flatten(name='flat')(h)
    return keras.Model(x, L.Dense(2, name='out')(h), name='td_conv1d')


BUILDERS = [seq_in_seq, func_in_func, shared, td_dense, td_conv1d]


def leaves(model):
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            yield from leaves(layer)
        elif not isinstance(layer, L.InputLayer):
            yield layer


def randomise(model, seed):
    rng = np.random.default_rng(seed)
    model.set_weights([rng.normal(0.0, 0.5, size=w.shape).astype(np.float32) for w in model.get_weights()])


def expected(model):
    layers = []
    for layer in leaves(model):
        weights = []
        for v, w in zip(layer.weights, layer.get_weights()):
            a = np.asarray(w, dtype=np.float64).ravel()
            name = v.name.split('/')[-1].split(':')[0]
            weights.append({'name': name, 'shape': list(w.shape), 'first': [float(x) for x in a[:3]], 'sum': float(a.sum())})
        layers.append(
            {
                'name': layer.name,
                'class_name': layer.__class__.__name__,
                'output_shape': list(layer.output.shape[1:]),
                'params': int(layer.count_params()),
                'weights': weights,
            }
        )
    return {'name': model.name, 'keras_version': VERSION, 'count_params': int(model.count_params()), 'layers': layers}


def main():
    os.makedirs(OUT, exist_ok=True)
    for seed, build in enumerate(BUILDERS):
        keras.utils.set_random_seed(seed)
        model = build()
        randomise(model, 2000 + seed)
        base = os.path.join(OUT, f'{PREFIX}_{model.name}')
        model.save(base + '.keras')
        model.save(base + '.h5')
        with open(base + '.json', 'w') as f:
            f.write(model.to_json())
        model.save_weights(base + ('.weights.h5' if K3 else '_weights.h5'))
        with open(base + '.expected.json', 'w') as f:
            json.dump(expected(model), f, indent=1)
            f.write('\n')
        print(f'{PREFIX}_{model.name}: {model.count_params()} parameters')


if __name__ == '__main__':
    main()
