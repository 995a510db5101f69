#!/usr/bin/env python3
"""Golden fixtures: what hls4ml 1.3.0 writes and computes for small HGQ1 proxy models.

HGQ1 (pip `HGQ`, calad0i/HGQ 0.2.x, tf.keras 2) trains `HDense`/`HQuantize`/... layers and
exports a "proxy model" (`HGQ.to_proxy_model`): plain Keras layers with HGQ's
`FixedPointQuantizer` layers between them, whose `keep_negative`, `bits` and `integers`
variables hold the per-element fixed-point format of each tensor. hls4ml converts such models
with its Keras 2 parser (`converters/keras/hgq_proxy_model.py`) and its bit-exact flow.

presynth's reader is checked against these files in CI without this script's venv. Run it in
a side venv with TensorFlow 2.14 and HGQ 0.2.6 (HGQ's wheel asks for `tensorflow`, hence
--no-deps; the constraints keep pip from backtracking):

    python3.11 -m venv /work/venvs/hgq1
    /work/venvs/hgq1/bin/pip install -c scripts/qkeras-constraints.txt tensorflow-cpu==2.14.1 hls4ml==1.3.0
    /work/venvs/hgq1/bin/pip install --no-deps HGQ==0.2.6
    /work/venvs/hgq1/bin/python scripts/hgq1_hls4ml_reference.py

For each case NAME it writes tests/fixtures/hgq1/NAME/:
  model.keras     the proxy model (tf.keras 2.14 `.keras`), as HGQ's to_proxy_model makes it
                  from a seeded HGQ model whose bit widths are drawn per element
  inputs.txt      N_SAMPLES rows of inputs, one sample a line
  hls4ml.out.txt  hls4ml's project compiled with g++ and scripts/hls4ml_reference.py's driver
                  (HARNESS_TB: every output element as the exact double of its ap_fixed value)
  keras.out.txt   the proxy model's float32 Keras output of the same inputs
  firmware/       hls4ml's myproject.cpp, parameters.h, defines.h, weights/*.{h,txt} and the part of
                  nnet_utils/nnet_code_gen.h hls4ml generates (the per-element quantizer functions)
  hls4ml_config.yml  the project's config as hls4ml wrote it
  state.json      each FixedPointQuantizer's state read from the model by HGQ (not by hls4ml):
                  modes, fusible, stored shape, per-element keep_negative/bits/integers
  meta.json       the versions, the date, the shapes, Keras's count_params()
Conversion: convert_from_keras_model(backend='Vitis', io_type='io_parallel',
hls_config={'Model': {'Precision': 'fixed<16,6>', 'ReuseFactor': 1}}).
"""

import datetime
import importlib.metadata
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '3')

import hls4ml  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from HGQ import HDense, HQuantize, to_proxy_model, trace_minmax  # noqa: E402
from HGQ.proxy.fixed_point_quantizer import FixedPointQuantizer  # noqa: E402
from tensorflow import keras  # noqa: E402

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from hls4ml_reference import CXXFLAGS, HARNESS_TB  # noqa: E402

OUT = HERE.parent / 'tests' / 'fixtures' / 'hgq1'
N_SAMPLES = 40
HLS_CONFIG = {'Model': {'Precision': 'fixed<16,6>', 'ReuseFactor': 1}}


def hdense2():
    """HQuantize -> HDense 6 -> 8 relu -> HDense 8 -> 3 (the corpus's proxy models are this
    chain, wider: 16-64-32-32-5)."""
    x_in = keras.Input((6,), name='x')
    h = HQuantize(beta=0.0, name='inp_q')(x_in)
    h = HDense(8, activation='relu', beta=0.0, name='d1')(h)
    y = HDense(3, beta=0.0, name='d2')(h)
    return keras.Model(x_in, y, name='hdense2')


# name -> (builder, input range, fractional bits range)
CASES = {
    'hdense2': (hdense2, 4.0, (0, 4)),
}


def randomise(model, seed, f_range):
    """Kernels normal(0, 0.5), biases normal(0, 0.25); every fractional bit width
    (`kernel_bw`, `activation_bw`) drawn per element in f_range, so that the quantizers are
    heterogeneous (hls4ml writes those as generated per-element functions)."""
    rng = np.random.default_rng(seed)
    for layer in model.layers:
        for v in layer.weights:
            name = v.name.split('/')[-1].split(':')[0]
            if name == 'kernel':
                v.assign(rng.normal(0.0, 0.5, size=v.shape).astype(np.float32))
            elif name == 'bias':
                v.assign(rng.normal(0.0, 0.25, size=v.shape).astype(np.float32))
            elif name in ('kernel_bw', 'activation_bw'):
                lo, hi = f_range
                v.assign(rng.integers(lo, hi + 1, size=v.shape).astype(np.float32))


def io_types(project_dir):
    """The input and output types of myproject() (hls4ml names them after the tensors)."""
    text = (Path(project_dir) / 'firmware' / 'myproject.h').read_text()
    sig = text[text.index('void myproject(') :]
    params = [p.split()[0] for p in sig[sig.index('(') + 1 : sig.index(')')].split(',')]
    return params[0], params[1]


def compile_and_run(project_dir, n_in, n_out, inputs):
    """hls4ml's firmware with scripts/hls4ml_reference.py's driver; returns its stdout."""
    d = Path(project_dir)
    (d / 'harness_tb.cpp').write_text(HARNESS_TB)
    in_t, out_t = io_types(d)
    cmd = [
        'g++', *CXXFLAGS, f'-I{d}/firmware/ap_types', f'-I{d}/firmware', f'-I{d}',
        f'-DWEIGHTS_DIR="{d}/firmware/weights"', '-DPROJECT_HEADER="firmware/myproject.h"',
        '-DPROJECT=myproject', f'-DNIN={n_in}', f'-DNOUT={n_out}', f'-Dinput_t={in_t}',
        f'-Dresult_t={out_t}', str(d / 'firmware' / 'myproject.cpp'), str(d / 'harness_tb.cpp'),
        '-o', str(d / 'harness_tb'),
    ]
    subprocess.run(cmd, check=True)
    return subprocess.run([str(d / 'harness_tb'), str(inputs)], check=True, capture_output=True,
                          text=True).stdout


def quantizer_state(proxy):
    """Every FixedPointQuantizer of the proxy model as HGQ holds it."""
    out = []
    for layer in proxy.layers:
        if not isinstance(layer, FixedPointQuantizer):
            continue
        conf = layer.get_config()
        out.append({
            'name': layer.name,
            'inbound': layer._inbound_nodes[0].inbound_layers.name,
            'RND': layer.RND, 'SAT': layer.SAT, 'fusible': bool(conf['fusible']),
            'shape': list(layer.bits.shape),
            'keep_negative': layer.keep_negative.numpy().astype(int).ravel().tolist(),
            'bits': layer.bits.numpy().astype(int).ravel().tolist(),
            'integers': layer.integers.numpy().astype(int).ravel().tolist(),
        })
    return out


def generated_code(text):
    """The part of nnet_code_gen.h hls4ml generates (after its '// hls4ml insert code')."""
    marker = '// hls4ml insert code'
    return text[text.index(marker):] if marker in text else ''


def make(name, builder, span, f_range, seed):
    tf.keras.utils.set_random_seed(seed)
    model = builder()
    randomise(model, seed, f_range)
    rng = np.random.default_rng(seed + 1000)
    shape = tuple(model.input_shape[1:])
    x = rng.uniform(-span, span, (N_SAMPLES,) + shape).astype(np.float32)
    trace_minmax(model, x, verbose=False)
    # skip_precision_reg=False: the proxy also carries HGQ's per-layer `overrides` (result_t,
    # weight_t, ...), as the proxy models of the real corpus do (made with HGQ < 0.2.5)
    proxy = to_proxy_model(model, skip_precision_reg=False)

    out = OUT / name
    if out.exists():
        shutil.rmtree(out)
    (out / 'firmware' / 'weights').mkdir(parents=True)
    proxy.save(out / 'model.keras')

    flat = x.reshape(N_SAMPLES, -1)
    with open(out / 'inputs.txt', 'w') as f:
        for row in flat:
            f.write(' '.join(repr(float(v)) for v in row) + '\n')
    y = np.asarray(proxy.predict(x, verbose=0)).reshape(N_SAMPLES, -1)
    with open(out / 'keras.out.txt', 'w') as f:
        for row in y:
            f.write(' '.join(repr(float(v)) for v in row) + '\n')

    with tempfile.TemporaryDirectory() as d:
        hm = hls4ml.converters.convert_from_keras_model(
            proxy, output_dir=d, backend='Vitis', io_type='io_parallel', hls_config=HLS_CONFIG
        )
        hm.write()
        text = compile_and_run(d, flat.shape[1], y.shape[1], out / 'inputs.txt')
        (out / 'hls4ml.out.txt').write_text(text)
        fw = Path(d) / 'firmware'
        for f in ('myproject.cpp', 'parameters.h', 'defines.h'):
            shutil.copy(fw / f, out / 'firmware' / f)
        for f in sorted((fw / 'weights').glob('*.[ht]*')):
            shutil.copy(f, out / 'firmware' / 'weights' / f.name)
        gen = generated_code((fw / 'nnet_utils' / 'nnet_code_gen.h').read_text())
        (out / 'firmware' / 'nnet_code_gen.generated.h').write_text(gen)
        shutil.copy(Path(d) / 'hls4ml_config.yml', out / 'hls4ml_config.yml')

    hq = np.array([[float(t) for t in line.split()] for line in text.splitlines()])
    meta = {
        'case': name,
        'seed': seed,
        'date': datetime.date.today().isoformat(),
        'hls4ml': hls4ml.__version__,
        'tensorflow': tf.__version__,
        'HGQ': importlib.metadata.version('HGQ'),
        'numpy': np.__version__,
        'n_samples': N_SAMPLES,
        'n_in': int(flat.shape[1]),
        'n_out': int(y.shape[1]),
        'count_params': int(proxy.count_params()),
        'hls_config': HLS_CONFIG,
        'max_abs_keras_vs_hls4ml': float(np.max(np.abs(hq - y))),
    }
    (out / 'state.json').write_text(json.dumps(quantizer_state(proxy), indent=1) + '\n')
    (out / 'meta.json').write_text(json.dumps(meta, indent=1) + '\n')
    print(f'{name}: {meta["n_in"]} -> {meta["n_out"]}, |keras - hls4ml| max {meta["max_abs_keras_vs_hls4ml"]:.3g}')


def main():
    names = sys.argv[1:] or list(CASES)
    for name in names:
        make(name, *CASES[name], 21 + list(CASES).index(name))


if __name__ == '__main__':
    main()
