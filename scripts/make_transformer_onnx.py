#!/usr/bin/env python3
"""Write examples/transformer/attention_block.onnx: the attention and first LayerNorm of the Keras
encoder example (examples/transformer/transformer_encoder.keras, its layers `mha` and `ln1`)
as an ONNX graph an exporter writes for it: Q, K, V projections as MatMul + Add, the opset-23
`Attention` operator, the output projection MatMul + Add, the residual Add and
`LayerNormalization`. The weights are the Keras layers' own (Keras kernels reshaped
`[d, H, k]` -> `[d, H*k]`, heads head-major as ONNX splits them).

Truth: onnxruntime's output of the file equals Keras's `ln1(x + mha(x, x))` on random inputs
(checked here, the script fails otherwise), and the file's initializers hold Keras's
count_params() of the two layers (4224 + 64 = 4288), written to attention_block.truth.json.

Run: KERAS_BACKEND=jax JAX_PLATFORMS=cpu .venv/bin/python scripts/make_transformer_onnx.py
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


def main():
    enc = keras.saving.load_model(os.path.join(OUT, "transformer_encoder.keras"))
    mha, ln = enc.get_layer("mha"), enc.get_layer("ln1")
    seq, d = 16, 32
    heads, kd = mha.num_heads, mha.key_dim
    w = {v.path.split("/", 1)[1]: np.asarray(v.numpy(), dtype=np.float32) for v in mha.weights}
    inits, nodes = [], []

    def const(name, a):
        inits.append(numpy_helper.from_array(np.ascontiguousarray(a, dtype=np.float32), name))

    for p, t in [("query", "q"), ("key", "k"), ("value", "v")]:
        const(f"W{t}", w[f"{p}/kernel"].reshape(d, -1))
        const(f"b{t}", w[f"{p}/bias"].reshape(-1))
        nodes.append(helper.make_node("MatMul", ["x", f"W{t}"], [f"{t}_mm"], name=f"{t}_proj"))
        nodes.append(helper.make_node("Add", [f"{t}_mm", f"b{t}"], [t], name=f"{t}_bias"))
    nodes.append(helper.make_node("Attention", ["q", "k", "v"], ["att"], name="mha",
                                  q_num_heads=heads, kv_num_heads=heads))
    const("Wo", w["attention_output/kernel"].reshape(heads * kd, d))
    const("bo", w["attention_output/bias"])
    nodes.append(helper.make_node("MatMul", ["att", "Wo"], ["o_mm"], name="o_proj"))
    nodes.append(helper.make_node("Add", ["o_mm", "bo"], ["o"], name="o_bias"))
    nodes.append(helper.make_node("Add", ["x", "o"], ["r"], name="res1"))
    const("gamma", ln.gamma.numpy())
    const("beta", ln.beta.numpy())
    nodes.append(helper.make_node("LayerNormalization", ["r", "gamma", "beta"], ["y"],
                                  name="ln1", axis=-1, epsilon=float(ln.epsilon)))
    graph = helper.make_graph(
        nodes, "attention_block",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, seq, d])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, seq, d])],
        inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 23)])
    onnx.checker.check_model(model, full_check=True)
    path = os.path.join(OUT, "attention_block.onnx")
    onnx.save(model, path)

    # the ONNX graph computes what the Keras layers compute
    inp = keras.Input((seq, d))
    keras_block = keras.Model(inp, ln(keras.layers.Add()([inp, mha(inp, inp)])))
    x = np.random.default_rng(0).normal(size=(1, seq, d)).astype(np.float32)
    want = np.asarray(keras_block(x))
    got = ort.InferenceSession(path).run(None, {"x": x})[0]
    err = float(np.abs(want - got).max())
    assert err < 1e-4, f"ONNX and Keras differ by {err}"
    expected = {
        "keras_count_params": {"mha": int(mha.count_params()), "ln1": int(ln.count_params())},
        "initializer_values": int(sum(np.prod(t.dims) for t in graph.initializer)),
        "max_abs_difference_onnxruntime_vs_keras": err,
        "onnxruntime_version": ort.__version__,
    }
    with open(os.path.join(OUT, "attention_block.truth.json"), "w") as f:
        json.dump(expected, f, indent=1)
        f.write("\n")
    print(expected)


if __name__ == "__main__":
    main()
