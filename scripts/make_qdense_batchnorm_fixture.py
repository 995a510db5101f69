#!/usr/bin/env python3
"""Fixture for QKeras's QDenseBatchnorm: frontends/tests/fixtures/qkeras/qdense_batchnorm.{h5,json}.

QDenseBatchnorm is in no QKeras release (0.9.0, the last, lacks it): it lives on a branch of
google/qkeras (commit b601b5451eff778b3ac9882672dcb7cf8eda415b, `qkeras/qdense_batchnorm.py`,
"included weight transpose", 2022-01-25). Run in `.venv-qkeras` (TensorFlow 2.14, QKeras 0.9.0,
hls4ml 1.3.0) with that file's directory given:

    .venv-qkeras/bin/python scripts/make_qdense_batchnorm_fixture.py --qkeras-branch-dir DIR

where DIR holds that commit's `qdense_batchnorm.py` (e.g. `git show b601b54:qkeras/qdense_batchnorm.py`).
It writes
  - `qdense_batchnorm.h5`: Input(6) -> QDenseBatchnorm(4, quantized_bits(6,0,alpha=1) kernel and
    bias quantizers, seeded weights and statistics) -> QActivation(quantized_relu(6,2)), saved by
    tf.keras as a legacy full-model .h5;
  - `qdense_batchnorm.json`: QKeras's own inference of the QDenseBatchnorm layer (a model ending
    at it, `predict`, inference mode: the moving statistics folded and the folded kernel and bias
    quantised) on the zero vector, the six unit vectors and four seeded vectors, and the error
    hls4ml 1.3.0 raises on the model (`config_from_keras_model`).
"""

import argparse
import json
import os
import sys
from pathlib import Path

os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '3')

OUT = Path(__file__).resolve().parent.parent / 'frontends' / 'tests' / 'fixtures' / 'qkeras'


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--qkeras-branch-dir', required=True)
    args = ap.parse_args()
    sys.path.insert(0, args.qkeras_branch_dir)
    import numpy as np
    import tensorflow as tf
    from qdense_batchnorm import QDenseBatchnorm
    from qkeras import QActivation, quantized_bits

    import hls4ml

    rng = np.random.default_rng(20261207)
    inp = tf.keras.Input((6,), name='input_layer')
    q = quantized_bits(6, 0, alpha=1)
    dbn = QDenseBatchnorm(4, kernel_quantizer=q, bias_quantizer=quantized_bits(6, 0, alpha=1), name='dbn1')
    x = dbn(inp)
    out = QActivation('quantized_relu(6,2)', name='relu1')(x)
    model = tf.keras.Model(inp, out)
    ws = []
    for v in dbn.weights:
        shape = tuple(v.shape)
        if 'iteration' in v.name:
            ws.append(np.array(-1, dtype='int64'))
        elif 'moving_variance' in v.name:
            ws.append(rng.uniform(0.2, 1.5, shape).astype('float32'))
        elif 'gamma' in v.name:
            ws.append(rng.uniform(0.5, 1.5, shape).astype('float32'))
        else:
            ws.append(rng.uniform(-1.0, 1.0, shape).astype('float32'))
    dbn.set_weights(ws)
    OUT.mkdir(parents=True, exist_ok=True)
    model.save(str(OUT / 'qdense_batchnorm.h5'))

    inputs = np.concatenate([np.zeros((1, 6)), np.eye(6), rng.uniform(-2, 2, (4, 6))]).astype('float32')
    layer_out = tf.keras.Model(inp, x).predict(inputs, verbose=0)
    try:
        hls4ml.utils.config_from_keras_model(model, granularity='model', backend='Vitis')
        hls4ml_error = None
    except Exception as e:  # noqa: BLE001 - the message is the fixture
        hls4ml_error = str(e)
    import importlib.metadata as md

    doc = dict(
        made_by='scripts/make_qdense_batchnorm_fixture.py',
        versions={p: md.version(p) for p in ('tensorflow-cpu', 'qkeras', 'hls4ml')},
        qdense_batchnorm='google/qkeras b601b5451eff778b3ac9882672dcb7cf8eda415b qkeras/qdense_batchnorm.py',
        layer='dbn1',
        inputs=inputs.tolist(),
        outputs=layer_out.astype('float64').tolist(),
        hls4ml_error=hls4ml_error,
    )
    (OUT / 'qdense_batchnorm.json').write_text(json.dumps(doc, indent=1) + '\n')
    print(json.dumps(dict(hls4ml_error=hls4ml_error, outputs0=doc['outputs'][0])))
    return 0


if __name__ == '__main__':
    sys.exit(main())
