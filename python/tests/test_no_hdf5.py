"""A wheel built without libhdf5 (`scripts/build-wheel.sh --no-hdf5`, the crate's `hdf5` feature
off): HDF5 files (Keras weights, legacy .h5 models, the weights inside a .keras archive) are
refused with an error naming the file and the missing feature, and everything else still works
and equals the `presynth` CLI's JSON (the truth). Skipped, loudly, in a wheel with HDF5
(scripts/test-python.sh builds and tests this wheel too)."""

import shutil

import pytest

import presynth
from test_cli_parity import same

pytestmark = pytest.mark.skipif(presynth.HDF5, reason="this wheel reads HDF5 (built with the default hdf5 feature)")

K = ("examples", "hls4ml-examples", "keras")


def _refused(e, path):
    msg = str(e.value)
    assert str(path) in msg, msg
    assert "built without HDF5 support" in msg and "`hdf5` feature" in msg and "--no-hdf5" in msg, msg


def test_hdf5_files_are_refused_naming_the_file_and_the_feature(root):
    k = root.joinpath(*K)
    legacy = root / "data" / "real-projects" / "models" / "alezander9__ml_fpgaonpixel" / "keras_model_007eef7550.h5"
    with pytest.raises(ValueError) as e:
        presynth.estimate(legacy, part="xcu250")
    _refused(e, legacy)
    # A Keras JSON finds its weights file beside it: the weights are HDF5.
    with pytest.raises(ValueError) as e:
        presynth.estimate(k / "KERAS_3layer.json")
    _refused(e, k / "KERAS_3layer_weights.h5")
    with pytest.raises(ValueError) as e:
        presynth.estimate(k / "KERAS_3layer.json", weights=k / "KERAS_3layer_weights.h5")
    _refused(e, k / "KERAS_3layer_weights.h5")
    # A .keras archive keeps its weights as HDF5.
    with pytest.raises(ValueError) as e:
        presynth.inspect(k / "qkeras-v3_3layer.keras")
    _refused(e, k / "qkeras-v3_3layer.keras")


def test_the_rest_still_equals_the_cli(root, cli, tmp_path):
    psn = root / "examples" / "jet_tagger_mlp.psn"
    same(presynth.estimate(psn, part="xcu250"), cli.json("estimate", psn, "--part", "xcu250"))
    # A Keras JSON without a weights file: the architecture alone, as the CLI reads it.
    j = tmp_path / "arch.json"
    shutil.copy(root.joinpath(*K, "KERAS_3layer.json"), j)
    same(presynth.estimate(j, part="xcu250"), cli.json("estimate", j, "--part", "xcu250"))
    onnx = root / "examples" / "hls4ml-examples" / "onnx" / "three_layer_keras.onnx"
    same(presynth.estimate(onnx, part="xcu250"), cli.json("estimate", onnx, "--part", "xcu250"))
