#!/usr/bin/env python3
"""Plain Keras MultiHeadAttention through presynth's codegen, against Keras's float output.

hls4ml 1.3.0 refuses a plain ``keras.layers.MultiHeadAttention``; presynth emits the
decomposition hls4ml uses for HGQ2's attention (EinsumDense projections, Einsum scores, a
Softmax over the keys, Einsum with the values, EinsumDense output). There is no hls4ml project
to be bit-exact with, so the C simulation is checked against Keras within a bound derived from
the fixed-point types, per sample and per output element:

For a type ``ap_fixed<W,I>`` (the ``--precision``; LSB ``d = 2**(I-W)``, range ``[-R, R)``
with ``R = 2**(I-1)``):

- weights and biases are held on the grid (TRN; the query's with Keras's 1/sqrt(key_dim)
  folded in), inputs are given on the grid (Keras sees the same inputs), and
  ``nnet::dense``/``nnet::einsum`` truncate every product to the grid and sum in the same type
  with WRAP: the sum is exact modulo ``2R``, so it is exact when the result is in range. The
  script checks that every intermediate (projections, scores, weighted values, outputs) is in
  ``[-R, R)`` and that the score spread ``max - min`` is below ``R`` (``inp_norm_t`` below);
  otherwise the bound does not apply and the script fails. The projections and the scores are
  computed here exactly as the C code does (``floor`` of each product), so the only
  approximation left is the softmax;
- hls4ml's stable softmax (``nnet_activation.h``): ``x_max - x`` in ``inp_norm_t =
  ap_ufixed<W-1, I-1>`` addresses an ``N_e = min(1024, 2**(W-1))``-entry exp table by its top
  ``log2 N_e`` bits (``softmax_idx_from_real_val``); the entry is the exponential of the bin's
  start (``softmax_real_val_from_idx`` zeroes the low bits), so each exponential is too large by
  a factor in ``[1, exp(s_e))``, ``s_e = R / N_e``, and a ratio is off by a relative
  ``exp(s_e) - 1`` at most; the sum ``S`` of the exponentials (>= 1: the largest is exp(0)) in
  ``inv_inp_t = ap_fixed<18,8>`` addresses a 1024-entry 1/x table by its top 10 bits (sign
  included: bins of ``s_i = 1/4``, entry at the bin's start: relative ``s_i / (S - s_i)``); table
  entries are ``ap_fixed<18,8,AP_RND>`` (2**-11 each, ``SEQ`` of them in S, and one each in the
  exponential and the inverse that are multiplied). An attention weight ``p`` is off by at most
  ``p * rel + 2 * 2**-11 + d`` with ``rel = exp(s_e) - 1 + s_i / (S - s_i) + SEQ 2**-11``;
- the weighted values ``o = sum_e p_e v_e`` over ``T`` keys: ``|do| <= sum |dp| |v| + (T + 1) d``
  (truncated products and result); the output projection over ``n`` inputs: ``(n + 1) d +
  sum |W| |do|``;
- the bound on ``|sim - keras|`` is that bound plus ``|y_grid - keras|``, the distance of this
  computation (grid weights, truncated products, float softmax) to Keras's float output.

Two settings are checked (tests/cli_transformer.rs): ``ap_fixed<16,6>`` and the quantised
``ap_fixed<10,4>`` (d = 1/64, R = 8, a 512-entry exp table over all 9 bits of
``ap_ufixed<9,3>``: s_e = 1/64), on inputs in [-1.5, 1.5) for the quantised one ([-3, 3) for the other) so that the scores
stay in range.

Every bound is computed with the float values Keras computes. The script exits 1 when any
output element is off by more than its bound, and prints the largest error and its bound.

Usage: KERAS_BACKEND=jax JAX_PLATFORMS=cpu .venv/bin/python scripts/keras_attention_tolerance.py \
           --presynth target/debug/presynth [--out target/keras-attention] [--precision 10,4]
"""

import argparse
import os
import subprocess
import sys
from pathlib import Path

os.environ.setdefault('KERAS_BACKEND', 'jax')
os.environ.setdefault('JAX_PLATFORMS', 'cpu')

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

SEQ, D_MODEL, HEADS, KEY_DIM = 8, 16, 2, 8
N_SAMPLES = 40
# ap_fixed<W,I> -> the half-width of the inputs drawn (uniform in [-X, X), on the grid)
INPUT_RANGE = {(16, 6): 3.0, (10, 4): 1.5}


def build(seed):
    import keras

    keras.utils.set_random_seed(seed)
    inp = keras.Input((SEQ, D_MODEL), name='x')
    a = keras.layers.MultiHeadAttention(num_heads=HEADS, key_dim=KEY_DIM, name='mha')(inp, inp)
    out = keras.layers.Flatten(name='flat')(a)
    return keras.Model(inp, out, name='mha_block')


def bounds(model, x, width, integer):
    """Per-sample, per-output bound of |C simulation - Keras| (module docstring): the network
    evaluated in float with the weights on the ap_fixed<width,integer> grid (what the C code
    holds), its distance to Keras, plus the propagated truncation and table errors. Raises
    ValueError when an intermediate leaves the type's range (the bound would not apply)."""
    import numpy as np

    mha = model.get_layer('mha')
    d = 2.0 ** (integer - width)
    r = 2.0 ** (integer - 1)
    scale = 1.0 / np.sqrt(KEY_DIM)
    w = {}
    for v in mha.weights:
        name = v.path.split('/', 1)[1]
        a = np.asarray(v, dtype='float64')
        if name.startswith('query/'):
            a = a * scale  # folded into the query projection before quantisation
        w[name] = np.floor(a / d) * d  # TRN onto the grid
    x = x.astype('float64')

    def grid(a):
        return np.floor(a / d) * d

    def in_range(what, a):
        if a.min() < -r or a.max() >= r:
            raise ValueError(f'{what} spans [{a.min():.3f}, {a.max():.3f}], beyond [-{r}, {r})')
        return a

    def proj_exact(inp, kernel, bias):
        # 'abc,cde->abde': every product truncated, summed, the bias added (all on the grid)
        return grid(inp[:, :, :, None, None] * kernel[None, None]).sum(2) + bias

    def proj(inp, kernel, bias, eq, n, dinp):
        val = np.einsum(eq, inp, kernel) + bias
        return val, (n + 1) * d + np.einsum(eq, dinp, np.abs(kernel))

    for name, t in w.items():
        in_range(name, t)
    q = in_range('query', proj_exact(x, w['query/kernel'], w['query/bias']))
    k = in_range('key', proj_exact(x, w['key/kernel'], w['key/bias']))
    v = in_range('value', proj_exact(x, w['value/kernel'], w['value/bias']))
    # scores 'aecd,abcd->acbe', products truncated
    s = in_range('scores', grid(k[:, None, :, :, :] * q[:, :, None, :, :]).sum(-1).transpose(0, 3, 1, 2))
    in_range('score spread (inp_norm_t)', s.max(-1) - s.min(-1))
    e = np.exp(s - s.max(-1, keepdims=True))
    p = e / e.sum(-1, keepdims=True)
    n_exp = min(1024, 2 ** (width - 1))
    step_exp = r / n_exp
    step_inv = 256.0 / 1024  # inv_inp_t ap_fixed<18,8>: top 10 of 18 bits, sign included
    total = e.sum(-1, keepdims=True)  # >= 1: the largest term is exp(0)
    rel = np.exp(step_exp) - 1 + step_inv / (total - step_inv) + SEQ * 2.0**-11
    dp = p * rel + 2 * 2.0**-11 + d
    o = np.einsum('acbe,aecd->abcd', p, v)
    do = np.einsum('acbe,aecd->abcd', dp, np.abs(v)) + (SEQ + 1) * d
    in_range('weighted values', np.abs(o) + do)
    y, dy = proj(o, w['attention_output/kernel'], w['attention_output/bias'], 'abcd,cde->abe', HEADS * KEY_DIM, dinp=do)
    in_range('outputs', np.abs(y) + dy)
    return y.reshape(len(x), -1), dy.reshape(len(x), -1)


def main():
    import numpy as np

    import hls4ml_reference as harness

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--presynth', required=True)
    ap.add_argument('--out', default=str(HERE.parent / 'target' / 'keras-attention'))
    ap.add_argument('--precision', default='16,6', help='W,I of ap_fixed<W,I>: 16,6 or 10,4')
    args = ap.parse_args()
    width, integer = (int(t) for t in args.precision.split(','))
    if (width, integer) not in INPUT_RANGE:
        ap.error(f'--precision {args.precision}: one of {sorted(INPUT_RANGE)}')
    lsb = 2.0 ** (integer - width)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    model = build(seed=3)
    model.save(out / 'model.keras')
    rng = np.random.default_rng(7)
    span = INPUT_RANGE[(width, integer)]
    x = rng.uniform(-span, span, (N_SAMPLES, SEQ, D_MODEL))
    x = np.floor(x / lsb) * lsb  # on the grid
    flat = x.reshape(N_SAMPLES, -1)
    with open(out / 'inputs.dat', 'w') as f:
        for row in flat:
            f.write(' '.join(repr(float(t)) for t in row) + '\n')
    keras_y = model.predict(x.astype('float32'), verbose=0).reshape(N_SAMPLES, -1).astype('float64')
    try:
        y_grid, dy = bounds(model, x, width, integer)
    except ValueError as e:
        print(f'the bound does not apply at ap_fixed<{width},{integer}>: {e}')
        return 1
    # |sim - keras| <= |sim - y_grid| + |y_grid - keras|
    tol = dy + np.abs(y_grid - keras_y)
    prj = out / 'presynth'
    r = subprocess.run(
        [args.presynth, 'codegen', str(out / 'model.keras'), '-o', str(prj), '--force', '--precision', f'ap_fixed<{width},{integer}>'],
        capture_output=True,
        text=True,
    )
    if r.returncode != 0:
        print(r.stderr)
        return 1
    text = harness.compile_and_run(prj, 'io_parallel', flat.shape[1], keras_y.shape[1], out / 'inputs.dat')
    sim = np.array([[float(t) for t in line.split()] for line in text.strip().splitlines()])
    err = np.abs(sim - keras_y)
    worst = np.unravel_index(np.argmax(err / tol), err.shape)
    print(
        f'ap_fixed<{width},{integer}>: max |sim - keras| {err.max():.4f} (mean {err.mean():.4f}); bound at the worst element '
        f'{tol[worst]:.4f} (error {err[worst]:.4f}); bounds: mean {tol.mean():.4f}, max {tol.max():.4f}'
    )
    bad = int((err > tol).sum())
    print(f'{bad} of {err.size} outputs over their bound')
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
