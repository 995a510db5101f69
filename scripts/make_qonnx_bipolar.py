#!/usr/bin/env python3
"""Write tests/fixtures/qonnx/bipolar_mlp.onnx: a small QONNX MLP whose weights are quantised by
QONNX's BipolarQuant (binary +-1 weights, scale 1), for the bit-exact harness case
`qonnx_bipolar` (scripts/hls4ml_reference.py: hls4ml 1.3.0's convert_from_onnx_model, after
QONNX's cleanup, against presynth's codegen of the same file).

    .venv/bin/python scripts/make_qonnx_bipolar.py [--out tests/fixtures/qonnx/bipolar_mlp.onnx]

The graph, as Brevitas exports a binary-weight network (QONNX's custom ops, domain
qonnx.custom_op.general): x -> Quant(8 bits, scale 2^-4) -> MatMul(BipolarQuant(W1)) -> Add(B1)
-> Relu -> Quant(6 bits unsigned, scale 2^-3) -> MatMul(BipolarQuant(W2)) -> Add(B2) -> y,
8 -> 12 -> 4, float weights drawn from a seeded uniform(-1, 1) (a few set to exactly 0, which
BipolarQuant maps to +1). The script checks the file with QONNX's own executor against a
numpy transcription of QONNX's definitions (Quant: round-half-even, clip; BipolarQuant:
+scale for x >= 0, else -scale) before writing it.
"""

import argparse
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
N_IN, N_H, N_OUT = 8, 12, 4


def build(seed=7):
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    rng = np.random.default_rng(seed)
    f32 = np.float32
    w1 = rng.uniform(-1, 1, (N_IN, N_H)).astype(f32)
    w2 = rng.uniform(-1, 1, (N_H, N_OUT)).astype(f32)
    w1[0, :3] = 0.0  # BipolarQuant(0) = +1
    w2[1, 0] = 0.0
    params = dict(
        W1=w1,
        B1=rng.uniform(-0.5, 0.5, (N_H,)).astype(f32),
        W2=w2,
        B2=rng.uniform(-0.5, 0.5, (N_OUT,)).astype(f32),
        s_in=f32(2.0**-4),
        s_a=f32(2.0**-3),
        one=f32(1.0),
        zero=f32(0.0),
        b8=f32(8.0),
        b6=f32(6.0),
    )
    inits = [numpy_helper.from_array(np.asarray(v, dtype=f32), k) for k, v in params.items()]
    q = dict(domain='qonnx.custom_op.general', narrow=0, rounding_mode='ROUND')
    bq = dict(domain='qonnx.custom_op.general')
    nodes = [
        helper.make_node('Quant', ['x', 's_in', 'zero', 'b8'], ['xq'], signed=1, **q),
        helper.make_node('BipolarQuant', ['W1', 'one'], ['W1q'], **bq),
        helper.make_node('MatMul', ['xq', 'W1q'], ['h']),
        helper.make_node('Add', ['h', 'B1'], ['hb']),
        helper.make_node('Relu', ['hb'], ['hr']),
        helper.make_node('Quant', ['hr', 's_a', 'zero', 'b6'], ['hq'], signed=0, **q),
        helper.make_node('BipolarQuant', ['W2', 'one'], ['W2q'], **bq),
        helper.make_node('MatMul', ['hq', 'W2q'], ['o']),
        helper.make_node('Add', ['o', 'B2'], ['y']),
    ]
    g = helper.make_graph(
        nodes,
        'qonnx_bipolar_mlp',
        [helper.make_tensor_value_info('x', TensorProto.FLOAT, [1, N_IN])],
        [helper.make_tensor_value_info('y', TensorProto.FLOAT, [1, N_OUT])],
        initializer=inits,
    )
    m = helper.make_model(g, opset_imports=[helper.make_opsetid('', 13), helper.make_opsetid('qonnx.custom_op.general', 1)])
    return m, params


def reference(params, x):
    """QONNX's definitions in numpy: Quant (zero point 0, not narrow) and BipolarQuant."""

    def quant(v, scale, bits, signed):
        lo, hi = (-(2 ** (bits - 1)), 2 ** (bits - 1) - 1) if signed else (0, 2**bits - 1)
        return np.clip(np.round(v / scale), lo, hi) * scale

    def bipolar(w):
        return np.where(w >= 0, 1.0, -1.0).astype(np.float32)

    h = quant(x, params['s_in'], 8, True) @ bipolar(params['W1']) + params['B1']
    h = quant(np.maximum(h, 0), params['s_a'], 6, False)
    return h @ bipolar(params['W2']) + params['B2']


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--out', default=str(ROOT / 'tests/fixtures/qonnx/bipolar_mlp.onnx'))
    args = ap.parse_args()
    import onnx
    from qonnx.core.modelwrapper import ModelWrapper
    from qonnx.core.onnx_exec import execute_onnx
    from qonnx.transformation.infer_shapes import InferShapes

    m, params = build()
    mw = ModelWrapper(m).transform(InferShapes())
    x = np.random.default_rng(1).uniform(-3, 3, (16, N_IN)).astype(np.float32)
    got = np.concatenate([execute_onnx(mw, {'x': x[i : i + 1]})['y'] for i in range(len(x))])
    want = reference(params, x.astype(np.float64))
    err = float(np.abs(got - want).max())
    assert err < 1e-4, f'QONNX execution differs from the numpy reference by {err}'
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    onnx.save(m, args.out)
    print(f'wrote {args.out} (QONNX execution = numpy reference within {err:.2e} on 16 inputs)')


if __name__ == '__main__':
    main()
