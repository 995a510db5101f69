"""The learned estimators of a wheel built with `scripts/build-wheel.sh --features learned`:
`presynth.estimate(..., estimator="hybrid")` (and gnn, pure, transformer) gives what the
`presynth-ml` command line prints with `--format json` for the same model and options (the
independent truth: the CLI's own output, run as a process). Skipped, loudly, in a wheel without
the feature (scripts/test-python.sh builds and tests both wheels)."""

import pathlib

import pytest

import presynth
from test_cli_parity import CASES, cli_args, same

pytestmark = pytest.mark.skipif(not presynth.LEARNED, reason="this wheel was built without the learned estimators")

MODEL = pathlib.Path("models") / "default"


@pytest.mark.parametrize("model,config,settings", CASES, ids=lambda v: str(v))
def test_hybrid_equals_presynth_ml_json(root, cli_ml, model, config, settings):
    want = cli_ml.json("estimate", *cli_args(model, config, settings), "--estimator", "hybrid",
                       "--surrogate", root / MODEL)
    got = presynth.estimate(root / model, None if config is None else root / config, estimator="hybrid",
                            surrogate=root / MODEL, **settings)
    same(got, want)
    # The surrogate ran: its model, intervals and coverage are in the report, the analytic
    # totals beside them.
    assert got["estimator"] == "hybrid" and got["surrogate"]["members"] >= 1
    assert {"interval", "coverage", "analytic"} <= got.keys()


def test_default_model_is_the_one_the_wheel_carries(root, cli_ml):
    """Without `surrogate`, the wheel uses its copy of models/default: the same prediction as the
    CLI's default model; only the reported directory differs."""
    ex = root / "examples" / "jet_tagger_mlp.psn"
    want = cli_ml.json("estimate", ex, "--estimator", "hybrid")
    got = presynth.estimate(ex, estimator="hybrid")
    carried = pathlib.Path(got["surrogate"]["model_dir"])
    assert carried.parent.parent == pathlib.Path(presynth.__file__).parent
    assert (carried / "model.json").read_bytes() == (root / MODEL / "model.json").read_bytes()
    got["surrogate"]["model_dir"] = want["surrogate"]["model_dir"]
    same(got, want)


def test_gnn_and_estimate_many_equal_the_cli(root, cli_ml):
    ex = root / "examples" / "conv1d_small.psn"
    want = cli_ml.json("estimate", ex, "--part", "xcu250", "--estimator", "gnn", "--surrogate", root / MODEL)
    same(presynth.estimate(ex, part="xcu250", estimator="gnn", surrogate=root / MODEL), want)
    many = presynth.estimate_many([ex, {"model": ex, "reuse_factor": 4}], part="xcu250", estimator="gnn",
                                  surrogate=root / MODEL)
    same(many[0], want)
    same(many[1], presynth.estimate(ex, part="xcu250", reuse_factor=4, estimator="gnn", surrogate=root / MODEL))


def test_a_model_of_another_kind_is_refused_with_the_cli_message(root, cli_ml):
    # models/default is a hybrid GNN: `transformer` and `pure` do not apply to it.
    ex = root / "examples" / "jet_tagger_mlp.psn"
    for name in ("transformer", "pure"):
        with pytest.raises(ValueError) as e:
            presynth.estimate(ex, estimator=name, surrogate=root / MODEL)
        assert str(e.value) == cli_ml.error("estimate", ex, "--estimator", name, "--surrogate", root / MODEL)


def test_a_missing_surrogate_directory_is_file_not_found(root, tmp_path, cli_ml):
    ex = root / "examples" / "jet_tagger_mlp.psn"
    with pytest.raises(FileNotFoundError) as e:
        presynth.estimate(ex, estimator="hybrid", surrogate=tmp_path / "none")
    assert str(e.value) == cli_ml.error("estimate", ex, "--estimator", "hybrid", "--surrogate", tmp_path / "none")


def test_a_surrogate_needs_a_learned_estimator(root):
    with pytest.raises(ValueError, match="--surrogate"):
        presynth.estimate(root / "examples" / "jet_tagger_mlp.psn", surrogate=root / MODEL)
