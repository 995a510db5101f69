"""presynth from Python: the FPGA cost of a neural network as hls4ml 1.3.0 + Vitis HLS would
build it (LUT, FF, DSP, BRAM, latency, II), without running synthesis.

    import presynth
    r = presynth.estimate("examples/jet_tagger_mlp.psn", part="xcu250", reuse_factor=4)
    r["total"]["lut"], r["total"]["latency_cycles"], r["fits"]

Every function returns what the matching ``presynth`` command prints with ``--format json``
(``estimate``: the schema of docs/estimate.schema.json), as Python dicts and lists. Errors are
exceptions with the command line's messages: ``FileNotFoundError`` for a missing file,
``ValueError`` for bad input, ``TypeError`` for an argument of the wrong type.

Models and configs: see ``presynth._sources`` (a path, DSL text or an in-memory Keras 3 model;
a config path or the dict of hls4ml's ``config_from_keras_model``).

``estimate_many`` runs a list of candidates in parallel (Rust threads, GIL released) and
returns a list of dicts, or with ``as_frame=True`` a pandas DataFrame with one row per
candidate (``total.lut``, ``post_synthesis.lut``, ``total.latency_cycles``, ``fits``, ...), as
rule4ml returns its predictions. The default is the list, so that the result does not change
type with what happens to be installed.

The learned estimators (``estimator="hybrid"``, "pure", "gnn", "transformer": the surrogate
models of ``presynth-ml``, which link libtorch) are in a wheel built with
``scripts/build-wheel.sh --features learned`` only (``presynth.LEARNED`` says which this is);
the default wheel raises ``RuntimeError`` for them. ``presynth.HDF5`` says whether this wheel
reads HDF5 (Keras weights, .h5 and .keras files).
"""

import contextlib
import gc

from . import _native
from ._sources import config_source, model_source

__all__ = ["inspect", "estimate", "estimate_many", "codegen", "attention", "parts", "LEARNED", "HDF5"]

#: Whether this wheel has the learned estimators (built with the ``learned`` feature).
LEARNED = _native.LEARNED
#: Whether this wheel reads HDF5 files (the default ``hdf5`` feature).
HDF5 = _native.HDF5

try:
    from importlib.metadata import version as _version

    __version__ = _version("presynth")
except Exception:  # not installed as a distribution (e.g. run from a source tree)
    __version__ = "unknown"

_SETTINGS = ("part", "reuse_factor", "strategy", "precision", "io_type", "clock_period")


@contextlib.contextmanager
def _no_gc():
    """Pause the cyclic garbage collector while many result dicts are created: they hold no
    cycles, and collections triggered by the allocations would traverse them again and again
    (measured: a third of estimate_many's time for 10,000 reports)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _settings(**kw):
    return {k: v for k, v in kw.items() if v is not None}


def _path_or_none(p):
    import os

    return None if p is None else os.fspath(p)


def _surrogate(estimator, surrogate):
    """The surrogate model directory for a learned estimator: ``surrogate``, else the model a
    learned wheel carries (models/default of the source tree, copied in by
    scripts/build-wheel.sh), else None (the default of the presynth_ml library)."""
    if surrogate is not None or estimator == "analytic" or not LEARNED:
        return _path_or_none(surrogate)
    import os

    own = os.path.join(os.path.dirname(__file__), "models", "default")
    return own if os.path.isdir(own) else None


def inspect(model, config=None, *, weights=None):
    """Per-layer shapes, parameters, MACs, precisions, reuse factor and strategy of a model
    (``presynth inspect --format json``); with ``config``, what it changes."""
    return _native.inspect(model_source(model, weights), config_source(config))


def estimate(
    model,
    config=None,
    *,
    weights=None,
    part=None,
    reuse_factor=None,
    strategy=None,
    precision=None,
    io_type=None,
    clock_period=None,
    estimator="analytic",
    calibration=None,
    surrogate=None,
):
    """The estimate of a model on an FPGA part (``presynth estimate --format json``).

    ``part``, ``reuse_factor``, ``strategy`` ("Latency" or "Resource"), ``precision``
    (e.g. "ap_fixed<8,3>"), ``io_type`` ("io_parallel" or "io_stream") and ``clock_period``
    (ns) override the model's and the config's settings, every layer's included, as the CLI's
    options do. ``calibration`` is a calibration JSON file (default: the bundled one).
    ``estimator`` "hybrid", "pure", "gnn" or "transformer" puts a learned surrogate's totals
    and intervals on top (``presynth-ml estimate --estimator NAME``; a wheel built with the
    ``learned`` feature only); ``surrogate`` is its model directory (``--surrogate``; default:
    the model the wheel carries).
    """
    settings = _settings(
        part=part,
        reuse_factor=reuse_factor,
        strategy=strategy,
        precision=precision,
        io_type=io_type,
        clock_period=clock_period,
    )
    return _native.estimate(
        model_source(model, weights),
        config_source(config),
        settings,
        estimator,
        _path_or_none(calibration),
        _surrogate(estimator, surrogate),
    )


def _item(candidate, config, weights, common):
    if isinstance(candidate, dict):
        c = dict(candidate)
        if "model" not in c:
            raise ValueError("estimate_many: a dict item needs a 'model' key")
        model = c.pop("model")
        cfg = c.pop("config", config)
        w = c.pop("weights", None)
        unknown = sorted(set(c) - set(_SETTINGS))
        if unknown:
            raise ValueError(
                f"estimate_many: unknown item keys {unknown} (expected model, config, weights, "
                + ", ".join(_SETTINGS)
                + ")"
            )
        settings = dict(common)
        settings.update({k: v for k, v in c.items() if v is not None})
        return (model_source(model, w), config_source(cfg), settings)
    return (model_source(candidate, weights), config_source(config), dict(common))


def estimate_many(
    models,
    config=None,
    *,
    weights=None,
    part=None,
    reuse_factor=None,
    strategy=None,
    precision=None,
    io_type=None,
    clock_period=None,
    estimator="analytic",
    calibration=None,
    surrogate=None,
    as_frame=False,
    on_error="raise",
):
    """Estimate many candidates in parallel; equal to ``[estimate(m, ...) for m in models]``.

    Each item is a model (path, DSL text, Keras model) or a dict ``{"model": ..., "config":
    ..., "weights": ..., "part": ..., "reuse_factor": ..., ...}`` whose settings override the
    keyword arguments for that item. Returns a list of report dicts, or with ``as_frame=True``
    a pandas DataFrame with one row per item (nested fields flattened with ".", e.g.
    ``total.lut``; per-layer figures left out). ``on_error="none"`` gives None (a row with an
    ``error`` column in a frame) for an item that fails instead of raising; the raised error
    names the item's index.
    """
    common = _settings(
        part=part,
        reuse_factor=reuse_factor,
        strategy=strategy,
        precision=precision,
        io_type=io_type,
        clock_period=clock_period,
    )
    items = [_item(m, config, weights, common) for m in models]
    if as_frame:
        try:
            import pandas as pd
        except ImportError as e:
            raise ImportError("estimate_many(..., as_frame=True) needs pandas: pip install pandas") from e
        with _no_gc():
            cols = _native.estimate_many(
                items, estimator, _path_or_none(calibration), True, on_error, _surrogate(estimator, surrogate)
            )
        return pd.DataFrame(cols)
    with _no_gc():
        return _native.estimate_many(
            items, estimator, _path_or_none(calibration), False, on_error, _surrogate(estimator, surrogate)
        )


def codegen(
    model,
    out_dir,
    config=None,
    *,
    weights=None,
    backend="Vitis",
    part=None,
    clock_period=None,
    precision=None,
    reuse_factor=None,
    strategy=None,
    io_type=None,
    project_name="myproject",
    templates=None,
    link="copy",
    force=False,
    random_weights=None,
):
    """Write the HLS project hls4ml 1.3.0 would write for a model into ``out_dir``
    (``presynth codegen``, atomically); returns its summary (``codegen --format json``).

    nnet_utils/ and ap_types/ come from an installed hls4ml 1.3.0: ``templates``, else
    $PRESYNTH_HLS4ML_TEMPLATES, else the hls4ml this interpreter can import, else what the CLI
    looks for (a .venv near the working directory, the python on PATH). ``random_weights=SEED`` fills the weights a model lacks (DSL text, a Keras JSON
    without weights). The notes the CLI prints on stderr become ``UserWarning``s.
    """
    import warnings

    options = dict(
        backend=backend,
        part=part,
        clock_period=clock_period,
        precision=precision,
        reuse_factor=reuse_factor,
        strategy=strategy,
        io_type=io_type,
        project_name=project_name,
        templates=_path_or_none(templates) or _own_hls4ml(),
        link=link,
        force=force,
        random_weights=random_weights,
    )
    import os

    report, notes = _native.codegen(model_source(model, weights), config_source(config), os.fspath(out_dir), options)
    for n in notes:
        warnings.warn(n, UserWarning, stacklevel=2)
    return report


def _own_hls4ml():
    """The hls4ml package directory of this interpreter (found without importing it), unless
    $PRESYNTH_HLS4ML_TEMPLATES names one."""
    import importlib.util
    import os

    if os.environ.get("PRESYNTH_HLS4ML_TEMPLATES"):
        return None
    try:
        spec = importlib.util.find_spec("hls4ml")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.origin:
        return None
    return os.path.dirname(spec.origin)


def attention(
    *,
    heads,
    seq,
    head_dim,
    target,
    batch=1,
    kv_heads=None,
    kv_seq=None,
    v_head_dim=None,
    causal=False,
    dtype="bf16",
    kv_dtype=None,
    fpga_fraction=0.5,
    bandwidth=None,
    fast_mem=None,
    min_tile=None,
    launch_floor_us=None,
):
    """FLOPs, slow-memory traffic, best tiles, lower bound and roofline time of attention
    algorithms on a GPU, an FPGA or ``target="host"`` (``presynth attention --format json``)."""
    shape = dict(batch=batch, heads=heads, kv_heads=kv_heads, seq=seq, kv_seq=kv_seq, head_dim=head_dim,
                 v_head_dim=v_head_dim, causal=causal, dtype=dtype, kv_dtype=kv_dtype)
    options = dict(fpga_fraction=fpga_fraction, bandwidth=bandwidth, fast_mem=fast_mem, min_tile=min_tile,
                   launch_floor_us=launch_floor_us)
    return _native.attention(shape, target, options)


def parts(kind=None):
    """The FPGA parts and GPUs presynth knows (``presynth targets --format json``); ``kind``
    "fpga" or "gpu" to list one kind."""
    return _native.parts(kind)
