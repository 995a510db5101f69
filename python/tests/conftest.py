"""Shared fixtures of the Python package's tests: the repository root, the `presynth` CLI
binary (the independent truth the package's results are compared with) and a runner for it.

The binary is $PRESYNTH_BIN, else target/debug/presynth (built by `cargo test --workspace`,
which scripts/test.sh runs first); a missing binary fails the tests, it does not skip them.
"""

import json
import os
import pathlib
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def root():
    return ROOT


@pytest.fixture(scope="session")
def cli_bin():
    b = pathlib.Path(os.environ.get("PRESYNTH_BIN", ROOT / "target" / "debug" / "presynth"))
    if not b.is_file():
        pytest.fail(f"the presynth CLI binary {b} is missing: run `cargo build --bin presynth` or set PRESYNTH_BIN")
    return b


class Cli:
    def __init__(self, binary):
        self.binary = binary

    def run(self, *args):
        return subprocess.run([str(self.binary), *map(str, args)], capture_output=True, text=True, cwd=ROOT)

    def json(self, *args):
        p = self.run(*args, "--format", "json")
        assert p.returncode == 0, p.stderr
        return json.loads(p.stdout)

    def error(self, *args):
        """The CLI's error message (its `error: ` line without the prefix) for a failing command."""
        p = self.run(*args)
        assert p.returncode != 0, f"expected {args} to fail"
        lines = [l for l in p.stderr.splitlines() if l.startswith("error: ")]
        assert lines, p.stderr
        return lines[-1][len("error: "):]


@pytest.fixture(scope="session")
def cli(cli_bin):
    return Cli(cli_bin)


@pytest.fixture(scope="session")
def cli_ml():
    """The `presynth-ml` binary (the CLI with the learned estimators): $PRESYNTH_ML_BIN, else
    target/debug/presynth-ml (built by `cargo test --workspace`)."""
    b = pathlib.Path(os.environ.get("PRESYNTH_ML_BIN", ROOT / "target" / "debug" / "presynth-ml"))
    if not b.is_file():
        pytest.fail(f"the presynth-ml binary {b} is missing: run `cargo build --bin presynth-ml` or set PRESYNTH_ML_BIN")
    return Cli(b)
