"""Bad input raises the right Python exception with the CLI's own message (the truth: the
`error: ` line `presynth estimate` prints for the same input)."""

import pytest

import presynth

DENSE = "input(16) -> dense(5, relu)"


def test_missing_model_file_is_file_not_found_with_the_cli_message(root, cli):
    missing = root / "examples" / "no_such_model.json"
    with pytest.raises(FileNotFoundError) as e:
        presynth.estimate(missing)
    assert str(e.value) == cli.error("estimate", missing)


def test_missing_dsl_file_and_config_are_file_not_found(root, cli):
    with pytest.raises(FileNotFoundError) as e:
        presynth.estimate(root / "examples" / "nothing.psn")
    assert str(e.value) == cli.error("estimate", root / "examples" / "nothing.psn")
    model, cfg = root / "examples" / "jet_tagger_mlp.psn", root / "examples" / "missing.yml"
    with pytest.raises(FileNotFoundError) as e:
        presynth.estimate(model, cfg)
    assert str(e.value) == cli.error("estimate", model, "--config", cfg)
    with pytest.raises(FileNotFoundError):
        presynth.inspect(model, cfg)
    # A str that names no file and is not DSL is a path too.
    with pytest.raises(FileNotFoundError):
        presynth.estimate("model.keras")


def test_bad_dsl_is_value_error_naming_line_and_column(tmp_path, cli):
    text = "input(16) -> dens(5)\n"
    with pytest.raises(ValueError) as e:
        presynth.estimate(text)
    f = tmp_path / "bad.psn"
    f.write_text(text)
    # The CLI names the file where the package says "DSL text"; the rest is the same.
    assert str(e.value).replace("DSL text: ", "") == cli.error("estimate", f).replace(f"{f}: ", "")
    assert "line 1, column 14" in str(e.value) and "did you mean 'dense'" in str(e.value)


@pytest.mark.parametrize("settings,flags", [
    ({"reuse_factor": 0}, ["--reuse-factor", "0"]),
    ({"clock_period": -1.0}, ["--clock-period=-1"]),
    ({"part": "xc-no-such-part"}, ["--part", "xc-no-such-part"]),
    ({"part": "h100"}, ["--part", "h100"]),
])
def test_bad_settings_are_value_errors_with_the_cli_message(tmp_path, cli, settings, flags):
    f = tmp_path / "m.psn"
    f.write_text(DENSE + "\n")
    with pytest.raises(ValueError) as e:
        presynth.estimate(f, **settings)
    assert str(e.value) == cli.error("estimate", f, *flags)


@pytest.mark.parametrize("settings", [
    {"precision": "ap_fixed<0,3>"}, {"strategy": "Fastest"}, {"io_type": "io_serial"}, {"reuse_factor": -2},
])
def test_unparsable_settings_are_value_errors(settings):
    with pytest.raises(ValueError) as e:
        presynth.estimate(DENSE, **settings)
    flag = "--" + next(iter(settings)).replace("_", "-")
    assert str(e.value).startswith(flag)


def test_bad_config_dict_is_value_error_naming_the_field():
    with pytest.raises(ValueError) as e:
        presynth.estimate(DENSE, {"Model": {"ReuseFactr": 4}})
    assert "<config dict>" in str(e.value) and "ReuseFactor" in str(e.value)


def test_wrong_types_are_type_errors():
    with pytest.raises(TypeError):
        presynth.estimate(42)
    with pytest.raises(TypeError):
        presynth.estimate(DENSE, config=3.5)


@pytest.mark.skipif(presynth.LEARNED, reason="this wheel has the learned estimators (test_learned.py)")
def test_learned_estimators_are_refused_clearly():
    with pytest.raises(RuntimeError, match="built without the learned estimators"):
        presynth.estimate(DENSE, part="xcu250", estimator="hybrid")
    with pytest.raises(RuntimeError, match="--features learned"):
        presynth.estimate_many([DENSE], part="xcu250", estimator="gnn")


def test_unknown_estimator_is_a_value_error():
    with pytest.raises(ValueError, match="--estimator"):
        presynth.estimate(DENSE, part="xcu250", estimator="magic")
