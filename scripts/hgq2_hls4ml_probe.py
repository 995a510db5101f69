#!/usr/bin/env python3
"""Which HGQ2 encoder blocks hls4ml 1.3.0 converts, under the Keras this Python has.

Run with the project venv (Keras 3.15) or with another Keras 3 in a side venv that reuses the
project's packages, e.g. (not committed, not needed by the tests):

    .venv/bin/python -m venv target/venv-k312
    echo "$PWD/.venv/lib/python3.11/site-packages" > target/venv-k312/lib/python3.11/site-packages/zz.pth
    target/venv-k312/bin/pip install --no-deps keras==3.12.0
    KERAS_BACKEND=jax JAX_PLATFORMS=cpu target/venv-k312/bin/python scripts/hgq2_hls4ml_probe.py

For each block (scripts/make_hgq2_examples.py's encoder with and without its two
LayerNormalizations) it prints CONVERTED or the exception hls4ml raised. Measured with hgq2
0.1.6 and hls4ml 1.3.0 (Vitis, io_parallel):
  Keras 3.15.1: both fail: AttributeError 'QEinsumDense' object has no attribute
                'full_output_shape' (hls4ml's HGQ2 attention handler reads it; Keras 3.15 no
                longer sets it)
  Keras 3.12.0 and 3.10.0: without LayerNorm: CONVERTED; with LayerNorm: NotImplementedError
                No implementation of produce_kif for LayerNormalization (hls4ml's HGQ2 bit-exact
                pass, model/optimizer/passes/bit_exact.py, has no rule for it; HGQ2 0.1.6 has no
                quantized LayerNormalization; setting BitExact False does not avoid it)
"""

import os
import sys
import tempfile
import traceback

os.environ.setdefault('KERAS_BACKEND', 'jax')
os.environ.setdefault('JAX_PLATFORMS', 'cpu')

import hls4ml  # noqa: E402
import keras  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_hgq2_examples import hgq2_encoder  # noqa: E402


def main():
    print(f'keras {keras.__version__}, hls4ml {hls4ml.__version__}')
    for with_ln in (True, False):
        keras.utils.set_random_seed(15)
        model = hgq2_encoder(with_layernorm=with_ln, name=f'hgq2_encoder_ln{int(with_ln)}')
        with tempfile.TemporaryDirectory() as d:
            try:
                hls4ml.converters.convert_from_keras_model(
                    model, output_dir=d, backend='Vitis', io_type='io_parallel',
                    hls_config={'Model': {'Precision': 'fixed<16,6>', 'ReuseFactor': 1}},
                )
                print(f'{model.name}: CONVERTED')
            except Exception as e:  # noqa: BLE001 (the probe reports whatever hls4ml raises)
                last = traceback.extract_tb(e.__traceback__)[-1]
                print(f'{model.name}: {type(e).__name__}: {e} ({os.path.basename(last.filename)}:{last.lineno})')


if __name__ == '__main__':
    main()
