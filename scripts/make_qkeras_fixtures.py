#!/usr/bin/env python3
"""Regenerate the QKeras part of tests/fixtures/hls4ml-configs (hls4ml 1.3.0 + QKeras 0.9.0).

The Keras 3 and ONNX parts are written by scripts/make_hls4ml_configs.py in .venv; QKeras models
load only with QKeras, which needs tf.keras 2 (TensorFlow 2.14), so this part runs in
.venv-qkeras (scripts/setup-qkeras.sh):

    TF_CPP_MIN_LOG_LEVEL=3 .venv-qkeras/bin/python scripts/make_qkeras_fixtures.py [OUT]

For every QKeras example in examples/hls4ml-examples/keras (`qkeras_*.json` + `_weights.h5`) it
loads the model with QKeras and writes

  configs/<model>_<granularity>.yml   hls4ml.utils.config_from_keras_model(model,
                                       granularity=<model|type|name>, backend='Vitis'),
                                       dumped with yaml.safe_dump as a user saves it
  qkeras_expected.json "count_params"  {model: QKeras/tf.keras count_params()}

and, for the Keras 3 file `qkeras-v3_3layer.keras` (written by the qkeras-v3 package for Keras 3,
which neither venv has), `"keras3_weights_h5_params"`: the element count of every dataset in the
archive's model.weights.h5, counted with h5py (the weights Keras 3 saved, i.e. its
count_params(); no presynth code involved).
"""

import json
import os
import sys
import warnings
import zipfile
from pathlib import Path

os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '3')
warnings.filterwarnings('ignore')

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / 'examples' / 'hls4ml-examples' / 'keras'
OUT = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / 'tests' / 'fixtures' / 'hls4ml-configs'
GRANULARITIES = ['model', 'type', 'name']


def h5_params(path):
    import h5py

    n = 0

    def visit(_name, obj):
        nonlocal n
        if isinstance(obj, h5py.Dataset):
            n += int(obj.size)

    with h5py.File(path, 'r') as f:
        f.visititems(visit)
    return n


def main():
    import importlib.metadata as md
    import tempfile

    import tensorflow as tf
    import yaml
    from qkeras.utils import _add_supported_quantized_objects

    import hls4ml

    tf.get_logger().setLevel('ERROR')
    co = {}
    _add_supported_quantized_objects(co)
    (OUT / 'configs').mkdir(parents=True, exist_ok=True)
    counts = {}
    for js in sorted(EXAMPLES.glob('qkeras_*.json')):
        name = js.stem
        model = tf.keras.models.model_from_json(js.read_text(), custom_objects=co)
        model.load_weights(str(EXAMPLES / f'{name}_weights.h5'))
        counts[name] = int(model.count_params())
        for g in GRANULARITIES:
            cfg = hls4ml.utils.config_from_keras_model(model, granularity=g, backend='Vitis')
            with open(OUT / 'configs' / f'{name}_{g}.yml', 'w') as f:
                yaml.safe_dump(cfg, f, sort_keys=False)
        print(name, counts[name], flush=True)
    k3 = {}
    for kf in sorted(EXAMPLES.glob('*.keras')):
        with zipfile.ZipFile(kf) as z, tempfile.TemporaryDirectory() as tmp:
            z.extract('model.weights.h5', tmp)
            k3[kf.stem] = h5_params(os.path.join(tmp, 'model.weights.h5'))
        print(kf.stem, k3[kf.stem], flush=True)
    expected = {
        'count_params': counts,
        'keras3_weights_h5_params': k3,
        'hls4ml': hls4ml.__version__,
        'qkeras': md.version('qkeras'),
        'tensorflow': tf.__version__,
    }
    with open(OUT / 'qkeras_expected.json', 'w') as f:
        json.dump(expected, f, indent=1)
        f.write('\n')


if __name__ == '__main__':
    main()
