#!/usr/bin/env python3
"""Write examples/transformer/encoder_decomposed.onnx: a one-block transformer encoder as an
exporter writes it without fused operators (what torch.onnx.export gives for a hand-written
multi-head attention at opset 17, and tf2onnx for Keras's):

  x [1, 16, 32]
  -> Q, K, V: MatMul [32, 32] + Add bias, Reshape [1, 16, 4, 8], Transpose [0,2,1,3]
     (K: Transpose [0,2,3,1]), scores MatMul(Q, K^T), Div by sqrt(8), Softmax(-1),
     MatMul(P, V), Transpose [0,2,1,3], Reshape [1, 16, 32], MatMul [32, 32] + Add bias
  -> Add (residual) -> LayerNorm decomposed (ReduceMean, Sub, Pow 2, ReduceMean, Add eps,
     Sqrt, Div, Mul gamma, Add beta)
  -> FFN MatMul [32, 64] + Add, Relu, MatMul [64, 32] + Add -> Add (residual)
  -> LayerNormalization (the opset-17 operator)

Shapes and scalars are Constant nodes, so the initializers are exactly the weights.

Truth (the script fails otherwise): onnxruntime's output of the file equals Keras's output of
the same block built from keras.layers (MultiHeadAttention(num_heads=4, key_dim=8),
LayerNormalization, Dense) with the same weights, and the initializers hold Keras's
count_params() of those layers: written to encoder_decomposed.truth.json. The Keras block is
saved beside it (encoder_decomposed.keras): presynth reads both into the same layers and
writes the same weights for them (tests/cli_transformer.rs).

encoder_positional.onnx is the same block after a learned positional embedding: an Add of
the input and a [1, 16, 32] initializer first (what torch.onnx.export writes for
`x + self.pos` with an nn.Parameter). Truth: onnxruntime's output of it equals the Keras
block's output of `x + pos`, and its initializers hold 8544 + 16·32 = 9056 values.

Run: KERAS_BACKEND=jax JAX_PLATFORMS=cpu .venv/bin/python scripts/make_transformer_onnx_decomposed.py
"""

import json
import os

import keras
import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "examples", "transformer")
SEQ, D, H, K, FF = 16, 32, 4, 8, 64
EPS = 1e-5


def main():
    rng = np.random.default_rng(7)
    f32 = np.float32

    def r(*shape, s=0.3):
        return rng.normal(0, s, shape).astype(f32)

    w = {
        "Wq": r(D, H * K), "bq": r(H * K, s=0.1),
        "Wk": r(D, H * K), "bk": r(H * K, s=0.1),
        "Wv": r(D, H * K), "bv": r(H * K, s=0.1),
        "Wo": r(H * K, D), "bo": r(D, s=0.1),
        "g1": (1 + r(D, s=0.1)), "b1": r(D, s=0.1),
        "W1": r(D, FF), "c1": r(FF, s=0.1),
        "W2": r(FF, D), "c2": r(D, s=0.1),
        "g2": (1 + r(D, s=0.1)), "b2": r(D, s=0.1),
    }
    inits = [numpy_helper.from_array(v, k) for k, v in w.items()]
    nodes = []

    def const(name, v, dt=np.float32):
        nodes.append(helper.make_node("Constant", [], [name], name=f"const_{name}",
                                      value=numpy_helper.from_array(np.asarray(v, dtype=dt), name)))

    def n(op, ins, outs, name, **kw):
        nodes.append(helper.make_node(op, ins, [outs], name=name, **kw))

    const("heads_shape", [1, SEQ, H, K], np.int64)
    const("merge_shape", [1, SEQ, H * K], np.int64)
    const("sqrt_k", np.sqrt(K))
    for t in "qkv":
        n("MatMul", ["x", f"W{t}"], f"{t}_mm", f"mha/{t}_proj/MatMul")
        n("Add", [f"{t}_mm", f"b{t}"], f"{t}_p", f"mha/{t}_proj/Add")
        n("Reshape", [f"{t}_p", "heads_shape"], f"{t}_r", f"mha/{t}_Reshape")
        perm = [0, 2, 3, 1] if t == "k" else [0, 2, 1, 3]
        n("Transpose", [f"{t}_r"], f"{t}_h", f"mha/{t}_Transpose", perm=perm)
    n("MatMul", ["q_h", "k_h"], "scores", "mha/scores/MatMul")
    n("Div", ["scores", "sqrt_k"], "scaled", "mha/scale/Div")
    n("Softmax", ["scaled"], "probs", "mha/Softmax", axis=-1)
    n("MatMul", ["probs", "v_h"], "ctx", "mha/context/MatMul")
    n("Transpose", ["ctx"], "ctx_t", "mha/context/Transpose", perm=[0, 2, 1, 3])
    n("Reshape", ["ctx_t", "merge_shape"], "ctx_m", "mha/context/Reshape")
    n("MatMul", ["ctx_m", "Wo"], "o_mm", "mha/out_proj/MatMul")
    n("Add", ["o_mm", "bo"], "attn", "mha/out_proj/Add")
    n("Add", ["x", "attn"], "res1", "res1")
    # LayerNorm, decomposed
    const("two", 2.0)
    const("eps", EPS)
    n("ReduceMean", ["res1"], "mu", "ln1/ReduceMean", axes=[-1], keepdims=1)
    n("Sub", ["res1", "mu"], "dev", "ln1/Sub")
    n("Pow", ["dev", "two"], "sq", "ln1/Pow")
    n("ReduceMean", ["sq"], "var", "ln1/ReduceMean_1", axes=[-1], keepdims=1)
    n("Add", ["var", "eps"], "var_e", "ln1/Add")
    n("Sqrt", ["var_e"], "std", "ln1/Sqrt")
    n("Div", ["dev", "std"], "norm", "ln1/Div")
    n("Mul", ["norm", "g1"], "scaled1", "ln1/Mul")
    n("Add", ["scaled1", "b1"], "ln1", "ln1/Add_1")
    # feed-forward
    n("MatMul", ["ln1", "W1"], "f1", "ffn1/MatMul")
    n("Add", ["f1", "c1"], "f1b", "ffn1/Add")
    n("Relu", ["f1b"], "f1r", "ffn1/Relu")
    n("MatMul", ["f1r", "W2"], "f2", "ffn2/MatMul")
    n("Add", ["f2", "c2"], "f2b", "ffn2/Add")
    n("Add", ["ln1", "f2b"], "res2", "res2")
    n("LayerNormalization", ["res2", "g2", "b2"], "y", "ln2", axis=-1, epsilon=EPS)

    graph = helper.make_graph(
        nodes, "encoder_decomposed",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, SEQ, D])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, SEQ, D])],
        inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model, full_check=True)
    path = os.path.join(OUT, "encoder_decomposed.onnx")
    onnx.save(model, path)

    # the same block from Keras layers, with the same weights
    inp = keras.Input((SEQ, D))
    mha = keras.layers.MultiHeadAttention(num_heads=H, key_dim=K, name="mha")
    ln1 = keras.layers.LayerNormalization(epsilon=EPS, name="ln1")
    ffn1 = keras.layers.Dense(FF, activation="relu", name="ffn1")
    ffn2 = keras.layers.Dense(D, name="ffn2")
    ln2 = keras.layers.LayerNormalization(epsilon=EPS, name="ln2")
    a = ln1(keras.layers.Add()([inp, mha(inp, inp)]))
    out = ln2(keras.layers.Add()([a, ffn2(ffn1(a))]))
    block = keras.Model(inp, out)
    mha.set_weights([
        w["Wq"].reshape(D, H, K), w["bq"].reshape(H, K),
        w["Wk"].reshape(D, H, K), w["bk"].reshape(H, K),
        w["Wv"].reshape(D, H, K), w["bv"].reshape(H, K),
        w["Wo"].reshape(H, K, D), w["bo"],
    ])
    ln1.set_weights([w["g1"], w["b1"]])
    ffn1.set_weights([w["W1"], w["c1"]])
    ffn2.set_weights([w["W2"], w["c2"]])
    ln2.set_weights([w["g2"], w["b2"]])
    x = rng.normal(size=(1, SEQ, D)).astype(f32)
    want = np.asarray(block(x))
    got = ort.InferenceSession(path).run(None, {"x": x})[0]
    err = float(np.abs(want - got).max())
    assert err < 1e-4, f"ONNX and Keras differ by {err}"
    block.save(os.path.join(OUT, "encoder_decomposed.keras"))
    counts = {l.name: int(l.count_params()) for l in (mha, ln1, ffn1, ffn2, ln2)}
    inits_n = int(sum(np.prod(t.dims) for t in graph.initializer))
    assert inits_n == sum(counts.values()), (inits_n, counts)
    truth = {
        "keras_count_params": counts,
        "initializer_values": inits_n,
        "max_abs_difference_onnxruntime_vs_keras": err,
        "onnxruntime_version": ort.__version__,
        "keras_version": keras.__version__,
    }
    with open(os.path.join(OUT, "encoder_decomposed.truth.json"), "w") as f:
        json.dump(truth, f, indent=1)
        f.write("\n")
    print(truth)

    # the same block after a positional embedding added to the input
    pos = r(1, SEQ, D)
    graph = model.graph  # make_model copied the graph
    for node in graph.node:
        node.input[:] = ["x_pos" if i == "x" else i for i in node.input]
    graph.node.insert(0, helper.make_node("Add", ["x", "pos"], ["x_pos"], name="pos_add"))
    graph.initializer.append(numpy_helper.from_array(pos, "pos"))
    graph.name = "encoder_positional"
    onnx.checker.check_model(model, full_check=True)
    path = os.path.join(OUT, "encoder_positional.onnx")
    onnx.save(model, path)
    want = np.asarray(block(x + pos))
    got = ort.InferenceSession(path).run(None, {"x": x})[0]
    err = float(np.abs(want - got).max())
    assert err < 1e-4, f"ONNX and Keras differ by {err}"
    n = int(sum(np.prod(t.dims) for t in graph.initializer))
    assert n == inits_n + SEQ * D, n
    print({"encoder_positional initializer_values": n, "max_abs_difference": err})


if __name__ == "__main__":
    main()
