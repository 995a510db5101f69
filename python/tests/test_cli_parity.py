"""presynth.estimate / inspect / parts give exactly what the `presynth` CLI prints with
`--format json` (the independent truth: the CLI's own output, run as a process) on the bundled
examples: DSL files and text, Keras JSON + HDF5 weights with an hls4ml config, QKeras, a Keras 3
archive, ONNX, with and without overrides."""

import math
import pathlib

import pytest

import presynth

EX = pathlib.Path("examples")
K = EX / "hls4ml-examples" / "keras"

CASES = [
    (EX / "jet_tagger_mlp.psn", None, {}),
    (EX / "conv1d_small.psn", None, {"part": "xcu250"}),
    (EX / "conv2d_small.psn", None, {"part": "xcu250", "io_type": "io_stream"}),
    (EX / "residual.psn", None, {"part": "xcvu9p", "reuse_factor": 4, "strategy": "Resource"}),
    (K / "KERAS_3layer.json", EX / "jet_tagger_hls4ml_config.yml", {}),
    (K / "KERAS_3layer.json", None, {"part": "xcu250", "precision": "ap_fixed<8,3>", "reuse_factor": 2}),
    (K / "qkeras_3layer.json", EX / "hls4ml-examples" / "config-files" / "qkeras_3layer_config.yml", {}),
    (K / "KERAS_conv1d_small.json", None, {"part": "xcu250", "clock_period": 4}),
    (K / "qkeras-v3_3layer.keras", None, {"part": "xcu250"}),
    (EX / "hls4ml-examples" / "onnx" / "three_layer_keras.onnx", None, {"part": "xcu250"}),
]

FLAGS = {"part": "--part", "reuse_factor": "--reuse-factor", "strategy": "--strategy",
         "precision": "--precision", "io_type": "--io-type", "clock_period": "--clock-period"}


def same(a, b, path="$"):
    """Equal JSON values, floats within 1e-12 relative: the wheel's Rust is compiled apart from
    the CLI's (its own crate, other inlining), and a sum of products can differ in the last bit
    (seen: a layer's post-synthesis BRAM 9.521652276391048 vs ...046)."""
    if isinstance(a, dict) and isinstance(b, dict):
        assert a.keys() == b.keys(), f"{path}: keys {sorted(a)} vs {sorted(b)}"
        for k in a:
            same(a[k], b[k], f"{path}.{k}")
    elif isinstance(a, list) and isinstance(b, list):
        assert len(a) == len(b), f"{path}: {len(a)} vs {len(b)} items"
        for i, (x, y) in enumerate(zip(a, b)):
            same(x, y, f"{path}[{i}]")
    elif isinstance(a, float) or isinstance(b, float):
        assert math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12), f"{path}: {a} vs {b}"
    else:
        assert a == b, f"{path}: {a!r} vs {b!r}"


def cli_args(model, config, settings):
    args = [model]
    if config is not None:
        args += ["--config", config]
    for k, v in settings.items():
        args += [FLAGS[k], v]
    return args


@pytest.mark.parametrize("model,config,settings", CASES, ids=lambda v: str(v))
def test_estimate_equals_cli_json(root, cli, model, config, settings):
    want = cli.json("estimate", *cli_args(model, config, settings))
    got = presynth.estimate(root / model, None if config is None else root / config, **settings)
    same(got, want)


@pytest.mark.parametrize("model,config,settings", CASES[:7], ids=lambda v: str(v))
def test_inspect_equals_cli_json(root, cli, model, config, settings):
    args = [model] + ([] if config is None else ["--config", config])
    assert presynth.inspect(root / model, None if config is None else root / config) == cli.json("inspect", *args)


def test_dsl_text_equals_the_file(root):
    path = root / EX / "jet_tagger_mlp.psn"
    text = path.read_text()
    # The file names its network, so the text gives the same report.
    assert presynth.estimate(text, part="xcu250") == presynth.estimate(path, part="xcu250")
    # A str path works as well as a pathlib.Path.
    assert presynth.estimate(str(path)) == presynth.estimate(path)


def test_parts_equal_cli_targets(cli):
    assert presynth.parts() == cli.json("targets")
    assert presynth.parts("fpga") == cli.json("targets", "--kind", "fpga")
    assert all(p in presynth.parts() for p in presynth.parts("gpu"))


def test_attention_equals_cli_json(cli):
    want = cli.json("attention", "--heads", 8, "--kv-heads", 2, "--seq", 1024, "--head-dim", 64,
                    "--dtype", "fp16", "--target", "h100", "--causal")
    got = presynth.attention(heads=8, kv_heads=2, seq=1024, head_dim=64, dtype="fp16", target="h100", causal=True)
    assert got == want
    want = cli.json("attention", "--heads", 4, "--seq", 256, "--head-dim", 32, "--dtype", "ap_fixed<16,6>",
                    "--target", "alveo-u250", "--fpga-fraction", 0.25)
    assert presynth.attention(heads=4, seq=256, head_dim=32, dtype="ap_fixed<16,6>", target="alveo-u250",
                              fpga_fraction=0.25) == want


def test_codegen_writes_the_cli_project(root, cli, tmp_path):
    model = root / "examples" / "hls4ml-examples" / "keras" / "KERAS_3layer.json"
    # Same leaf name: the project files name their directory.
    a, b = tmp_path / "a" / "prj", tmp_path / "b" / "prj"
    rep = presynth.codegen(model, a, reuse_factor=4, strategy="Resource")
    want = cli.json("codegen", model, "-o", b, "--reuse-factor", 4, "--strategy", "Resource")
    for k in ("project_name", "backend", "io_type", "layers", "warnings", "generated_files", "generated_bytes"):
        assert rep[k] == want[k], k
    files_a = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    files_b = sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    assert files_a == files_b
    for f in files_a:
        ta = (a / f).read_bytes().replace(bytes(a), b"PRJ")
        tb = (b / f).read_bytes().replace(bytes(b), b"PRJ")
        assert ta == tb, f


def test_codegen_of_dsl_text_with_random_weights_equals_the_cli(root, cli, tmp_path):
    psn = root / "examples" / "jet_tagger_mlp.psn"
    a, b = tmp_path / "a" / "prj", tmp_path / "b" / "prj"
    with pytest.warns(UserWarning, match="filled with pseudo-random values"):
        presynth.codegen(psn.read_text(), a, random_weights=7, io_type="io_stream")
    cli.json("codegen", psn, "-o", b, "--random-weights", 7, "--io-type", "io_stream")
    files = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    for f in files:
        assert (a / f).read_bytes().replace(bytes(a), b"P") == (b / f).read_bytes().replace(bytes(b), b"P"), f
    # Without weights, and into an existing directory without force: the CLI's errors.
    with pytest.raises(ValueError, match="--random-weights SEED"):
        presynth.codegen(psn.read_text(), tmp_path / "c")
    with pytest.raises(ValueError, match="already exists"):
        presynth.codegen(psn.read_text(), a, random_weights=7)
