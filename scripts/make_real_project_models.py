#!/usr/bin/env python3
"""Build the model files of data/real-projects rows whose repository published the weights but
not a loadable model file (the architecture is only in the project's script).

Run with the QKeras environment (scripts/setup-qkeras.sh): `.venv-qkeras/bin/python
scripts/make_real_project_models.py`. Each model is the architecture restated from the
repository (commit and function named below; no code copied) with the repository's own weights
file loaded into it, saved as a Keras h5 beside the weights. Rerunning rewrites the same files.
"""
import os
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
DATA = os.path.join(ROOT, "data", "real-projects", "models")


def dnd_qmlp():
    """thaarres/dnd_hls4ml@4b2d9c51364495b52118211db1bcdcccee224f6c, hls4ml_model_generation/
    synthesize.py, function buildQKeras: Input(98) -> QActivation quantized_bits(4,alpha=1) ->
    QDense(10) (kernel, bias quantized_bits(4,alpha=1)) -> QActivation quantized_relu(4) ->
    QDense(1) (same quantizers) -> Activation sigmoid; weights 0316_soft_4bit_alpha1_sigmoid.h5."""
    from qkeras import QActivation, QDense, quantized_bits
    from tensorflow.keras.layers import Activation, Input
    from tensorflow.keras.models import Model

    d = os.path.join(DATA, "thaarres__dnd_hls4ml")
    inp = Input(shape=(98,), name="inputlayer_")
    x = QActivation("quantized_bits(4,alpha=1)", name="qact0")(inp)
    x = QDense(10, kernel_quantizer=quantized_bits(4, alpha=1), bias_quantizer=quantized_bits(4, alpha=1), name="fc1")(x)
    x = QActivation("quantized_relu(4)", name="relu1")(x)
    x = QDense(1, kernel_quantizer=quantized_bits(4, alpha=1), bias_quantizer=quantized_bits(4, alpha=1), name="fc2")(x)
    x = Activation("sigmoid", name="output")(x)
    model = Model(inp, x)
    model.load_weights(os.path.join(d, "0316_soft_4bit_alpha1_sigmoid.h5"))
    out = os.path.join(d, "dnd_qmlp_4bit.h5")
    tmp = out + ".tmp.h5"
    model.save(tmp)
    os.replace(tmp, out)
    return out


if __name__ == "__main__":
    for build in (dnd_qmlp,):
        print("wrote", os.path.relpath(build(), ROOT))
    sys.exit(0)
