#!/usr/bin/env python3
"""QKeras models whose hls4ml 1.3.0 project computes something else than QKeras: the evidence
behind presynth's NotInHls4ml refusals of them (run in .venv-qkeras: TensorFlow 2.14, QKeras
0.9.0, hls4ml 1.3.0).

    .venv-qkeras/bin/python scripts/qkeras_hls4ml_faults.py [--out DIR]

For each case it builds the model with seeded weights, converts it with hls4ml
(granularity='model', Vitis, io_parallel), compiles it (g++, hls4ml's own `compile`), and
prints the largest difference between hls4ml's C simulation and QKeras's `predict` on seeded
inputs, next to the same model in the form hls4ml converts correctly (the control). Exit
status 1 when a fault no longer shows (the control within 0.05 and the fault beyond 0.5), so
the refusal can be revisited.

Cases:
  qconv2d_bn_nobias: QConv2DBatchnorm(use_bias=False), with and without a bias quantizer.
      hls4ml's Conv2D.initialize gives the absent bias its zero-bias type ap_uint<1>;
      Conv2DBatchnorm.initialize then writes the folded bias (beta - mean * gamma /
      sqrt(var + eps)) quantised into that 1-bit type, or leaves it zero without a bias
      quantizer. Control: use_bias=True. (presynth: lower/src/kinds/product.rs)
"""

import argparse
import os
import sys
import tempfile
import warnings

os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '3')
warnings.filterwarnings('ignore')


def qconv2d_bn(use_bias, bias_quantizer, seed):
    import numpy as np
    import tensorflow as tf
    from qkeras import QConv2DBatchnorm, quantized_bits

    inp = tf.keras.Input((6, 6, 2))
    lay = QConv2DBatchnorm(
        3,
        (3, 3),
        use_bias=use_bias,
        kernel_quantizer=quantized_bits(6, 0, alpha=1),
        bias_quantizer=quantized_bits(6, 0, alpha=1) if bias_quantizer else None,
        name='cbn1',
    )
    model = tf.keras.Model(inp, lay(inp))
    rng = np.random.default_rng(seed)
    ws = []
    for w in model.weights:
        v = rng.uniform(-1.5, 1.5, w.shape).astype('float32')
        if 'moving_variance' in w.name:
            v = np.abs(v) + 0.1
        ws.append(v.astype(w.dtype.as_numpy_dtype))
    model.set_weights(ws)
    return model


def max_diff(model, out_dir, seed):
    import hls4ml
    import numpy as np

    cfg = hls4ml.utils.config_from_keras_model(model, granularity='model')
    h = hls4ml.converters.convert_from_keras_model(model, hls_config=cfg, output_dir=out_dir, backend='Vitis')
    h.compile()
    x = np.random.default_rng(seed + 1).uniform(-2, 2, (40,) + tuple(model.input_shape[1:])).astype('float32')
    yk = model.predict(x, verbose=0).reshape(len(x), -1)
    yh = np.asarray(h.predict(x)).reshape(len(x), -1)
    bias = h.graph['cbn1'].weights['bias']
    return float(np.abs(yk - yh).max()), str(bias.type.precision)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--out', default=None, help='where the hls4ml projects go (default: a temporary directory)')
    args = ap.parse_args()
    out = args.out or tempfile.mkdtemp(prefix='qkeras-faults-')
    rows = []
    for name, use_bias, bq in [
        ('control use_bias=True', True, True),
        ('use_bias=False, bias quantizer', False, True),
        ('use_bias=False, no bias quantizer', False, False),
    ]:
        d, t = max_diff(qconv2d_bn(use_bias, bq, 0), os.path.join(out, name.replace(' ', '_').replace(',', '')), 0)
        rows.append((name, d, t))
        print(f'qconv2d_bn_nobias  {name:36s} bias type {t:28s} max |hls4ml - QKeras| = {d:.4f}')
    control_ok = rows[0][1] < 0.05
    faults_show = all(d > 0.5 for _, d, _ in rows[1:])
    if not (control_ok and faults_show):
        print('the fault no longer shows as recorded: revisit the refusal')
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
