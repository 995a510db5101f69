#!/usr/bin/env python3
"""QKeras cross-check: presynth codegen against hls4ml 1.3.0 on hls4ml's example QKeras models.

hls4ml converts QKeras models only with QKeras itself, which needs TensorFlow <= 2.14 (Keras 2):
too heavy for scripts/setup-python.sh and CI, so this check runs by hand in its own venv:

    python3 -m venv .venv-tf
    .venv-tf/bin/pip install "tensorflow-cpu==2.14.1" qkeras pyparsing "hls4ml==1.3.0"
    TF_CPP_MIN_LOG_LEVEL=3 .venv-tf/bin/python scripts/qkeras_reference.py --presynth target/debug/presynth

For each model it loads the example's JSON and weights with QKeras, converts it with
``config_from_keras_model(granularity='model')`` + ``convert_from_keras_model`` (Vitis,
io_parallel), runs ``presynth codegen`` on the same files, compiles both projects with the
bit-exact harness's driver (scripts/hls4ml_reference.py) and compares the outputs on seeded
inputs. Generated texts are listed (layer numbering and weight-type names still differ).

Exit status: 0 when every model's outputs are bit-identical, 1 otherwise.
"""

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import hls4ml_reference as ref  # noqa: E402

EXAMPLES = HERE.parent / 'examples' / 'hls4ml-examples' / 'keras'
# qkeras_mnist_dense is left out: its quantized_po2 kernel needs hls4ml's exponent weight type,
# which presynth's codegen does not write.
MODELS = ['qkeras_3layer']


def check(name, presynth, out_root):
    import numpy as np
    import tensorflow as tf
    from qkeras.utils import _add_supported_quantized_objects

    import hls4ml

    d = Path(out_root) / name
    shutil.rmtree(d, ignore_errors=True)
    d.mkdir(parents=True)
    co = {}
    _add_supported_quantized_objects(co)
    model = tf.keras.models.model_from_json((EXAMPLES / f'{name}.json').read_text(), custom_objects=co)
    model.load_weights(str(EXAMPLES / f'{name}_weights.h5'))
    cfg = hls4ml.utils.config_from_keras_model(model, granularity='model', backend='Vitis')
    hm = hls4ml.converters.convert_from_keras_model(
        model, output_dir=str(d / 'hls4ml'), backend='Vitis', io_type='io_parallel', hls_config=cfg
    )
    hm.write()
    n_in = ref.write_inputs_shape(d / 'inputs.dat', model.input_shape[1:], 7)
    n_out = int(np.prod(model.output_shape[1:]))
    want = ref.compile_and_run(d / 'hls4ml', 'io_parallel', n_in, n_out, d / 'inputs.dat')
    cmd = [str(presynth), 'codegen', str(EXAMPLES / f'{name}.json'), '-o', str(d / 'presynth')]
    cmd += ['--backend', 'Vitis', '--io-type', 'io_parallel', '--precision', 'ap_fixed<16,6>']
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode:
        print(f'{name}: presynth codegen failed:\n{r.stderr}')
        return False
    got = ref.compile_and_run(d / 'presynth', 'io_parallel', n_in, n_out, d / 'inputs.dat')
    same = got == want
    print(f'{name}: outputs {"bit-identical" if same else "DIFFERENT"} on {ref.N_SAMPLES} samples')
    if not same:
        print(f'  hls4ml   {want.splitlines()[0][:150]}\n  presynth {got.splitlines()[0][:150]}')
    for f, diff in ref.compare_texts(d / 'hls4ml', d / 'presynth')[:5]:
        print(f'  (text) {f}: {diff[:200]}')
    return same


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--presynth', required=True)
    ap.add_argument('--out', default=str(HERE.parent / 'target' / 'qkeras-ref'))
    args = ap.parse_args()
    os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '3')
    ok = all([check(m, args.presynth, args.out) for m in MODELS])
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
