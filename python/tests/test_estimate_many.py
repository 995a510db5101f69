"""estimate_many equals a loop of estimate (lists and DataFrames), per-item settings override
the common ones, and failures are reported by item."""

import pytest

import presynth


def candidates(root):
    mlp = (root / "examples" / "jet_tagger_mlp.psn").read_text()
    return [
        "input(16) -> dense(32, relu) -> dense(5, softmax)",
        {"model": mlp, "reuse_factor": 4, "strategy": "Resource"},
        {"model": root / "examples" / "conv1d_small.psn", "precision": "ap_fixed<8,3>"},
        {"model": root / "examples" / "hls4ml-examples" / "keras" / "KERAS_3layer.json",
         "config": root / "examples" / "jet_tagger_hls4ml_config.yml"},
        "input(8) -> dense(4)",
    ]


def loop(items, **common):
    out = []
    for it in items:
        if isinstance(it, dict):
            it = dict(it)
            m = it.pop("model")
            cfg = it.pop("config", None)
            out.append(presynth.estimate(m, cfg, **{**common, **it}))
        else:
            out.append(presynth.estimate(it, **common))
    return out


def test_estimate_many_equals_a_loop(root):
    items = candidates(root)
    assert presynth.estimate_many(items, part="xcu250") == loop(items, part="xcu250")
    assert presynth.estimate_many(items * 20, part="xcvu9p", reuse_factor=2) == loop(items, part="xcvu9p", reuse_factor=2) * 20


def test_estimate_many_frame_rows_are_the_reports(root):
    pd = pytest.importorskip("pandas")
    items = candidates(root)
    df = presynth.estimate_many(items, part="xcu250", as_frame=True)
    assert isinstance(df, pd.DataFrame) and len(df) == len(items)
    for row, rep in zip(df.to_dict("records"), loop(items, part="xcu250")):
        assert row["total.lut"] == rep["total"]["lut"]
        assert row["post_synthesis.dsp"] == rep["post_synthesis"]["dsp"]
        assert row["total.latency_cycles"] == rep["total"]["latency_cycles"]
        assert row["fits"] == rep["fits"] and row["model"] == rep["model"]
        assert "layers" not in row


def test_estimate_many_errors_name_the_item(root):
    items = ["input(16) -> dense(5)", "input(16) -> dens(5)"]
    with pytest.raises(ValueError, match="^item 1: DSL text: line 1"):
        presynth.estimate_many(items, part="xcu250")
    with pytest.raises(FileNotFoundError, match="^item 0: "):
        presynth.estimate_many([root / "nope.onnx"])
    got = presynth.estimate_many(items, part="xcu250", on_error="none")
    assert got[0] == presynth.estimate(items[0], part="xcu250") and got[1] is None
    with pytest.raises(ValueError, match="unknown item keys"):
        presynth.estimate_many([{"model": items[0], "reuse": 2}])
