#!/usr/bin/env python3
"""Golden fixtures: what hls4ml 1.3.0 writes and computes for small HGQ2 (hgq2 0.1.6) models.

presynth's HGQ2 codegen is checked against these files in CI without this script's venv
(hls4ml 1.3.0 converts HGQ2 attention only under Keras <= 3.12, see scripts/hgq2_hls4ml_probe.py;
the project venv has Keras 3.15). Run it in a side venv with Keras 3.12.0, e.g.:

    python -m venv /work/venvs/hgq
    echo "$PWD/.venv/lib/python3.11/site-packages" > /work/venvs/hgq/lib/python3.11/site-packages/zz.pth
    /work/venvs/hgq/bin/pip install --no-deps keras==3.12.0
    KERAS_BACKEND=jax JAX_PLATFORMS=cpu /work/venvs/hgq/bin/python scripts/hgq2_hls4ml_reference.py

The Dense-only cases convert under the project venv's Keras 3.15 too (qdense_homog was written so,
as its meta.json records): `... .venv/bin/python scripts/hgq2_hls4ml_reference.py qdense_homog`.

For each case NAME it writes tests/fixtures/hgq2/NAME/:
  model.keras     the seeded HGQ2 model (kernels, biases and quantizer bit widths seeded)
  inputs.txt      N_SAMPLES rows of inputs, one sample a line
  hls4ml.out.txt  hls4ml's project compiled with g++ and scripts/hls4ml_reference.py's driver
                  (HARNESS_TB: every output element as the exact double of its ap_fixed value)
  keras.out.txt   Keras's float32 output of the same inputs (for information: HGQ2 and hls4ml
                  agree bit-exactly only where no float32 rounding intervenes)
  firmware/       hls4ml's myproject.cpp, parameters.h, defines.h, weights/*.{h,txt} and the part of
                  nnet_utils/nnet_code_gen.h hls4ml generates (the quantizer functions)
  state.json      HGQ2's own quantizer state (modes, per-element k/i/f) and each layer's float
                  and quantized kernel and bias (`qkernel`), read from the model (not from hls4ml)
  meta.json       the versions, the date, the shapes
Conversion: convert_from_keras_model(backend='Vitis', io_type='io_parallel',
hls_config={'Model': {'Precision': 'fixed<16,6>', 'ReuseFactor': 1}}) (BitExact left at its
default: on, because the model has HGQ2 quantizers).
"""

import datetime
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

os.environ.setdefault('KERAS_BACKEND', 'jax')
os.environ.setdefault('JAX_PLATFORMS', 'cpu')

import hls4ml  # noqa: E402
import keras  # noqa: E402
import numpy as np  # noqa: E402
from hgq.config import QuantizerConfigScope  # noqa: E402
from hgq.layers import QDense  # noqa: E402

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from hls4ml_reference import CXXFLAGS, HARNESS_TB  # noqa: E402
from make_hgq2_examples import hgq2_encoder  # noqa: E402

OUT = HERE.parent / 'tests' / 'fixtures' / 'hgq2'
N_SAMPLES = 40
HLS_CONFIG = {'Model': {'Precision': 'fixed<16,6>', 'ReuseFactor': 1}}


def scopes():
    """HGQ2's recommended defaults, as scripts/make_hgq2_examples.py uses them: weights kbi
    SAT_SYM, datalane kif WRAP (both round RND)."""
    a = QuantizerConfigScope(place='all', default_q_type='kbi', overflow_mode='SAT_SYM')
    b = QuantizerConfigScope(place='datalane', default_q_type='kif', overflow_mode='WRAP')
    return a, b


def qdense():
    """One QDense, 6 -> 4, linear."""
    x_in = keras.Input((6,), name='x')
    a, b = scopes()
    with a, b:
        y = QDense(4, name='d1')(x_in)
    return keras.Model(x_in, y, name='qdense')


def qdense2():
    """QDense 6 -> 8 relu -> QDense 8 -> 4."""
    x_in = keras.Input((6,), name='x')
    a, b = scopes()
    with a, b:
        h = QDense(8, activation='relu', name='d1')(x_in)
        y = QDense(4, name='d2')(h)
    return keras.Model(x_in, y, name='qdense2')


def qdense_homog():
    """QDense 6 -> 8 relu -> QDense 8 -> 4 with homogeneous datalane quantizers (one bit width
    per tensor, `heterogeneous_axis=()`): hls4ml folds each into the type of the node before it
    (its FuseFixedPointQuantizer) instead of generating a function."""
    x_in = keras.Input((6,), name='x')
    a = QuantizerConfigScope(place='all', default_q_type='kbi', overflow_mode='SAT_SYM')
    b = QuantizerConfigScope(
        place='datalane', default_q_type='kif', overflow_mode='WRAP', heterogeneous_axis=()
    )
    with a, b:
        h = QDense(8, activation='relu', name='d1')(x_in)
        y = QDense(4, name='d2')(h)
    return keras.Model(x_in, y, name='qdense_homog')


def qdense_oq():
    """QDense 6 -> 8 relu with an output quantizer (`enable_oq`) -> QDense 8 -> 4: hls4ml puts
    `d1_oq` after the split relu, with the index after it."""
    x_in = keras.Input((6,), name='x')
    a, b = scopes()
    with a, b:
        h = QDense(8, activation='relu', enable_oq=True, name='d1')(x_in)
        y = QDense(4, name='d2')(h)
    return keras.Model(x_in, y, name='qdense_oq')


def encoder_noln():
    return hgq2_encoder(with_layernorm=False, name='encoder_noln')


# name -> (builder, input range, datalane i range, datalane f range)
CASES = {
    'qdense': (qdense, 8.0, (0, 4), (0, 4)),
    'qdense2': (qdense2, 8.0, (0, 4), (0, 4)),
    # wider datalanes, so that the softmax's probabilities are not all quantized to 0
    'encoder_noln': (encoder_noln, 3.0, (1, 4), (3, 7)),
    # appended (a case's seed is 15 + its position)
    'qdense_homog': (qdense_homog, 8.0, (1, 4), (1, 4)),
    'qdense_oq': (qdense_oq, 8.0, (0, 4), (0, 4)),
}


def randomise(model, seed, i_range, f_range):
    """Kernels and biases normal(0, 0.5); every quantizer's bit widths drawn per element, so the
    quantizers are heterogeneous (the case hls4ml writes as a generated function): datalane
    (kif) i and f uniform integers in the case's ranges; kernels (kbi) b in [1, 5] (i keeps
    HGQ2's initial 2; biases and QSoftmax's table quantizers keep their initial widths)."""
    rng = np.random.default_rng(seed)
    for layer in model.layers:
        for v in layer.weights:
            if v.name in ('kernel', 'bias') and len(v.shape) > 0:
                v.assign(rng.normal(0.0, 0.5, size=v.shape).astype(np.float32))
            elif 'fixed_point_quantizer_kif' in v.path and v.name in ('i', 'f'):
                lo, hi = i_range if v.name == 'i' else f_range
                v.assign(rng.integers(lo, hi + 1, size=v.shape).astype(np.float32))
            elif '_kq/fixed_point_quantizer_kbi' in v.path and v.name == 'b':
                v.assign(rng.integers(1, 6, size=v.shape).astype(np.float32))


def io_types(project_dir):
    """The input and output types of myproject() (hls4ml names them after the tensors)."""
    text = (Path(project_dir) / 'firmware' / 'myproject.h').read_text()
    sig = text[text.index('void myproject(') :]
    params = [p.split()[0] for p in sig[sig.index('(') + 1 : sig.index(')')].split(',')]
    return params[0], params[1]


def compile_and_run(project_dir, n_in, n_out, inputs):
    """hls4ml's firmware with scripts/hls4ml_reference.py's driver (its input_t/result_t named
    after this project's I/O types); returns the driver's stdout."""
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


def quantizer_state(model):
    """HGQ2's own state of every Dense-like layer's quantizers (the model's truth, not hls4ml's):
    per quantizer its modes and per-element (k, i, f) after HGQ2's rounding (`kif`), and per
    layer the float kernel and bias and the quantized ones HGQ2 computes (`qkernel`, `qbias`)."""
    from keras import ops

    layers = []
    for layer in model.layers:
        if not hasattr(layer, '_iq') and not hasattr(layer, '_kq'):
            continue
        entry = {'name': layer.name, 'class_name': type(layer).__name__, 'quantizers': []}
        for attr in ('_iq', '_kq', '_bq', '_oq'):
            q = getattr(layer, attr, None)
            enabled = getattr(layer, f'_enable_{attr[1:]}', True)
            if q is None or not enabled or not hasattr(q, 'quantizer'):
                continue  # none, off, or one per input (QAdd's MultipleQuantizers): not dumped
            iq = q.quantizer
            k, i, f = (np.asarray(ops.convert_to_numpy(t)) for t in iq.kif)
            entry['quantizers'].append({
                'role': attr[1:], 'name': q.name, 'q_type': type(iq).__name__,
                'round_mode': iq.round_mode, 'overflow_mode': iq.overflow_mode,
                'shape': list(k.shape),
                'k': k.astype(int).ravel().tolist(), 'i': i.astype(int).ravel().tolist(),
                'f': f.astype(int).ravel().tolist(),
            })
        for w in ('kernel', 'bias'):
            if getattr(layer, w, None) is not None and hasattr(layer, f'q{w}'):
                entry[w] = np.asarray(getattr(layer, w)).astype(float).ravel().tolist()
                entry[f'q{w}'] = np.asarray(ops.convert_to_numpy(getattr(layer, f'q{w}'))).astype(float).ravel().tolist()
                entry[f'{w}_shape'] = list(getattr(layer, w).shape)
        layers.append(entry)
    return layers


def generated_code(text):
    """The part of nnet_code_gen.h hls4ml generates (after its '// hls4ml insert code')."""
    marker = '// hls4ml insert code'
    return text[text.index(marker):] if marker in text else ''


def make(name, builder, span, i_range, f_range, seed):
    keras.utils.set_random_seed(seed)
    model = builder()
    randomise(model, seed, i_range, f_range)
    out = OUT / name
    if out.exists():
        shutil.rmtree(out)
    (out / 'firmware' / 'weights').mkdir(parents=True)
    model.save(out / 'model.keras')

    rng = np.random.default_rng(seed + 1000)
    shape = tuple(model.input_shape[1:])
    x = rng.uniform(-span, span, (N_SAMPLES,) + shape).astype(np.float32)
    flat = x.reshape(N_SAMPLES, -1)
    with open(out / 'inputs.txt', 'w') as f:
        for row in flat:
            f.write(' '.join(repr(float(v)) for v in row) + '\n')
    y = np.asarray(model.predict(x, verbose=0)).reshape(N_SAMPLES, -1)
    with open(out / 'keras.out.txt', 'w') as f:
        for row in y:
            f.write(' '.join(repr(float(v)) for v in row) + '\n')

    with tempfile.TemporaryDirectory() as d:
        hm = hls4ml.converters.convert_from_keras_model(
            model, output_dir=d, backend='Vitis', io_type='io_parallel', hls_config=HLS_CONFIG
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

    hq = np.array([[float(t) for t in line.split()] for line in text.splitlines()])
    meta = {
        'case': name,
        'seed': seed,
        'date': datetime.date.today().isoformat(),
        'hls4ml': hls4ml.__version__,
        'keras': keras.__version__,
        'hgq2': __import__('importlib.metadata').metadata.version('hgq2'),
        'numpy': np.__version__,
        'n_samples': N_SAMPLES,
        'n_in': int(flat.shape[1]),
        'n_out': int(y.shape[1]),
        'hls_config': HLS_CONFIG,
        'max_abs_keras_vs_hls4ml': float(np.max(np.abs(hq - y))),
    }
    (out / 'state.json').write_text(json.dumps(quantizer_state(model)) + '\n')
    (out / 'meta.json').write_text(json.dumps(meta, indent=1) + '\n')
    print(f'{name}: {meta["n_in"]} -> {meta["n_out"]}, |keras - hls4ml| max {meta["max_abs_keras_vs_hls4ml"]:.3g}')


def main():
    names = sys.argv[1:] or list(CASES)
    for name in names:
        make(name, *CASES[name], 15 + list(CASES).index(name))


if __name__ == '__main__':
    main()
