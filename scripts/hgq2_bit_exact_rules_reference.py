#!/usr/bin/env python3
"""Golden cases of hls4ml 1.3.0's bit-exact forward rules (`produce_kif`) for the ops of an HGQ2
encoder, computed by hls4ml's own code: `model/optimizer/passes/bit_exact.py`'s registered
`_produce_kif` functions for Merge, Einsum, EinsumDense and Pooling1D/GlobalPooling1D, called
on stand-in nodes whose input triples are given (the pass's `get_input_kifs`/`get_input_shapes`
are pointed at them), so that no Keras model is needed. Random `(k, i, f)` inputs and weights,
fixed seed. Writes tests/fixtures/hgq2/rules/cases.json, read by
lower/tests/hgq2_bit_exact_rules.rs.

Run with the project's venv (hls4ml 1.3.0, numpy): `.venv/bin/python
scripts/hgq2_bit_exact_rules_reference.py`.
"""

import json
import sys
from pathlib import Path

import numpy as np

import hls4ml
import hls4ml.model.optimizer.passes.bit_exact as be
from hls4ml.model.layers import Einsum, EinsumDense, GlobalPooling1D, Merge, Pooling1D

OUT = Path(__file__).resolve().parent.parent / 'tests/fixtures/hgq2/rules/cases.json'


class W:
    def __init__(self, data):
        self.data = data


def stand_in(cls, attributes, kifs, shapes=None):
    node = object.__new__(cls)
    node.attributes = dict(attributes)
    be.get_input_kifs = lambda layer: kifs
    be.get_input_shapes = lambda layer: shapes or [k[0].shape for k in kifs]
    return node


def rand_kif(rng, shape):
    k = rng.integers(0, 2, shape).astype(np.int16)
    i = rng.integers(-2, 5, shape).astype(np.int16)
    f = rng.integers(-1, 6, shape).astype(np.int16)
    i = np.maximum(i, -f)  # a representable range (max >= 0), as a quantizer's
    # a few empty elements, as a shrunk quantizer has them
    z = (rng.random(shape) < 0.1) | (k + i + f <= 0)
    k[z], i[z], f[z] = 0, 0, 0
    return k, i, f


def rand_weights(rng, shape):
    w = rng.integers(-8, 9, shape) / 2.0 ** rng.integers(0, 4, shape)
    w[rng.random(shape) < 0.1] = 0
    return w


def kif_json(kif):
    return {'k': np.ravel(kif[0]).astype(int).tolist(),
            'i': np.ravel(kif[1]).astype(int).tolist(),
            'f': np.ravel(kif[2]).astype(int).tolist()}


def main():
    rng = np.random.default_rng(20261207)
    cases = []
    fn = be._produce_kif.dispatch
    for op, extra in [('add', {}), ('subtract', {}), ('multiply', {}), ('average', {}),
                      ('average', {'scale': 0.25}), ('average', {'scale': 1 / 3}), ('maximum', {}),
                      ('minimum', {}), ('dot1d', {})]:
        n_in = 3 if op in ('add', 'average', 'maximum') and not extra else 2
        shape = (6,) if op == 'dot1d' else (3, 4)
        kifs = [rand_kif(rng, shape) for _ in range(n_in)]
        out = fn(Merge)(stand_in(Merge, {'op': op, **extra}, kifs))
        cases.append({'kind': 'merge', 'op': op, 'scale': extra.get('scale'), 'shape': list(shape),
                      'inputs': [kif_json(k) for k in kifs], 'out': kif_json(out)})
    for eq, s0, s1 in [('ecd,bcd->cbe', (5, 2, 3), (4, 2, 3)), ('cbe,ecd->bcd', (2, 4, 5), (5, 2, 3)),
                       ('ij,jk->ik', (3, 4), (4, 2))]:
        kifs = [rand_kif(rng, s0), rand_kif(rng, s1)]
        out = fn(Einsum)(stand_in(Einsum, {'equation': eq}, kifs))
        cases.append({'kind': 'einsum', 'equation': eq, 'shapes': [list(s0), list(s1)],
                      'inputs': [kif_json(k) for k in kifs], 'out': kif_json(out), 'out_shape': list(out[0].shape)})
    for eq, s0, sk, sb in [('bc,cde->bde', (4, 5), (5, 2, 3), (2, 3)), ('bcd,cde->be', (4, 2, 3), (2, 3, 5), (5,)),
                           ('bc,cd->bd', (3, 6), (6, 4), None)]:
        kif = rand_kif(rng, s0)
        w = rand_weights(rng, sk)
        b = rand_weights(rng, sb) if sb else None
        attrs = {'equation': eq, 'weight': W(w), 'bias': W(b) if b is not None else None}
        out = fn(EinsumDense)(stand_in(EinsumDense, attrs, [kif]))
        cases.append({'kind': 'einsum_dense', 'equation': eq, 'in_shape': list(s0), 'kernel_shape': list(sk),
                      'kernel': w.ravel().tolist(), 'bias_shape': list(sb) if sb else None,
                      'bias': b.ravel().tolist() if b is not None else None,
                      'input': kif_json(kif), 'out': kif_json(out), 'out_shape': list(out[0].shape)})
    for cls, op, attrs, shape in [
        (GlobalPooling1D, 'Average', {}, (8, 3)),
        (GlobalPooling1D, 'Max', {}, (5, 2)),
        (Pooling1D, 'Average', {'pool_width': 2, 'stride_width': 2, 'pad_left': 0, 'pad_right': 1}, (5, 2)),
        (Pooling1D, 'Average', {'pool_width': 3, 'stride_width': 1, 'pad_left': 1, 'pad_right': 1}, (4, 2)),
    ]:
        kif = rand_kif(rng, shape)
        node = stand_in(cls, {'pool_op': op, 'n_filt': shape[1], **attrs}, [kif])
        out = fn(cls)(node)
        cases.append({'kind': 'pooling', 'class': cls.__name__, 'op': op, 'shape': list(shape), **attrs,
                      'input': kif_json(kif), 'out': kif_json(out), 'out_shape': list(np.shape(out[0]))})
    OUT.parent.mkdir(parents=True, exist_ok=True)
    meta = {'source': 'hls4ml ' + hls4ml.__version__ + ' model/optimizer/passes/bit_exact.py _produce_kif',
            'numpy': np.__version__, 'python': sys.version.split()[0],
            'script': 'scripts/hgq2_bit_exact_rules_reference.py'}
    OUT.write_text(json.dumps({'meta': meta, 'cases': cases}, indent=0) + '\n')
    print(f'{len(cases)} cases -> {OUT}')


if __name__ == '__main__':
    main()
